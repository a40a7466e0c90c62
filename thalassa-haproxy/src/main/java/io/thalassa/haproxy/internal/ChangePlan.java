package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * What applying a configuration would do, as {@link ChangePlanner} decided it: the new slots of the backends that
 * change, whether the change is structural, and, for a structural one, which sections differ from what HAProxy runs.
 *
 * @param next          the configuration planned
 * @param backends      slot plans of the backends that change, by key (made on copies of the tables)
 * @param removed       backends of the current configuration that {@code next} does not have
 * @param runtimeGrowth backends that grow with {@code add server}: only the slots it adds differ
 * @param planned       the section fingerprint of each planned backend
 * @param structural    whether anything but members, weights and versions changes, or a backend grows in a way the
 *                      runtime API cannot take: then the file is rendered and checked before it is accepted
 * @param fingerprints  every section fingerprint of {@code next} (empty unless structural)
 * @param differs       the sections whose fingerprint differs from what the worker runs, backends that grow at run
 *                      time left out (empty unless structural)
 * @param refusedBefore whether {@code differs} is exactly the structure HAProxy refused to reload with, which is not
 *                      tried again
 */
public record ChangePlan(ThalassaConfig next, Map<String, SlotPlanner.Plan> backends, Set<String> removed,
        Set<String> runtimeGrowth, Map<String, String> planned, boolean structural, Map<String, String> fingerprints,
        SortedSet<String> differs, boolean refusedBefore) {

    /** Whether applying it makes HAProxy reload (or fail at once, when HAProxy refused this structure before). */
    public boolean reloads() {
        return structural && !differs.isEmpty();
    }

    /** Whether a slot changes or a table grows: something HAProxy would see. */
    public boolean moves() {
        for (SlotPlanner.Plan p : backends.values()) {
            if (!p.changes().isEmpty() || p.growth() != SlotPlanner.Growth.NONE) {
                return true;
            }
        }
        return false;
    }

    /** {@code current} with the planned tables in, and only the backends of {@code next}: a new map. */
    public Map<String, SlotTable> tables(Map<String, SlotTable> current) {
        Map<String, SlotTable> out = new HashMap<>(current);
        backends.forEach((k, p) -> out.put(k, p.table()));
        out.keySet().retainAll(next.backends().keySet());
        return out;
    }
}
