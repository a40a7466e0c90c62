package io.thalassa.haproxy.internal;

import io.thalassa.RuntimeApiException;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
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
 * Watches the members that wait in drain for their first check, and says when one passed, or failed its first: one
 * {@code show stat} poll per backend with joining members every 25 ms, whatever their number (a backend whose
 * watched members all failed their first check over 10 s ago: at most once a second, and at most 4 such backends a
 * poll). Leaving maintenance, HAProxy counts a server's check health at {@code rise} ("up, check at once"), so a
 * server in drain only reaches the top of its health ({@code rise + fall - 1}) through a check that passed, and 0
 * through one that failed; a server without a check is ready at once. A member whose check failed stays watched until
 * one passes. Thread-safe; the listener is called on the scheduler's thread, without this object's lock.
 */
public final class JoinGate {
    private static final Logger LOG = LoggerFactory.getLogger(JoinGate.class);
    private static final long POLL_MS = 25;
    /**
     * How often a backend is polled whose watched members have all failed their first check, over {@link #FAST_MS}
     * ago: a backend of members that stay down (a thousand of them after a start) would otherwise make every poll as
     * long as a row of round trips per backend, and a joining member elsewhere wait that long.
     */
    private static final long FAILED_POLL_MS = 1000;
    /** How long a member that failed its first check is still polled every round. */
    private static final long FAST_MS = 10_000;
    /** At most this many such backends a poll: the rest wait their turn (750 of them: each every 4.7 s). */
    private static final int FAILED_PER_ROUND = 4;

    /** Told what became of a watched member's checks. */
    public interface Listener {
        /** A check passed: the member may serve (it stops being watched). */
        void passed(String backend, String server, long generation, long waitedMillis);

        /** Its first check failed ({@code checkStatus}, e.g. {@code L4CON}); it stays watched until one passes. */
        void failed(String backend, String server, long generation, String checkStatus);
    }

    private record Watch(long generation, long startedNanos, boolean failedTold) {
    }

    private final RuntimeApi api;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final Map<String, Map<String, Watch>> joins = new HashMap<>(); // guarded by this
    private ScheduledFuture<?> tick; // guarded by this
    private final Map<String, Long> lastPolled = new HashMap<>(); // the poll's own (one run at a time)

    public JoinGate(RuntimeApi api, ScheduledExecutorService scheduler, Listener listener) {
        this.api = api;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /** Watches {@code server} of {@code backend}, holding the member of slot generation {@code generation}. */
    public synchronized void watch(String backend, String server, long generation) {
        joins.computeIfAbsent(backend, k -> new LinkedHashMap<>()).put(server, new Watch(generation,
                System.nanoTime(), false));
        if (tick == null) {
            tick = scheduler.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops watching {@code server}: its slot holds another member now, or none. */
    public synchronized void unwatch(String backend, String server) {
        Map<String, Watch> m = joins.get(backend);
        if (m != null && m.remove(server) != null && m.isEmpty()) {
            joins.remove(backend);
        }
    }

    /** Members watched now. */
    public synchronized int watched() {
        int n = 0;
        for (Map<String, Watch> m : joins.values()) {
            n += m.size();
        }
        return n;
    }

    /**
     * Whether a server's {@code show stat} row says its check passed since it left maintenance: at the top of its
     * health, out of maintenance; or it has no check.
     */
    static boolean passed(StatRow row) {
        Map<String, String> f = row.fields();
        if (row.status().startsWith("MAINT")) {
            return false;
        }
        String status = f.getOrDefault("check_status", "");
        if (status.isEmpty()) {
            return true; // not checked: nothing to wait for
        }
        int health = number(f.get("check_health"));
        int rise = number(f.get("check_rise"));
        int fall = number(f.get("check_fall"));
        if (health < 0 || rise < 1 || fall < 1) {
            return false;
        }
        if (fall == 1) { // the top is rise, where leaving maintenance puts it: the check's own word
            return health >= rise && status.endsWith("OK") && !status.startsWith("INI");
        }
        return health >= rise + fall - 1;
    }

    /** Whether a server's row says a check failed since it left maintenance: its health at 0, checked. */
    static boolean failed(StatRow row) {
        String status = row.fields().getOrDefault("check_status", "");
        return !row.status().startsWith("MAINT") && !status.isEmpty() && !status.startsWith("INI")
                && number(row.fields().get("check_health")) == 0;
    }

    /**
     * Whether a watched member has failed its first check and has been watched for longer than {@link #FAST_MS}: one
     * that stays down. A member whose first check failed under load (a timeout) is still polled every round then.
     */
    private static boolean settledDown(Watch w, long now) {
        return w.failedTold() && now - w.startedNanos() > TimeUnit.MILLISECONDS.toNanos(FAST_MS);
    }

    private static int number(String s) {
        try {
            return s == null ? -1 : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void poll() {
        Map<String, Map<String, Watch>> snapshot = new HashMap<>();
        synchronized (this) {
            if (joins.isEmpty()) {
                if (tick != null) {
                    tick.cancel(false);
                    tick = null;
                }
                return;
            }
            joins.forEach((b, m) -> snapshot.put(b, new LinkedHashMap<>(m)));
        }
        long now = System.nanoTime();
        lastPolled.keySet().retainAll(snapshot.keySet());
        // backends with a member whose first check is still to come: every round; those whose members all failed
        // theirs: at most FAILED_PER_ROUND a round, the longest unpolled first, each at most once a second
        List<String> failedOnly = new ArrayList<>();
        for (Map.Entry<String, Map<String, Watch>> e : snapshot.entrySet()) {
            if (e.getValue().values().stream().allMatch(w -> settledDown(w, now))) {
                failedOnly.add(e.getKey());
            }
        }
        failedOnly.removeIf(b -> lastPolled.containsKey(b)
                && now - lastPolled.get(b) < TimeUnit.MILLISECONDS.toNanos(FAILED_POLL_MS));
        failedOnly.sort(java.util.Comparator.comparingLong(b -> lastPolled.getOrDefault(b, Long.MIN_VALUE)));
        java.util.Set<String> failedDue = new java.util.HashSet<>(failedOnly.subList(0,
                Math.min(FAILED_PER_ROUND, failedOnly.size())));
        snapshot.forEach((backend, servers) -> {
            if (!failedDue.contains(backend) && servers.values().stream().allMatch(w -> settledDown(w, now))) {
                return;
            }
            lastPolled.put(backend, now);
            List<String> passed = new ArrayList<>();
            Map<String, String> failed = new LinkedHashMap<>();
            try {
                List<StatRow> rows = api.showServerStats(backend);
                if (rows.isEmpty()) { // the worker has no such backend (any more): nothing to wait for there
                    synchronized (this) {
                        joins.remove(backend);
                    }
                    return;
                }
                for (StatRow r : rows) {
                    Watch w = servers.get(r.name());
                    if (w != null && passed(r)) {
                        passed.add(r.name());
                    } else if (w != null && !w.failedTold() && failed(r)) {
                        failed.put(r.name(), r.checkStatus());
                    }
                }
            } catch (RuntimeApiException e) {
                LOG.debug("haproxy - join poll of backend {} failed: {}", backend, e.getMessage());
                return;
            }
            failed.forEach((server, status) -> {
                Watch w = servers.get(server);
                synchronized (this) {
                    Map<String, Watch> m = joins.get(backend);
                    if (m == null || !w.equals(m.get(server))) {
                        return;
                    }
                    m.put(server, new Watch(w.generation(), w.startedNanos(), true));
                }
                try {
                    listener.failed(backend, server, w.generation(), status);
                } catch (RuntimeException e) {
                    LOG.warn("haproxy - reporting {}/{}'s failed check failed", backend, server, e);
                }
            });
            for (String server : passed) {
                Watch w = servers.get(server);
                synchronized (this) {
                    Map<String, Watch> m = joins.get(backend);
                    if (m == null || m.get(server) == null || m.get(server).generation() != w.generation()) {
                        continue;
                    }
                    m.remove(server);
                    if (m.isEmpty()) {
                        joins.remove(backend);
                    }
                }
                try {
                    listener.passed(backend, server, w.generation(), TimeUnit.NANOSECONDS.toMillis(now
                            - w.startedNanos()));
                } catch (RuntimeException e) {
                    LOG.warn("haproxy - readying {}/{} failed", backend, server, e);
                }
            }
        });
    }
}
