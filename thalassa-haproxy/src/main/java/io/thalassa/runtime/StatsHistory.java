package io.thalassa.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A ring buffer of the last {@code capacity} chart samples (a frontend's current and max sessions, a backend's current
 * sessions), kept compact: a sample holds its names once (shared with the sample before while the set is unchanged)
 * and plain int arrays, so 150 samples of 1,000 backends cost well under a megabyte. Thread-safe.
 */
public final class StatsHistory {
    /** One poll's chart values; the arrays are never changed after construction. */
    record Sample(long time, String[] frontends, int[] frontendCur, int[] frontendMax, String[] backends,
            int[] backendCur) {
    }

    private final Sample[] ring;
    private int next;
    private int size;

    /** @param capacity samples kept, at least 1 */
    public StatsHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        ring = new Sample[capacity];
    }

    /** Adds a sample, dropping the oldest when full; its name arrays are shared with the last sample when equal. */
    public synchronized void add(long time, String[] frontends, int[] frontendCur, int[] frontendMax,
            String[] backends, int[] backendCur) {
        Sample last = size == 0 ? null : ring[(next - 1 + ring.length) % ring.length];
        if (last != null && Arrays.equals(last.frontends(), frontends)) {
            frontends = last.frontends();
        }
        if (last != null && Arrays.equals(last.backends(), backends)) {
            backends = last.backends();
        }
        ring[next] = new Sample(time, frontends, frontendCur, frontendMax, backends, backendCur);
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** How many samples are kept now. */
    public synchronized int size() {
        return size;
    }

    /** The samples whose time is after {@code since} (epoch millis), oldest first. */
    synchronized List<Sample> since(long since) {
        List<Sample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Sample s = ring[(next - size + i + ring.length) % ring.length];
            if (s.time() > since) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The samples after {@code since} as columns, ready for a chart: {@code {"times":[..], "frontends":{name:
     * {"cur":[..], "max":[..]}}, "backends":{name:{"cur":[..]}}}}, with null where an item did not exist yet.
     */
    public Map<String, Object> columns(long since) {
        List<Sample> samples = since(since);
        long[] times = new long[samples.size()];
        TreeSet<String> frontendNames = new TreeSet<>();
        TreeSet<String> backendNames = new TreeSet<>();
        String[] lastF = null;
        String[] lastB = null;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            times[i] = s.time();
            if (s.frontends() != lastF) {
                frontendNames.addAll(Arrays.asList(s.frontends()));
                lastF = s.frontends();
            }
            if (s.backends() != lastB) {
                backendNames.addAll(Arrays.asList(s.backends()));
                lastB = s.backends();
            }
        }
        Map<String, Integer[][]> f = new LinkedHashMap<>();
        frontendNames.forEach(n -> f.put(n, new Integer[][] {new Integer[times.length], new Integer[times.length]}));
        Map<String, Integer[]> b = new LinkedHashMap<>();
        backendNames.forEach(n -> b.put(n, new Integer[times.length]));
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            for (int j = 0; j < s.frontends().length; j++) {
                Integer[][] cols = f.get(s.frontends()[j]);
                cols[0][i] = s.frontendCur()[j];
                cols[1][i] = s.frontendMax()[j];
            }
            for (int j = 0; j < s.backends().length; j++) {
                b.get(s.backends()[j])[i] = s.backendCur()[j];
            }
        }
        Map<String, Object> frontends = new LinkedHashMap<>();
        f.forEach((n, cols) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cur", cols[0]);
            m.put("max", cols[1]);
            frontends.put(n, m);
        });
        Map<String, Object> backends = new LinkedHashMap<>();
        b.forEach((n, col) -> backends.put(n, Map.of("cur", col)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("times", times);
        out.put("frontends", frontends);
        out.put("backends", backends);
        return out;
    }
}
