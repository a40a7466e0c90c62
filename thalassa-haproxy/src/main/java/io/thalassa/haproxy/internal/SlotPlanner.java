package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.SplitWeights;
import io.thalassa.VersionSplit;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.ServerLine;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import io.thalassa.internal.Checks;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Plans the slots of one backend for the endpoints it should have: pure, no I/O (but a member's host name is
 * resolved). The plan is made on a copy of the
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

    /** Slots for {@code members} members; {@code runtimeGrowth}: the balance algorithm takes servers at run time. */
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
            SlotTable.holdLeavers(table, changes);
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
        SlotTable.holdLeavers(table, changes);
        return new Plan(table, changes, runtimeGrowth ? Growth.RUNTIME : Growth.RELOAD, before);
    }

    /**
     * The tables a running worker has, from its {@code show servers state} (after an adoption): every
     * {@code <backend>_slot<n>} server off the placeholder holds its member; ready, it is active; in maintenance or in
     * drain it may be a member waiting for its first check or one that was leaving, so it joins (and drains again if
     * it is not wanted).
     */
    public static Map<String, SlotTable> fromServersState(List<RuntimeApi.ServerStateRow> rows) {
        Map<String, SlotTable> tables = new TreeMap<>();
        for (RuntimeApi.ServerStateRow row : rows) {
            Object[] parsed = SlotTable.parseSlotName(row.server());
            if (parsed == null || !parsed[0].equals(row.backend())) {
                continue;
            }
            SlotTable t = tables.computeIfAbsent(row.backend(), k -> new SlotTable(k, 0));
            SlotTable.Slot s = t.slot((Integer) parsed[1]);
            boolean placeholder = SlotTable.PLACEHOLDER_IP.equals(row.address())
                    && row.port() == SlotTable.PLACEHOLDER_PORT;
            if (!placeholder) {
                s.state = row.inMaintenance() || row.draining() ? SlotTable.State.JOINING : SlotTable.State.ACTIVE;
                s.ip = row.address();
                s.port = row.port();
            }
            if (row.weight() >= 0) {
                s.weight = row.weight();
            }
        }
        return tables;
    }

    /**
     * The endpoints of a backend's members, host names resolved, each address once, in member order. Without a
     * version split every endpoint has HAProxy's default weight; with one, the weight {@link SplitWeights} gives its
     * member, and a member that gets weight 0 (its version at 0, or not in the split) is left out, so it drains.
     *
     * @throws IllegalArgumentException when a static member's host name cannot be resolved
     */
    public static List<Endpoint> endpoints(Backend b) {
        return endpoints(b, null);
    }

    /**
     * {@link #endpoints(Backend)}, but a registered member whose host cannot be resolved is left out of this backend
     * alone and added to {@code rejected} (when not null) with the reason; a static member's still refuses the whole
     * configuration, as it is the writer's own.
     */
    public static List<Endpoint> endpoints(Backend b, List<Rejected> rejected) {
        List<Endpoint> list = new ArrayList<>(b.members().size());
        Set<String> seen = new HashSet<>();
        VersionSplit split = b.split().orElse(null);
        Map<String, Integer> weights = split == null ? Map.of() : SplitWeights.memberWeights(split, b.members());
        for (Member m : b.members()) {
            int weight = split == null ? ServerLine.DEFAULT_WEIGHT : weights.getOrDefault(m.address(), 0);
            if (weight == 0) {
                continue;
            }
            String ip;
            try {
                ip = resolve(m.host());
            } catch (IllegalArgumentException e) {
                if (!m.isRegistered()) {
                    throw e;
                }
                if (rejected != null) {
                    rejected.add(new Rejected(b.key(), m.id(), e.getMessage()));
                }
                continue;
            }
            Endpoint e = new Endpoint(ip, m.port(), weight);
            if (seen.add(e.address())) {
                list.add(e);
            }
        }
        return list;
    }

    /**
     * A registered member left out of its backend because it cannot be planned.
     *
     * @param backend the backend's key
     * @param member  the member's id, {@code /name/version/host/port}
     * @param reason  why, one sentence
     */
    public record Rejected(String backend, String member, String reason) {
    }

    private static String resolve(String host) {
        if (Checks.isIpv4(host) || Checks.isIpv6(host)) {
            return host;
        }
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("member host cannot be resolved: " + Checks.quote(host), e);
        }
    }

    /**
     * At a first start, a joining member that the previous HAProxy of this configuration had in service (a row of its
     * server-state file on the same server and address, not in maintenance nor in drain) is in service at once: the
     * row gives the new HAProxy its state (UP, or DOWN until its checks pass). The others wait for their first check.
     */
    public static void trustKnown(Map<String, SlotTable> tables, List<RuntimeApi.ServerStateRow> known) {
        Map<String, RuntimeApi.ServerStateRow> byServer = new HashMap<>();
        for (RuntimeApi.ServerStateRow row : known) {
            byServer.put(row.backend() + "/" + row.server(), row);
        }
        for (SlotTable t : tables.values()) {
            for (SlotTable.Slot s : t.slots()) {
                RuntimeApi.ServerStateRow row = byServer.get(t.backend() + "/" + s.name);
                if (s.state == SlotTable.State.JOINING && row != null && !row.inMaintenance() && !row.draining()
                        && ServerStateFile.agrees(new ServerLine(s.name, s.ip, s.port, false), row.address(),
                        row.port(), row.adminState())) {
                    s.state = SlotTable.State.ACTIVE;
                }
            }
        }
    }

    /**
     * Frees every draining slot (a reload or restart hands in-flight requests to the old worker), replacing each table
     * that had one with a copy.
     *
     * @return the freed slots' names, by backend
     */
    public static Map<String, List<String>> releaseDrains(Map<String, SlotTable> tables) {
        Map<String, List<String>> released = new HashMap<>();
        for (Map.Entry<String, SlotTable> e : new ArrayList<>(tables.entrySet())) {
            boolean draining = false;
            for (SlotTable.Slot s : e.getValue().slots()) {
                draining |= s.state == SlotTable.State.DRAINING;
            }
            if (draining) {
                SlotTable copy = e.getValue().copy();
                List<String> names = new ArrayList<>();
                for (SlotTable.Slot s : copy.releaseDraining()) {
                    names.add(s.name);
                }
                released.put(e.getKey(), names);
                tables.put(e.getKey(), copy);
            }
        }
        return released;
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
