package io.thalassa.haproxy.internal;

import io.thalassa.Member;
import io.thalassa.haproxy.ServerLine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-declared servers ("slots") of one backend, named {@code <backend>_slot<n>}, and which member address each
 * one holds. Empty slots are rendered as disabled placeholders on {@code 127.0.0.1:1}; a member that joins waits in
 * drain for its first check ({@link State#JOINING}); a member that leaves keeps its slot while it drains. Not thread-safe; the controller never changes a table it has published: it plans on a
 * {@link #copy()} and swaps it in, so a snapshot of the tables can be rendered outside its lock.
 */
public final class SlotTable {
    /** Address of an empty slot; never receives traffic, as the slot is disabled. */
    public static final String PLACEHOLDER_IP = "127.0.0.1";
    public static final int PLACEHOLDER_PORT = 1;
    private static final Pattern SLOT_NAME = Pattern.compile("(.+)_slot([0-9]{1,6})");

    /** What a slot holds. */
    public enum State {
        /** Nothing: maintenance, on the placeholder. */
        FREE,
        /**
         * A member that joined, in drain (its checks run, it gets no new request) until its first check passes, then
         * {@link #ACTIVE}; rendered {@code disabled} with its address, so a reload does not make it serve early.
         */
        JOINING,
        /** A member in service. */
        ACTIVE,
        /**
         * A member that leaves but keeps serving until a joining member of its backend passes its first check (a
         * version switch: the backend would otherwise have no member in service), then {@link #DRAINING}.
         */
        LEAVING,
        /** A member that left and finishes its requests; no new ones. */
        DRAINING;

        /** Whether the slot's member gets new requests ({@link #ACTIVE} and {@link #LEAVING}). */
        public boolean serves() {
            return this == ACTIVE || this == LEAVING;
        }
    }

    /** One slot; mutable, owned by its table. */
    public static final class Slot {
        public final String name;
        /** 1-based position in the table: a worker with capacity n has the slots 1..n. */
        public final int index;
        public State state = State.FREE;
        public String ip = PLACEHOLDER_IP;
        public int port = PLACEHOLDER_PORT;
        /** HAProxy's weight of the server, also while it is empty (it keeps what it had). */
        public int weight = ServerLine.DEFAULT_WEIGHT;
        /** Bumped on every change, so a late drain completion can tell it is stale. */
        public long generation;

        Slot(String name, int index) {
            this.name = name;
            this.index = index;
        }

        Slot copy() {
            Slot s = new Slot(name, index);
            s.state = state;
            s.ip = ip;
            s.port = port;
            s.weight = weight;
            s.generation = generation;
            return s;
        }

        public String address() {
            return Member.addressOf(ip, port);
        }
    }

    /** An endpoint a member resolves to, with the weight its server gets. */
    public record Endpoint(String ip, int port, int weight) {
        /** An endpoint with HAProxy's default weight. */
        public Endpoint(String ip, int port) {
            this(ip, port, ServerLine.DEFAULT_WEIGHT);
        }

        public String address() {
            return Member.addressOf(ip, port);
        }
    }

    /** A slot whose content changes, with what it held before. */
    public record Change(Slot slot, State fromState, String fromIp, int fromPort, int fromWeight) {
        Change(Slot s) {
            this(s, s.state, s.ip, s.port, s.weight);
        }
    }

    private final String backend;
    private final List<Slot> slots = new ArrayList<>();

    public SlotTable(String backend, int capacity) {
        this.backend = backend;
        ensureCapacity(capacity);
    }

    /** A deep copy, to plan on. */
    public SlotTable copy() {
        SlotTable t = new SlotTable(backend, 0);
        for (Slot s : slots) {
            t.slots.add(s.copy());
        }
        return t;
    }

    /** The slot name {@code <backend>_slot<n>}, n from 1. */
    public static String slotName(String backend, int n) {
        return backend + "_slot" + n;
    }

    /** The backend and the 1-based index of a slot name, or null when the name is not a slot's. */
    public static Object[] parseSlotName(String server) {
        Matcher m = SLOT_NAME.matcher(server);
        return m.matches() ? new Object[] {m.group(1), Integer.parseInt(m.group(2))} : null;
    }

    public String backend() {
        return backend;
    }

    public int capacity() {
        return slots.size();
    }

    public List<Slot> slots() {
        return slots;
    }

    /** Adds empty slots until there are {@code capacity}; returns the new ones. */
    public List<Slot> ensureCapacity(int capacity) {
        List<Slot> added = new ArrayList<>();
        while (slots.size() < capacity) {
            Slot s = new Slot(slotName(backend, slots.size() + 1), slots.size() + 1);
            slots.add(s);
            added.add(s);
        }
        return added;
    }

    /** The slot with this 1-based index, growing the table if needed (used when reading HAProxy's state). */
    public Slot slot(int index) {
        ensureCapacity(index);
        return slots.get(index - 1);
    }

    /**
     * Makes the slots hold exactly {@code wanted}: slots of endpoints no longer wanted start draining (a joining one
     * too: it never served), a wanted endpoint that is leaving serves on, one that is draining or joining waits for
     * its check (again), the others take free slots and join.
     *
     * @return the endpoints that found no free slot (the caller grows the table and calls again)
     */
    public List<Endpoint> assign(List<Endpoint> wanted, List<Change> changes) {
        java.util.Set<String> wantedAddresses = new java.util.HashSet<>();
        for (Endpoint e : wanted) {
            wantedAddresses.add(e.address());
        }
        java.util.Map<String, Slot> held = new java.util.HashMap<>();
        for (Slot s : slots) {
            if (s.state == State.FREE) {
                continue;
            }
            if (!wantedAddresses.contains(s.address()) || held.containsKey(s.address())) {
                if (s.state != State.DRAINING) {
                    changes.add(new Change(s));
                    s.state = State.DRAINING;
                    s.generation++;
                }
            } else {
                held.put(s.address(), s);
            }
        }
        List<Endpoint> homeless = new ArrayList<>();
        int free = 0;
        for (Endpoint e : wanted) {
            Slot s = held.get(e.address());
            if (s != null) {
                // one that drains (it left, or it was joining) joins again: it serves once its check passes, which
                // its checks in drain may have done already
                State to = s.state.serves() ? State.ACTIVE : State.JOINING;
                if (s.state != to || s.weight != e.weight()) {
                    changes.add(new Change(s));
                    s.state = to;
                    s.weight = e.weight();
                    s.generation++;
                }
                continue;
            }
            while (free < slots.size() && slots.get(free).state != State.FREE) {
                free++;
            }
            if (free == slots.size()) {
                homeless.add(e);
                continue;
            }
            Slot target = slots.get(free);
            changes.add(new Change(target));
            target.state = State.JOINING;
            target.ip = e.ip();
            target.port = e.port();
            target.weight = e.weight();
            target.generation++;
            held.put(e.address(), target);
        }
        return homeless;
    }

    /**
     * When no slot would serve but some join (a version switch, or every member replaced at once), the members that
     * served before and leave now keep serving ({@link State#LEAVING}) until a joining one passes its first check;
     * a change of a slot that was leaving already is no change. Called once a plan's {@link #assign} calls are done.
     */
    public static void holdLeavers(SlotTable table, List<Change> changes) {
        boolean serving = false;
        boolean joining = false;
        for (Slot s : table.slots) {
            serving |= s.state == State.ACTIVE;
            joining |= s.state == State.JOINING;
        }
        if (serving || !joining) {
            return;
        }
        changes.removeIf(c -> {
            Slot s = c.slot();
            if (s.state != State.DRAINING || !c.fromState().serves()) {
                return false;
            }
            s.state = State.LEAVING;
            return c.fromState() == State.LEAVING;
        });
    }

    /** Turns draining slots into free ones (after a reload or restart, when the old process finishes them). */
    public List<Slot> releaseDraining() {
        List<Slot> released = new ArrayList<>();
        for (Slot s : slots) {
            if (s.state == State.DRAINING) {
                free(s);
                released.add(s);
            }
        }
        return released;
    }

    /** Empties a slot. */
    public static void free(Slot s) {
        s.state = State.FREE;
        s.ip = PLACEHOLDER_IP;
        s.port = PLACEHOLDER_PORT;
        s.generation++;
    }

    public int active() {
        return count(State.ACTIVE);
    }

    /** The slots in {@code state}. */
    public int count(State state) {
        int n = 0;
        for (Slot s : slots) {
            if (s.state == state) {
                n++;
            }
        }
        return n;
    }

    /**
     * The server lines: serving slots with their member, joining ones with their member and {@code disabled} (a
     * reloaded worker starts them in maintenance, and the controller puts them in drain for their check), the others
     * as disabled placeholders.
     */
    public List<ServerLine> lines() {
        return lines(slots.size());
    }

    /** The server lines of the first {@code count} slots (what a worker with that many slots runs). */
    public List<ServerLine> lines(int count) {
        int n = Math.min(count, slots.size());
        List<ServerLine> lines = new ArrayList<>(n);
        for (Slot s : slots.subList(0, n)) {
            boolean member = s.state.serves() || s.state == State.JOINING;
            lines.add(new ServerLine(s.name, member ? s.ip : PLACEHOLDER_IP, member ? s.port : PLACEHOLDER_PORT,
                    !s.state.serves(), s.weight));
        }
        return lines;
    }
}
