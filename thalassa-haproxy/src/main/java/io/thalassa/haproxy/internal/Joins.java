package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health-gated joins, under the controller's lock: a member joins in drain ({@link SlotTable.State#JOINING}) and is
 * made ready once a check passed ({@link JoinGate} says so), when HAProxy's {@code slowstart} starts ramping it up.
 * Members kept serving while they leave ({@link SlotTable.State#LEAVING}, a version switch) drain once a member of
 * their backend is in service, or after the join timeout whatever happened. A change with joining members is pending
 * until HAProxy judged them (their first check passed or failed) and the members it replaces drained, at most the
 * join timeout; its status then says what did not pass. A join timeout of 0: changes do not wait.
 */
public final class Joins {
    private static final Logger LOG = LoggerFactory.getLogger(Joins.class);
    private static final long SETTLE_MS = 100;

    private record Joiner(String backend, String server, long generation) {
    }

    private record Pending(List<Long> ids, List<Joiner> joiners, java.util.Set<String> backends,
            long deadlineNanos) {
    }

    private final ControllerState state;
    private final ReloadScheduler reloads;
    private final RuntimeApplier runtime;
    private final JoinGate gate;
    private final ChangeLog changes;
    private final EventSink events;
    private final ConfigFileWriter file;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;
    private final Runnable lockedSettle;

    // guarded by the controller's lock
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Long> heldSince = new HashMap<>();
    private final Map<Joiner, String> failedFirst = new HashMap<>(); // joining members whose first check failed
    private ScheduledFuture<?> tick;
    private volatile boolean idle = true;

    /**
     * @param gate         the poller of joining members (its listener calls {@link #passed} under the lock)
     * @param timeout      how long a change waits for its joining members, and leaving members keep serving
     * @param lockedSettle runs {@link #settle()} under the controller's lock
     */
    public Joins(ControllerState state, ReloadScheduler reloads, RuntimeApplier runtime, JoinGate gate,
            ChangeLog changes, EventSink events, ConfigFileWriter file, Duration timeout,
            ScheduledExecutorService scheduler, Runnable lockedSettle) {
        this.state = state;
        this.reloads = reloads;
        this.runtime = runtime;
        this.gate = gate;
        this.changes = changes;
        this.events = events;
        this.file = file;
        this.timeout = timeout;
        this.scheduler = scheduler;
        this.lockedSettle = lockedSettle;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Whether a change with joining members waits for them (a join timeout above 0). */
    public boolean waits() {
        return !timeout.isZero();
    }

    /**
     * A change's runtime commands went to the worker: its joining members (those the worker has) are watched, its
     * leaving ones held; a slot it took out of joining is not watched any more. With a change id, the change is
     * applied once its joining members are in service ({@link #settle}); without (0), a reload or restart that
     * follows ends it.
     *
     * @return whether the change waits for joining members
     */
    public boolean sent(long changeId, Map<String, List<SlotTable.Change>> sent, Map<String, Integer> capacity) {
        List<Joiner> joiners = new ArrayList<>();
        long now = System.nanoTime();
        sent.forEach((backend, list) -> {
            int cap = capacity.getOrDefault(backend, 0);
            for (SlotTable.Change c : list) {
                Slot s = c.slot();
                if (c.fromState() == SlotTable.State.JOINING && s.state != SlotTable.State.JOINING) {
                    gate.unwatch(backend, s.name);
                }
                if (s.state == SlotTable.State.JOINING && s.index <= cap) {
                    gate.watch(backend, s.name, s.generation);
                    joiners.add(new Joiner(backend, s.name, s.generation));
                } else if (s.state == SlotTable.State.LEAVING) {
                    heldSince.putIfAbsent(backend, now);
                }
            }
        });
        if (!heldSince.isEmpty()) {
            schedule();
        }
        if (joiners.isEmpty() || changeId == 0 || timeout.isZero()) {
            settle();
            return false;
        }
        pending.add(new Pending(List.of(changeId), joiners, java.util.Set.copyOf(sent.keySet()),
                now + timeout.toNanos()));
        schedule();
        return true;
    }

    /**
     * A new worker runs (a reload, a restart, the first start, an adoption): it has the joining members in
     * maintenance (the file says {@code disabled}), so they go to drain for their check and are watched again; the
     * changes {@code ids} are applied once they are in service (at once when there are none).
     */
    public void restarted(List<Long> ids) {
        List<ServerCommands> drains = new ArrayList<>();
        List<Joiner> joiners = new ArrayList<>();
        long now = System.nanoTime();
        state.slots().forEach((backend, table) -> {
            int cap = reloads.capacity().getOrDefault(backend, 0);
            for (Slot s : table.slots()) {
                if (s.state == SlotTable.State.JOINING && s.index <= cap) {
                    drains.add(ServerCommands.drain(backend, s.name, ServerCommands.JOIN));
                    gate.watch(backend, s.name, s.generation);
                    joiners.add(new Joiner(backend, s.name, s.generation));
                } else if (s.state == SlotTable.State.LEAVING) {
                    heldSince.putIfAbsent(backend, now);
                }
            }
        });
        send(drains, "put joining members in drain for their first check");
        if ((joiners.isEmpty() && heldSince.isEmpty()) || timeout.isZero()) {
            changes.applied(ids);
        } else {
            pending.add(new Pending(List.copyOf(ids), joiners, java.util.Set.copyOf(state.slots().keySet()),
                    now + timeout.toNanos()));
            schedule();
        }
        settle();
    }

    /**
     * The gate saw {@code server}'s first check pass: the member is ready (in service, ramping up over the backend's
     * slowstart), if its slot still holds it.
     */
    public void passed(String backend, String server, long generation, long waitedMillis) {
        SlotTable table = state.slots().get(backend);
        Slot slot = table == null ? null : find(table, server);
        if (slot == null || slot.generation != generation || slot.state != SlotTable.State.JOINING) {
            return;
        }
        SlotTable copy = table.copy();
        Slot s = find(copy, server);
        s.state = SlotTable.State.ACTIVE;
        s.generation++;
        state.slots().put(backend, copy);
        state.nextVersion();
        file.stale();
        Integer cap = reloads.capacity().get(backend);
        if (cap != null && s.index <= cap) {
            send(List.of(ServerCommands.ready(backend, server)), "make " + backend + "/" + server + " ready");
        }
        events.emit(Verb.MEMBER_CHECK, Backend.idOf(backend), s.address() + " (" + server + ") passed its first"
                + " check after " + waitedMillis + " ms: in service");
        settle();
    }

    /** The gate saw {@code server}'s first check fail: it waits in drain until one passes; a change need not. */
    public void failed(String backend, String server, long generation, String checkStatus) {
        SlotTable table = state.slots().get(backend);
        Slot slot = table == null ? null : find(table, server);
        if (slot == null || slot.generation != generation || slot.state != SlotTable.State.JOINING) {
            return;
        }
        failedFirst.put(new Joiner(backend, server, generation), slot.address() + " (" + checkStatus + ")");
        events.emit(Verb.MEMBER_CHECK, Backend.idOf(backend), slot.address() + " (" + server + ") failed its first"
                + " check (" + checkStatus + "): it waits in drain, in service once a check passes");
        settle();
    }

    /**
     * Ends what is over: members held while they leave drain once their backend has a member in service, has none
     * joining any more, or waited the join timeout; a change is applied once its joining members are in service or no
     * longer joining, or when the timeout passed, saying which did not pass their check.
     */
    public void settle() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<String, Long>> it = heldSince.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            SlotTable t = state.slots().get(e.getKey());
            if (t == null || t.count(SlotTable.State.LEAVING) == 0) {
                it.remove();
                continue;
            }
            boolean served = t.count(SlotTable.State.ACTIVE) > 0;
            boolean expired = now - e.getValue() > timeout.toNanos();
            if (served || t.count(SlotTable.State.JOINING) == 0 || expired) {
                release(e.getKey(), served ? "a joining member is in service"
                        : expired ? "no joining member passed its first check within " + timeout.toMillis()
                        + " ms; they drain anyway" : "no member is joining any more");
                it.remove();
            }
        }
        failedFirst.keySet().removeIf(j -> !joining(j));
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            List<String> unjudged = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (Joiner j : p.joiners()) {
                if (failedFirst.containsKey(j)) {
                    failed.add(failedFirst.get(j));
                } else if (joining(j)) {
                    unjudged.add(state.slots().get(j.backend()).slots().get(indexOf(j)).address());
                }
            }
            boolean holding = false;
            for (String b : p.backends()) {
                holding |= heldSince.containsKey(b);
            }
            String failures = failed.isEmpty() ? null : String.join(", ", failed) + " failed the first check: in"
                    + " service once a check passes";
            if (unjudged.isEmpty() && !holding) {
                if (failures == null) {
                    changes.applied(p.ids());
                } else {
                    changes.applied(p.ids(), failures);
                }
                it.remove();
            } else if (now - p.deadlineNanos() > 0) {
                List<String> said = new ArrayList<>();
                if (!unjudged.isEmpty()) {
                    said.add(String.join(", ", unjudged) + " not checked within " + timeout.toMillis() + " ms");
                }
                if (failures != null) {
                    said.add(failures);
                }
                changes.applied(p.ids(), String.join("; ", said));
                it.remove();
            }
        }
        idle = pending.isEmpty() && heldSince.isEmpty();
        if (idle && tick != null) {
            tick.cancel(false);
            tick = null;
        }
    }

    /** Whether no change waits for joining members and no leaving member is held (may be read without the lock). */
    public boolean idle() {
        return idle;
    }

    /** The members held while leaving drain now: their backend serves, or waited long enough. */
    private void release(String backend, String why) {
        SlotTable table = state.slots().get(backend);
        SlotTable copy = table.copy();
        List<SlotTable.Change> released = new ArrayList<>();
        List<ServerCommands> drains = new ArrayList<>();
        Integer cap = reloads.capacity().get(backend);
        List<String> addresses = new ArrayList<>();
        for (Slot s : copy.slots()) {
            if (s.state == SlotTable.State.LEAVING) {
                released.add(new SlotTable.Change(s, s.state, s.ip, s.port, s.weight));
                s.state = SlotTable.State.DRAINING;
                s.generation++;
                addresses.add(s.address());
                if (cap != null && s.index <= cap) {
                    drains.add(ServerCommands.drain(backend, s.name, ServerCommands.LEAVE));
                }
            }
        }
        state.slots().put(backend, copy);
        state.nextVersion();
        file.stale();
        send(drains, "drain the members that left " + backend);
        if (cap != null) {
            runtime.watch(backend, released, cap);
        }
        events.emit(Verb.DRAIN, Backend.idOf(backend), String.join(", ", addresses) + " drain: " + why);
    }

    private void send(List<ServerCommands> commands, String what) {
        if (commands.isEmpty()) {
            return;
        }
        try {
            List<ServerCommands.Refusal> refused = runtime.send(commands);
            if (!refused.isEmpty()) {
                LOG.warn("haproxy - could not {}: {}", what, ChangeApplier.refusals(refused));
            }
        } catch (RuntimeApiException e) {
            LOG.warn("haproxy - could not {}: {}", what, e.getMessage());
        }
    }

    private void schedule() {
        idle = false;
        if (tick == null) {
            tick = scheduler.scheduleWithFixedDelay(lockedSettle, SETTLE_MS, SETTLE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether {@code sent} makes a member join in a slot the worker has: a change that then waits for it. */
    public static boolean joining(Map<String, List<SlotTable.Change>> sent, Map<String, Integer> capacity) {
        for (Map.Entry<String, List<SlotTable.Change>> e : sent.entrySet()) {
            int cap = capacity.getOrDefault(e.getKey(), 0);
            for (SlotTable.Change c : e.getValue()) {
                if (c.slot().state == SlotTable.State.JOINING && c.slot().index <= cap) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the slot of {@code j} still holds its member, joining. */
    private boolean joining(Joiner j) {
        SlotTable t = state.slots().get(j.backend());
        Slot s = t == null ? null : find(t, j.server());
        return s != null && s.state == SlotTable.State.JOINING && s.generation == j.generation();
    }

    private int indexOf(Joiner j) {
        return find(state.slots().get(j.backend()), j.server()).index - 1;
    }

    static Slot find(SlotTable table, String server) {
        for (Slot s : table.slots()) {
            if (s.name.equals(server)) {
                return s;
            }
        }
        return null;
    }
}
