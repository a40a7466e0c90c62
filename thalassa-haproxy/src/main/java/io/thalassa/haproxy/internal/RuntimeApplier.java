package io.thalassa.haproxy.internal;

import io.thalassa.RuntimeApiException;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
import io.thalassa.haproxy.internal.SlotTable.Change;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import java.time.Duration;
import java.util.ArrayList;
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
 * Sends the runtime commands of planned slot changes ({@link ServerCommands}) to the running worker in a few rounds
 * over one connection each ({@link RuntimeApi#batch}), and watches draining slots: once a leaving member has
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
     * Sends the commands of {@code servers} in rounds over one connection each: the first command of every server
     * (joins before leaves, see {@link ServerCommands}), then the second of those whose first HAProxy took, and so
     * on, so a server's commands stop at the first it refuses (a member whose address HAProxy refused is never made
     * ready on the placeholder). {@code add server} answers are checked for "New server registered", the others
     * like {@link RuntimeApi#run}.
     *
     * @return the commands HAProxy refused, one per server at most; empty when every command ran
     * @throws RuntimeApiException when HAProxy cannot be reached (some commands may have run)
     */
    public List<ServerCommands.Refusal> send(List<ServerCommands> servers) {
        List<ServerCommands.Refusal> refused = new ArrayList<>();
        for (int phase = ServerCommands.JOIN; phase <= ServerCommands.LEAVE; phase++) {
            List<ServerCommands> alive = new ArrayList<>();
            for (ServerCommands c : servers) {
                if (c.phase() == phase && !c.commands().isEmpty()) {
                    alive.add(c);
                }
            }
            for (int round = 0; !alive.isEmpty(); round++) {
                List<String> batch = new ArrayList<>(alive.size());
                for (ServerCommands c : alive) {
                    batch.add(c.commands().get(round));
                }
                List<String> answers = api.batch(batch);
                List<ServerCommands> next = new ArrayList<>(alive.size());
                for (int i = 0; i < answers.size(); i++) {
                    ServerCommands c = alive.get(i);
                    String command = batch.get(i);
                    String answer = answers.get(i).strip();
                    boolean ok = command.startsWith("add server ") ? RuntimeApi.isAdded(answer)
                            : !RuntimeApi.isError(answer);
                    if (!ok) {
                        refused.add(new ServerCommands.Refusal(c.backend(), c.server(), command, answer));
                    } else if (round + 1 < c.commands().size()) {
                        next.add(c);
                    }
                }
                alive = next;
            }
        }
        return refused;
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
