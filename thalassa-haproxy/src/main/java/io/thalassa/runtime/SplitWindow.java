package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.StatsSnapshot;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The stats snapshots of the last minute, cut down to the split backends' servers: what {@code /stats} {@code splits}
 * compare, so a version's share counts the requests of a window a person can read, not of the last 2 s poll.
 * Thread-safe.
 */
final class SplitWindow {
    private final Duration window;
    private final ArrayDeque<StatsSnapshot> kept = new ArrayDeque<>(); // oldest first

    SplitWindow(Duration window) {
        this.window = window;
    }

    /** Keeps the split backends of {@code s}; drops what is older than the window (one older sample stays). */
    synchronized void add(StatsSnapshot s, ThalassaConfig config) {
        Map<String, StatsSnapshot.BackendStats> split = new HashMap<>();
        for (Backend b : config.backends().values()) {
            StatsSnapshot.BackendStats stats = s.backends().get(b.key());
            if (b.split().isPresent() && stats != null) {
                split.put(b.key(), stats);
            }
        }
        kept.addLast(new StatsSnapshot(s.time(), Map.of(), split));
        while (kept.size() > 2 && Duration.between(kept.peekFirst().time(), s.time()).compareTo(window) > 0) {
            kept.removeFirst();
        }
    }

    /** {@link SplitShares#between} the oldest kept and the newest, with {@code windowSeconds}; empty before any. */
    synchronized Map<String, Object> shares(ThalassaConfig config) {
        if (kept.isEmpty()) {
            return Map.of();
        }
        // each backend's oldest stats in the window: a split set a moment ago is measured from its first sample
        Map<String, StatsSnapshot.BackendStats> oldest = new HashMap<>();
        kept.forEach(s -> s.backends().forEach(oldest::putIfAbsent));
        StatsSnapshot first = kept.size() > 1 ? new StatsSnapshot(kept.peekFirst().time(), Map.of(), oldest) : null;
        Map<String, Object> out = SplitShares.between(first, kept.peekLast(), config);
        out.values().forEach(v -> {
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) m;
                entry.put("windowSeconds", window.toSeconds());
            }
        });
        return out;
    }
}
