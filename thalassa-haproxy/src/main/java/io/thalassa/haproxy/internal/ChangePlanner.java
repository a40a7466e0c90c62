package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.RenderedConfig;
import io.thalassa.haproxy.ServerLine;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides what a change is, and is the one place that does: which backends' slots change and how, and whether the
 * change is structural (HAProxy learns it only from a reload) and differs from what HAProxy runs. Pure: no I/O, no
 * locks, no clock; the endpoints come resolved ({@link Endpoints}) and the fingerprints from the renderer
 * ({@link Sections}), so a change is decided the same way whether it is applied, validated or only asked about.
 *
 * <p>A change is structural when frontends change, a backend is added or removed, or a changed backend's section
 * fingerprint (everything but its servers' addresses, states and weights) differs from the accepted one. A backend
 * that outgrows its slots changes its fingerprint (more server names): when its balance algorithm takes servers at
 * run time the new slots go in with {@code add server} and the change stays a membership change; any other needs a
 * reload, though {@link io.thalassa.ConfigDiff} sees only members joining.
 */
public final class ChangePlanner {

    /** Section fingerprints, as {@link RenderedConfig#fingerprints()} has them for a rendering. */
    public interface Sections {
        /** The fingerprint of {@code backend}'s section with these server lines. */
        String backend(Backend backend, List<ServerLine> servers);

        /** The fingerprints of the settings' sections and of every frontend of {@code config}, by section key. */
        Map<String, String> frontendsAndSettings(ThalassaConfig config);
    }

    /**
     * What a change is planned against.
     *
     * @param desired             the configuration accepted last
     * @param slots               its slot tables, by backend (never changed by planning)
     * @param desiredFingerprints the section fingerprints of {@code desired}
     * @param fullCheck           compare every section (the first change after adopting a running HAProxy)
     * @param running             the section fingerprints of what the worker runs
     * @param refused             the fingerprints of the structure HAProxy refused to reload with, or null
     */
    public record Basis(ThalassaConfig desired, Map<String, SlotTable> slots, Map<String, String> desiredFingerprints,
            boolean fullCheck, Map<String, String> running, Map<String, String> refused) {
    }

    private final Sections sections;

    public ChangePlanner(Sections sections) {
        this.sections = sections;
    }

    /** The backends of {@code next} a change plans: new ones, changed ones and those without a table yet. */
    public static Set<String> toPlan(ThalassaConfig desired, Map<String, SlotTable> slots, ThalassaConfig next) {
        Set<String> out = new TreeSet<>();
        for (Backend b : next.backends().values()) {
            if (needsPlan(desired.backends().get(b.key()), b, slots)) {
                out.add(b.key());
            }
        }
        return out;
    }

    private static boolean needsPlan(Backend before, Backend b, Map<String, SlotTable> slots) {
        return before != b && !(before != null && before.equals(b) && slots.containsKey(b.key()));
    }

    /**
     * Plans going from {@code basis} to {@code next}.
     *
     * @throws IllegalStateException when {@code endpoints} lacks a backend {@link #toPlan} names
     */
    public ChangePlan plan(Basis basis, ThalassaConfig next, Endpoints endpoints) {
        ThalassaConfig current = basis.desired();
        Map<String, SlotPlanner.Plan> plans = new TreeMap<>();
        for (Backend b : next.backends().values()) {
            if (!needsPlan(current.backends().get(b.key()), b, basis.slots())) {
                continue;
            }
            List<Endpoint> wanted = endpoints.of(b.key());
            if (wanted == null) {
                throw new IllegalStateException("the endpoints of backend " + b.key() + " were not resolved");
            }
            plans.put(b.key(), SlotPlanner.plan(b.key(), basis.slots().get(b.key()), wanted,
                    DefaultServer.growsAtRunTime(b)));
        }
        Set<String> removed = new TreeSet<>(current.backends().keySet());
        removed.removeAll(next.backends().keySet());
        boolean structural = basis.fullCheck() || !removed.isEmpty()
                || !(current.frontends() == next.frontends() || current.frontends().equals(next.frontends()));
        Map<String, String> planned = new HashMap<>();
        Set<String> runtimeGrowth = new TreeSet<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            String section = RenderedConfig.backendSection(e.getKey());
            SlotPlanner.Plan plan = e.getValue();
            Backend b = next.backends().get(e.getKey());
            String fp = sections.backend(b, plan.table().lines());
            planned.put(section, fp);
            String known = basis.desiredFingerprints().get(section);
            if (fp.equals(known)) {
                continue;
            }
            if (known != null && plan.growth() == SlotPlanner.Growth.RUNTIME
                    && known.equals(sections.backend(b, plan.table().lines(plan.capacityBefore())))) {
                runtimeGrowth.add(e.getKey()); // only the slots `add server` adds differ
                continue;
            }
            structural = true;
        }
        if (!structural) {
            return new ChangePlan(next, plans, removed, runtimeGrowth, planned, false, Map.of(),
                    Collections.emptySortedSet(), false);
        }
        Map<String, String> fingerprints = fingerprints(basis, next, planned);
        SortedSet<String> differs = differences(fingerprints, basis.running());
        for (String k : runtimeGrowth) {
            differs.remove(RenderedConfig.backendSection(k));
        }
        return new ChangePlan(next, plans, removed, runtimeGrowth, planned, true, fingerprints, differs,
                refusedBefore(differs, fingerprints, basis.refused()));
    }

    /** Every section fingerprint of {@code next}: planned backends as planned, the others as accepted. */
    private Map<String, String> fingerprints(Basis basis, ThalassaConfig next, Map<String, String> planned) {
        Map<String, String> out = new LinkedHashMap<>(sections.frontendsAndSettings(next));
        for (Backend b : next.backends().values()) {
            String section = RenderedConfig.backendSection(b.key());
            String fp = planned.get(section);
            if (fp == null) {
                fp = basis.desiredFingerprints().get(section);
            }
            if (fp == null) {
                SlotTable t = basis.slots().get(b.key());
                fp = sections.backend(b, t == null ? List.of() : t.lines());
            }
            out.put(section, fp);
        }
        return out;
    }

    /** The sections whose fingerprint differs between the two, or that only one of them has, sorted. */
    public static SortedSet<String> differences(Map<String, String> a, Map<String, String> b) {
        SortedSet<String> out = new TreeSet<>();
        a.forEach((section, fp) -> {
            if (!fp.equals(b.get(section))) {
                out.add(section);
            }
        });
        for (String section : b.keySet()) {
            if (!a.containsKey(section)) {
                out.add(section);
            }
        }
        return out;
    }

    /** Whether each of {@code sections} is exactly as in the structure HAProxy refused. */
    static boolean refusedBefore(Set<String> sections, Map<String, String> wanted, Map<String, String> refused) {
        if (refused == null || sections.isEmpty()) {
            return false;
        }
        for (String s : sections) {
            if (!Objects.equals(wanted.get(s), refused.get(s))) {
                return false;
            }
        }
        return true;
    }
}
