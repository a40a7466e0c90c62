package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.SplitWeights;
import io.thalassa.ThalassaConfig;
import io.thalassa.VersionSplit;
import io.thalassa.haproxy.StatsSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the versions of split backends serve: the share of requests each version actually served between two stats
 * snapshots (from its servers' total sessions, one per HTTP request, matched to members by address), and what a
 * split serves by its instance counts (for the answer to a write).
 */
public final class SplitShares {
    private SplitShares() {
    }

    /**
     * {@code after} itself when no backend has a split (the original shape), else its fields plus {@code splits}:
     * per split backend the requested weights and per version the requests served and their share since
     * {@code before}.
     */
    public static Object withSplits(StatsSnapshot before, StatsSnapshot after, ThalassaConfig config) {
        return withSplits(after, between(before, after, config));
    }

    /** {@code after} itself when {@code splits} is empty (the original shape), else its fields plus {@code splits}. */
    public static Object withSplits(StatsSnapshot after, Map<String, Object> splits) {
        if (splits.isEmpty()) {
            return after;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", after.time());
        out.put("frontends", after.frontends());
        out.put("backends", after.backends());
        out.put("splits", splits);
        return out;
    }

    /** Per split backend: {@code requested}, {@code intervalMs} and per version {@code requests} and {@code share}. */
    public static Map<String, Object> between(StatsSnapshot before, StatsSnapshot after, ThalassaConfig config) {
        Map<String, Object> out = new TreeMap<>();
        for (Backend b : config.backends().values()) {
            VersionSplit split = b.split().orElse(null);
            if (split == null) {
                continue;
            }
            Map<String, String> versionOf = new HashMap<>();
            for (Member m : b.members()) {
                if (m.version() != null) {
                    versionOf.put(m.address(), m.version());
                }
            }
            Map<String, Long> requests = new TreeMap<>();
            split.weights().keySet().forEach(v -> requests.put(v, 0L));
            StatsSnapshot.BackendStats now = after.backends().get(b.key());
            StatsSnapshot.BackendStats then = before == null ? null : before.backends().get(b.key());
            if (now != null && then != null) {
                Map<String, StatsSnapshot.ServerStats> earlier = new HashMap<>();
                then.servers().forEach(s -> earlier.put(s.name(), s));
                for (StatsSnapshot.ServerStats s : now.servers()) {
                    StatsSnapshot.ServerStats e = earlier.get(s.name());
                    String version = versionOf.get(s.address());
                    if (e != null && version != null && e.address().equals(s.address())) {
                        requests.merge(version, Math.max(0, s.totalSessions() - e.totalSessions()), Long::sum);
                    }
                }
            }
            long total = requests.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> versions = new TreeMap<>();
            requests.forEach((v, n) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("requests", n);
                one.put("share", total == 0 ? null : Math.round(1000.0 * n / total) / 10.0);
                versions.put(v, one);
            });
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("requested", split.weights());
            entry.put("intervalMs", before == null ? null : after.time().toEpochMilli() - before.time().toEpochMilli());
            entry.put("versions", versions);
            out.put(b.key(), entry);
        }
        return out;
    }

    /**
     * The split part of a write's answer: {@code requested} weights, {@code instances} per version (of the versions
     * with a weight), {@code serving} (the share each version gets, versions without instances giving theirs to the
     * others) and a {@code note} saying so; null for a backend without a split.
     */
    public static Map<String, Object> answer(Backend b) {
        VersionSplit split = b.split().orElse(null);
        if (split == null) {
            return null;
        }
        Map<String, Integer> instances = new TreeMap<>();
        split.weights().keySet().forEach(v -> instances.put(v, 0));
        SplitWeights.instances(b.members()).forEach((v, n) -> {
            if (split.contains(v)) {
                instances.put(v, n);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requested", split.weights());
        out.put("instances", instances);
        Map<String, Double> serving = new TreeMap<>();
        SplitWeights.shares(split, instances).forEach((v, p) -> serving.put(v, Math.round(p * 10) / 10.0));
        out.put("serving", serving);
        String note = SplitWeights.describe(split, instances);
        out.put("note", note.startsWith("as split") ? null : note);
        return out;
    }
}
