package io.thalassa;

import io.thalassa.internal.Checks;
import java.math.BigInteger;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a dynamic backend splits its traffic between versions of its service: a whole-number weight in 0..100 per
 * version, adding up to 100 ({@code {"1.0.0": 95, "2.0.0": 5}}). A version at 0 stays subscribed but gets no members
 * (its members drain, as after a version switch). What each instance gets is computed by {@link SplitWeights}.
 *
 * <pre>{@code
 * VersionSplit canary = VersionSplit.of(Map.of("1.0.0", 95, "2.0.0", 5));
 * canary.primaryVersion();   // "1.0.0"
 * canary.toString();         // "1.0.0:95,2.0.0:5"
 * }</pre>
 */
public final class VersionSplit {
    /** What the weights of a split add up to. */
    public static final int TOTAL = 100;

    private final SortedMap<String, Integer> weights;

    private VersionSplit(SortedMap<String, Integer> weights) {
        this.weights = Collections.unmodifiableSortedMap(weights);
    }

    /**
     * A split from version to weight.
     *
     * @throws IllegalArgumentException naming {@code versions} when the map is null or empty, a version is not a
     *                                  service part, a weight is not in 0..100 or the weights do not add up to 100
     */
    public static VersionSplit of(Map<String, Integer> weights) {
        Checks.notNull("versions", weights);
        Map<String, Object> raw = new TreeMap<>();
        weights.forEach(raw::put);
        return parse(raw);
    }

    /**
     * A split from loosely typed input (JSON): weights may be integral numbers or strings of digits, nothing else.
     *
     * @throws IllegalArgumentException naming {@code versions} for every problem {@link #of} names, and for a weight
     *                                  that is not a whole number ({@code 90.5}, {@code "ninety"}, {@code true})
     */
    public static VersionSplit parse(Map<String, ?> weights) {
        if (weights == null) {
            throw InvalidValueException.missing("versions", "versions is required");
        }
        if (weights.isEmpty()) {
            throw new InvalidValueException("versions", "{}", "versions must name at least one version: {}");
        }
        SortedMap<String, Integer> out = new TreeMap<>();
        long sum = 0;
        for (Map.Entry<String, ?> e : weights.entrySet()) {
            String version = e.getKey();
            if (version == null) {
                throw new InvalidValueException("versions", null, "versions must not name a null version");
            }
            Checks.servicePart(Checks.Name.of("versions", "versions key"), version);
            int weight = weight(version, e.getValue());
            out.put(version, weight);
            sum += weight;
        }
        if (sum != TOTAL) {
            throw new InvalidValueException("versions", format(out), "versions weights must add up to " + TOTAL + ": "
                    + sum + " in " + format(out));
        }
        return new VersionSplit(out);
    }

    private static int weight(String version, Object value) {
        long w;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            w = ((Number) value).longValue();
        } else if (value instanceof BigInteger big && big.bitLength() < 32) {
            w = big.longValue();
        } else if (value instanceof String s && s.matches("[0-9]{1,9}")) {
            w = Long.parseLong(s);
        } else {
            throw new InvalidValueException("versions", value, "versions " + Checks.quote(version)
                    + " must have a whole number weight in 0.." + TOTAL + ": " + value);
        }
        if (w < 0 || w > TOTAL) {
            throw new InvalidValueException("versions", w, "versions " + Checks.quote(version) + " weight must be in"
                    + " 0.." + TOTAL + ": " + w);
        }
        return (int) w;
    }

    /** Version to weight, sorted by version; unmodifiable. */
    public SortedMap<String, Integer> weights() {
        return weights;
    }

    /** The weight of {@code version}, 0 when it is not in the split. */
    public int weight(String version) {
        return weights.getOrDefault(version, 0);
    }

    /** Whether the split names {@code version} (also at weight 0). */
    public boolean contains(String version) {
        return weights.containsKey(version);
    }

    /** The version with the largest weight (the last in version order of those tied): a backend's {@code version}. */
    public String primaryVersion() {
        String best = null;
        int max = -1;
        for (Map.Entry<String, Integer> e : weights.entrySet()) {
            if (e.getValue() >= max) {
                max = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }

    /** Whether the whole traffic goes to one version and no other is named: no split at all. */
    public boolean isSingleVersion() {
        return weights.size() == 1;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof VersionSplit s && weights.equals(s.weights);
    }

    @Override
    public int hashCode() {
        return weights.hashCode();
    }

    /** {@code 1.0.0:95,2.0.0:5}: the one way Thalassa writes a split in events and change descriptions. */
    @Override
    public String toString() {
        return format(weights);
    }

    private static String format(Map<String, Integer> weights) {
        StringBuilder sb = new StringBuilder();
        weights.forEach((v, w) -> sb.append(sb.length() == 0 ? "" : ",").append(v).append(':').append(w));
        return sb.toString();
    }
}
