package io.thalassa;

import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The weight arithmetic of a {@link VersionSplit}: pure, no I/O. A version's share of requests is divided among its
 * instances, so each instance's HAProxy weight (1..256) is proportional to {@code share / instances of its version},
 * whatever the number of instances per version: with 9 instances of 1.0.0 and 1 of 2.0.0 at 90/10 every instance gets
 * the same weight and 2.0.0 serves 10 %.
 *
 * <ul>
 *   <li>A version with no instance gets no traffic; its share goes to the versions that have instances, in
 *       proportion to their weights ({@link #shares}). When no version with a weight above 0 has an instance, no
 *       member gets traffic (as with a single version without instances).</li>
 *   <li>HAProxy's weights are whole numbers up to 256, so a version's share is met within rounding: the weights are
 *       chosen, among every scale up to 256, to make the largest error smallest. The error is at most
 *       {@code (instances of the version + all instances) / 256} of the requests, and 0 whenever the per-instance
 *       shares are in small whole ratios. A share per instance below 1/256 of the largest one cannot be met: such an
 *       instance gets weight 1.</li>
 * </ul>
 *
 * <pre>{@code
 * VersionSplit split = VersionSplit.of(Map.of("1.0.0", 95, "2.0.0", 5));
 * SplitWeights.weights(split, Map.of("1.0.0", 4, "2.0.0", 1));   // {1.0.0=247, 2.0.0=52}: 52/1040 = 5 %
 * }</pre>
 */
public final class SplitWeights {
    /** HAProxy's largest server weight. */
    public static final int MAX_WEIGHT = 256;

    private SplitWeights() {
    }

    /**
     * The share of requests, in percent, each version of the split should serve with these instance counts: the
     * split's weights, those of versions without instances given to the others in proportion.
     *
     * @param instances instance count per version; a version missing from the map has none
     * @return every version of the split (0 for those that get nothing), sorted; the values add up to 100 or to 0
     */
    public static SortedMap<String, Double> shares(VersionSplit split, Map<String, Integer> instances) {
        Checks.notNull("split", split);
        Checks.notNull("instances", instances);
        long live = 0;
        for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
            if (count(instances, e.getKey()) > 0) {
                live += e.getValue();
            }
        }
        SortedMap<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
            boolean serves = live > 0 && count(instances, e.getKey()) > 0;
            out.put(e.getKey(), serves ? 100.0 * e.getValue() / live : 0.0);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * The HAProxy weight of each instance, per version: 1..256 for a version with a share, 0 for one without (no
     * instance, or weight 0 in the split).
     *
     * @param instances instance count per version; a version missing from the map has none
     */
    public static SortedMap<String, Integer> weights(VersionSplit split, Map<String, Integer> instances) {
        SortedMap<String, Double> shares = shares(split, instances);
        double maxPerInstance = 0;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            if (e.getValue() > 0) {
                maxPerInstance = Math.max(maxPerInstance, e.getValue() / count(instances, e.getKey()));
            }
        }
        SortedMap<String, Integer> best = null;
        double bestError = Double.MAX_VALUE;
        for (int scale = MAX_WEIGHT; scale >= 1 && maxPerInstance > 0; scale--) {
            SortedMap<String, Integer> candidate = new TreeMap<>();
            for (Map.Entry<String, Double> e : shares.entrySet()) {
                int w = 0;
                if (e.getValue() > 0) {
                    double ideal = scale * (e.getValue() / count(instances, e.getKey())) / maxPerInstance;
                    w = (int) Math.max(1, Math.min(MAX_WEIGHT, Math.round(ideal)));
                }
                candidate.put(e.getKey(), w);
            }
            double error = maxError(shares, served(candidate, instances));
            if (error < bestError - 1e-12) {
                best = candidate;
                bestError = error;
                if (error < 1e-9) {
                    break;
                }
            }
        }
        if (best == null) {
            best = new TreeMap<>();
            for (String v : shares.keySet()) {
                best.put(v, 0);
            }
        }
        return Collections.unmodifiableSortedMap(best);
    }

    /**
     * The share of requests, in percent, each version serves when each of its instances has the given weight: what
     * HAProxy does with {@link #weights}.
     */
    public static SortedMap<String, Double> served(Map<String, Integer> weightPerInstance,
            Map<String, Integer> instances) {
        long total = 0;
        for (Map.Entry<String, Integer> e : weightPerInstance.entrySet()) {
            total += (long) e.getValue() * count(instances, e.getKey());
        }
        SortedMap<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, Integer> e : weightPerInstance.entrySet()) {
            out.put(e.getKey(), total == 0 ? 0.0 : 100.0 * e.getValue() * count(instances, e.getKey()) / total);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** Instance count per version of registered members (static members, without a version, are not counted). */
    public static SortedMap<String, Integer> instances(Collection<Member> members) {
        SortedMap<String, Integer> out = new TreeMap<>();
        for (Member m : members) {
            if (m.version() != null) {
                out.merge(m.version(), 1, Integer::sum);
            }
        }
        return out;
    }

    /**
     * The HAProxy weight of every member, by address: {@link #weights} for the members' versions; a member whose
     * version is not in the split gets 0.
     */
    public static Map<String, Integer> memberWeights(VersionSplit split, Collection<Member> members) {
        SortedMap<String, Integer> perVersion = weights(split, instances(members));
        Map<String, Integer> out = new HashMap<>();
        for (Member m : members) {
            out.put(m.address(), m.version() == null ? 0 : perVersion.getOrDefault(m.version(), 0));
        }
        return out;
    }

    /**
     * What the versions of a split serve with these instance counts, e.g. {@code 2.0.0 has no instance, its 10 %
     * goes to the others; serving 1.0.0:100,2.0.0:0}, or {@code as split: 1.0.0:90,2.0.0:10}.
     */
    public static String describe(VersionSplit split, Map<String, Integer> instances) {
        Map<String, Double> shares = shares(split, instances);
        List<String> empty = new ArrayList<>();
        int given = 0;
        for (Map.Entry<String, Integer> e : split.weights().entrySet()) {
            if (e.getValue() > 0 && instances.getOrDefault(e.getKey(), 0) == 0) {
                empty.add(e.getKey());
                given += e.getValue();
            }
        }
        StringBuilder serving = new StringBuilder();
        shares.forEach((v, p) -> serving.append(serving.length() == 0 ? "" : ",").append(v).append(':')
                .append(String.format(Locale.ROOT, "%.1f", p).replace(".0", "")));
        if (empty.isEmpty()) {
            return "as split: " + serving;
        }
        return String.join(", ", empty) + (empty.size() == 1 ? " has" : " have") + " no instance, "
                + (empty.size() == 1 ? "its " : "their ") + given + " % "
                + (shares.values().stream().allMatch(p -> p == 0) ? "goes nowhere (no version of the split has an"
                + " instance): no traffic" : "goes to the others; serving " + serving);
    }

    private static double maxError(Map<String, Double> wanted, Map<String, Double> served) {
        double max = 0;
        for (Map.Entry<String, Double> e : wanted.entrySet()) {
            max = Math.max(max, Math.abs(e.getValue() - served.getOrDefault(e.getKey(), 0.0)));
        }
        return max;
    }

    private static int count(Map<String, Integer> instances, String version) {
        Integer n = instances.get(version);
        return n == null ? 0 : Math.max(0, n);
    }
}
