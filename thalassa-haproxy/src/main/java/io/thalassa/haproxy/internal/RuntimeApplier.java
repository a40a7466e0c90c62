package io.thalassa.haproxy.internal;

import io.thalassa.RuntimeApiException;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.RuntimeApi.ServerState;
import io.thalassa.haproxy.StatRow;
import io.thalassa.haproxy.internal.SlotTable.Change;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns planned slot changes into runtime API commands for the servers the running worker has, sends the commands of
 * one change over one connection ({@link RuntimeApi#batch}), and watches draining slots: once a leaving member has
 * no session left (or the drain timeout passed) it reports the slot, which the controller then empties. One poll of
 * {@code show stat} per backend with drains, every 25 ms, whatever the number of draining servers.
 */
public final class RuntimeApplier {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeApplier.class);
    private static final long DRAIN_POLL_MS = 25;

    /** Told when a draining slot is done; called on the scheduler thread. */
    @FunctionalInterface
    public interface DrainListener {
        void drained(String backend, String server, long generation, long millis, long sessionsLeft,
                boolean timedOut);
    }

    private record Drain(long generation, long startedNanos) {
    }

    private final RuntimeApi api;
    private final ScheduledExecutorService scheduler;
    private final Duration drainTimeout;
    private final DrainListener listener;
    private final Map<String, Map<String, Drain>> drains = new HashMap<>(); // guarded by this
    private ScheduledFuture<?> tick; // guarded by this

    public RuntimeApplier(RuntimeApi api, ScheduledExecutorService scheduler, Duration drainTimeout,
            DrainListener listener) {
        this.api = api;
        this.scheduler = scheduler;
        this.drainTimeout = drainTimeout;
        this.listener = listener;
    }

    /**
     * The commands for one backend's slot changes, members that join (and weight changes) before those that leave
     * (the backend never has no server in between); a joining member gets its weight before it is made ready; slots
     * past {@code runningCapacity} are left out (they come with the next reload).
     */
    public static List<String> commands(String backend, List<Change> changes, int runningCapacity) {
        List<Change> ordered = new ArrayList<>(changes);
        ordered.sort(Comparator.comparing(c -> c.slot().state != SlotTable.State.ACTIVE));
        List<String> out = new ArrayList<>(ordered.size() * 2);
        for (Change c : ordered) {
            Slot s = c.slot();
            if (s.index > runningCapacity) {
                continue;
            }
            switch (s.state) {
                case ACTIVE -> {
                    if (c.fromState() == SlotTable.State.FREE) {
                        out.add(RuntimeApi.setServerAddressCommand(backend, s.name, s.ip, s.port));
                    }
                    if (s.weight != c.fromWeight()) {
                        out.add(RuntimeApi.setServerWeightCommand(backend, s.name, s.weight));
                    }
                    if (c.fromState() != SlotTable.State.ACTIVE) {
                        out.add(RuntimeApi.setServerStateCommand(backend, s.name, ServerState.READY));
                    }
                }
                case DRAINING -> out.add(RuntimeApi.setServerStateCommand(backend, s.name, ServerState.DRAIN));
                case FREE -> out.addAll(emptySlot(backend, s.name));
                default -> throw new IllegalStateException("slot state " + s.state);
            }
        }
        return out;
    }

    /** Maintenance and the placeholder address: what an empty slot is at run time. */
    public static List<String> emptySlot(String backend, String server) {
        return List.of(RuntimeApi.setServerStateCommand(backend, server, ServerState.MAINT),
                RuntimeApi.setServerAddressCommand(backend, server, SlotTable.PLACEHOLDER_IP,
                        SlotTable.PLACEHOLDER_PORT));
    }

    /** {@code add server} (a disabled placeholder with the backend's check) and {@code enable health} per slot. */
    public static List<String> growth(String backend, List<Slot> added, long interMillis) {
        List<String> out = new ArrayList<>(added.size() * 2);
        for (Slot s : added) {
            out.add(RuntimeApi.addServerCommand(backend, s.name, SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT,
                    List.of("check", "inter", Long.toString(interMillis))));
            out.add(RuntimeApi.enableHealthCommand(backend, s.name));
        }
        return out;
    }

    /**
     * Sends {@code commands} over one connection; {@code add server} answers are checked for "New server
     * registered", the others like {@link RuntimeApi#run}.
     *
     * @throws RuntimeApiException naming every command HAProxy refused (the others did run)
     */
    public void send(List<String> commands) {
        if (commands.isEmpty()) {
            return;
        }
        List<String> answers = api.batch(commands);
        StringBuilder refused = new StringBuilder();
        for (int i = 0; i < answers.size(); i++) {
            String c = commands.get(i);
            String a = answers.get(i).strip();
            boolean ok = c.startsWith("add server ") ? RuntimeApi.isAdded(a) : !RuntimeApi.isError(a);
            if (!ok) {
                refused.append(refused.length() == 0 ? "" : "; ").append('\'').append(c).append("': ").append(a);
            }
        }
        if (refused.length() > 0) {
            throw new RuntimeApiException("HAProxy refused " + refused);
        }
    }

    /** Watches the draining slots of a change until they have no session or the drain timeout passes. */
    public synchronized void watch(String backend, List<Change> changes, int runningCapacity) {
        long now = System.nanoTime();
        for (Change c : changes) {
            Slot s = c.slot();
            if (s.state == SlotTable.State.DRAINING && s.index <= runningCapacity) {
                drains.computeIfAbsent(backend, k -> new LinkedHashMap<>()).put(s.name, new Drain(s.generation, now));
            }
        }
        if (!drains.isEmpty() && tick == null) {
            tick = scheduler.scheduleWithFixedDelay(this::poll, DRAIN_POLL_MS, DRAIN_POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Forgets every drain (a reload or restart hands in-flight requests to the old worker). */
    public synchronized void forgetAll() {
        drains.clear();
    }

    private void poll() {
        Map<String, Map<String, Drain>> snapshot;
        synchronized (this) {
            if (drains.isEmpty()) {
                if (tick != null) {
                    tick.cancel(false);
                    tick = null;
                }
                return;
            }
            snapshot = new HashMap<>();
            drains.forEach((b, m) -> snapshot.put(b, new LinkedHashMap<>(m)));
        }
        long now = System.nanoTime();
        snapshot.forEach((backend, servers) -> {
            Map<String, Long> sessions = new HashMap<>();
            try {
                for (StatRow r : api.showServerStats(backend)) {
                    sessions.put(r.name(), r.currentSessions());
                }
            } catch (RuntimeApiException e) {
                LOG.debug("haproxy - drain poll of backend {} failed: {}", backend, e.getMessage());
            }
            servers.forEach((server, d) -> {
                long left = sessions.getOrDefault(server, -1L);
                boolean timedOut = now - d.startedNanos() > drainTimeout.toNanos();
                if (left > 0 && !timedOut) {
                    return;
                }
                synchronized (this) {
                    Map<String, Drain> m = drains.get(backend);
                    if (m == null || !d.equals(m.get(server))) {
                        return;
                    }
                    m.remove(server);
                    if (m.isEmpty()) {
                        drains.remove(backend);
                    }
                }
                try {
                    listener.drained(backend, server, d.generation(), TimeUnit.NANOSECONDS.toMillis(now
                            - d.startedNanos()), Math.max(0, left), timedOut && left > 0);
                } catch (RuntimeException e) {
                    LOG.warn("haproxy - drain completion of {}/{} failed", backend, server, e);
                }
            });
        });
    }
}
