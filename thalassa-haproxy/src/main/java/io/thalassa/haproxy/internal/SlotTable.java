package io.thalassa.haproxy.internal;

import io.thalassa.Member;
import io.thalassa.haproxy.ServerLine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-declared servers ("slots") of one backend, named {@code <backend>_slot<n>}, and which member address each
 * one holds. Empty slots are rendered as disabled placeholders on {@code 127.0.0.1:1}; a member that leaves keeps its
 * slot while it drains. Not thread-safe; the controller never changes a table it has published: it plans on a
 * {@link #copy()} and swaps it in, so a snapshot of the tables can be rendered outside its lock.
 */
public final class SlotTable {
    /** Address of an empty slot; never receives traffic, as the slot is disabled. */
    public static final String PLACEHOLDER_IP = "127.0.0.1";
    public static final int PLACEHOLDER_PORT = 1;
    private static final Pattern SLOT_NAME = Pattern.compile("(.+)_slot([0-9]{1,6})");

    /** What a slot holds. */
    public enum State {
        FREE, ACTIVE, DRAINING
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
     * Makes the active slots hold exactly {@code wanted}: slots of endpoints no longer wanted start draining, a wanted
     * endpoint that is still draining becomes active again, the others take free slots.
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
                if (s.state == State.ACTIVE) {
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
                if (s.state == State.DRAINING || s.weight != e.weight()) {
                    changes.add(new Change(s));
                    s.state = State.ACTIVE;
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
            target.state = State.ACTIVE;
            target.ip = e.ip();
            target.port = e.port();
            target.weight = e.weight();
            target.generation++;
            held.put(e.address(), target);
        }
        return homeless;
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
        int n = 0;
        for (Slot s : slots) {
            if (s.state == State.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    /** The server lines: active slots with their member, the others as disabled placeholders. */
    public List<ServerLine> lines() {
        return lines(slots.size());
    }

    /** The server lines of the first {@code count} slots (what a worker with that many slots runs). */
    public List<ServerLine> lines(int count) {
        int n = Math.min(count, slots.size());
        List<ServerLine> lines = new ArrayList<>(n);
        for (Slot s : slots.subList(0, n)) {
            boolean active = s.state == State.ACTIVE;
            lines.add(new ServerLine(s.name, active ? s.ip : PLACEHOLDER_IP, active ? s.port : PLACEHOLDER_PORT,
                    !active, s.weight));
        }
        return lines;
    }
}
