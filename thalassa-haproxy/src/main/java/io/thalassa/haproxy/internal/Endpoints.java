package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The endpoints of some backends' members, host names resolved ({@link SlotPlanner#endpoints}): taken before the
 * controller's lock, as resolving a name can take seconds, and only for the backends a change can touch. Immutable.
 */
public final class Endpoints {
    private final Map<String, List<Endpoint>> byBackend;
    private final Map<String, List<SlotPlanner.Rejected>> rejected;

    private Endpoints(Map<String, List<Endpoint>> byBackend, Map<String, List<SlotPlanner.Rejected>> rejected) {
        this.byBackend = byBackend;
        this.rejected = rejected;
    }

    /**
     * The endpoints of every backend of {@code next} that is not the same in {@code base} (null: of every backend).
     *
     * A registered member whose host cannot be resolved is left out ({@link #rejected}).
     *
     * @throws IllegalArgumentException when a static member's host name cannot be resolved
     */
    public static Endpoints resolve(ThalassaConfig next, ThalassaConfig base) {
        Map<String, List<Endpoint>> out = new HashMap<>();
        Map<String, List<SlotPlanner.Rejected>> rejected = new HashMap<>();
        for (Backend b : next.backends().values()) {
            Backend before = base == null ? null : base.backends().get(b.key());
            if (before != b && !b.equals(before)) {
                put(b, out, rejected);
            }
        }
        return new Endpoints(out, rejected);
    }

    private static void put(Backend b, Map<String, List<Endpoint>> out,
            Map<String, List<SlotPlanner.Rejected>> rejected) {
        List<SlotPlanner.Rejected> left = new ArrayList<>();
        out.put(b.key(), SlotPlanner.endpoints(b, left));
        rejected.put(b.key(), List.copyOf(left));
    }

    /** These endpoints and those of the backends {@code keys} of {@code next}. */
    public Endpoints plus(ThalassaConfig next, Collection<String> keys) {
        Map<String, List<Endpoint>> out = new HashMap<>(byBackend);
        Map<String, List<SlotPlanner.Rejected>> left = new HashMap<>(rejected);
        for (String k : keys) {
            Backend b = next.backends().get(k);
            if (b != null) {
                put(b, out, left);
            }
        }
        return new Endpoints(out, left);
    }

    /** The endpoints of {@code backend}, or null when they were not resolved. */
    public List<Endpoint> of(String backend) {
        return byBackend.get(backend);
    }

    /**
     * The registered members left out because they cannot be planned, by backend, for every backend resolved here
     * (an empty list: none of its members was left out).
     */
    public Map<String, List<SlotPlanner.Rejected>> rejected() {
        return rejected;
    }

    /** Which of {@code backends} were not resolved. */
    public Set<String> missing(Collection<String> backends) {
        Set<String> out = new TreeSet<>();
        for (String k : backends) {
            if (!byBackend.containsKey(k)) {
                out.add(k);
            }
        }
        return out;
    }
}
