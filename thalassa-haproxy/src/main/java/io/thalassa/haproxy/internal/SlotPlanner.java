package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the slots of one backend for the endpoints it should have: pure, no I/O. The plan is made on a copy of the
 * backend's current table, so the current one is untouched until the controller swaps the plan in.
 *
 * <p>Headroom: a backend whose balance algorithm takes servers at run time ({@code add server}) gets its members
 * plus a tenth (at least 2) empty slots, and grows at run time past that; any other backend gets a power of two with
 * a quarter of headroom (at least 4), as growing it needs a reload. Every slot is a server HAProxy counts in its file
 * descriptors, so headroom is paid for (see docs/benchmarks.md, "Slot headroom").
 */
public final class SlotPlanner {
    private SlotPlanner() {
    }

    /** How a plan grows the table. */
    public enum Growth {
        /** The slots were enough. */
        NONE,
        /** New slots go to the running worker with {@code add server}: no reload. */
        RUNTIME,
        /** New slots need a reload: the balance algorithm takes no servers at run time, or the backend is new. */
        RELOAD
    }

    /**
     * The slots of one backend and the changes that lead there.
     *
     * @param table      the planned table (a copy; the current table is unchanged)
     * @param changes    slots whose content changes, in table order
     * @param growth     whether and how the table grew
     * @param capacityBefore slots before the plan (0 for a new backend)
     */
    public record Plan(SlotTable table, List<SlotTable.Change> changes, Growth growth, int capacityBefore) {
    }

    /** Slots for a backend with {@code members} members; {@code runtimeGrowth}: its balance takes servers at run time. */
    public static int capacityFor(int members, boolean runtimeGrowth) {
        if (runtimeGrowth) {
            return members + Math.max(2, (members + 9) / 10);
        }
        int wanted = Math.max(4, (int) Math.ceil(members * 1.25));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /**
     * Plans {@code backend}'s slots for {@code wanted}.
     *
     * @param current        the table now, or null for a new backend
     * @param wanted         the endpoints, no address twice
     * @param runtimeGrowth  whether the balance algorithm takes servers at run time
     */
    public static Plan plan(String backend, SlotTable current, List<Endpoint> wanted, boolean runtimeGrowth) {
        if (current == null) {
            SlotTable table = new SlotTable(backend, capacityFor(wanted.size(), runtimeGrowth));
            List<SlotTable.Change> changes = new ArrayList<>();
            table.assign(wanted, changes);
            return new Plan(table, changes, Growth.NONE, 0);
        }
        SlotTable table = current.copy();
        List<SlotTable.Change> changes = new ArrayList<>();
        List<Endpoint> homeless = table.assign(wanted, changes);
        if (homeless.isEmpty()) {
            return new Plan(table, changes, Growth.NONE, current.capacity());
        }
        int before = table.capacity();
        int busy = before - free(table);
        int grown = runtimeGrowth ? before + homeless.size()
                : Math.max(before * 2, capacityFor(busy + homeless.size(), false));
        table.ensureCapacity(grown);
        if (!table.assign(wanted, changes).isEmpty()) {
            throw new IllegalStateException("slot planning failed for backend " + backend);
        }
        return new Plan(table, changes, runtimeGrowth ? Growth.RUNTIME : Growth.RELOAD, before);
    }

    private static int free(SlotTable t) {
        int n = 0;
        for (SlotTable.Slot s : t.slots()) {
            if (s.state == SlotTable.State.FREE) {
                n++;
            }
        }
        return n;
    }
}
