package io.thalassa.haproxy.internal;

import io.thalassa.Member;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
import io.thalassa.haproxy.StatsSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code show stat} every stats interval, keeps the latest snapshot (empty slots left out) and hands it to its
 * listeners; reports once when stats cannot be read and once when they can again.
 *
 * <p>Bounded work per poll: up to {@value #ALL_AT_ONCE} servers, everything is read each time. Above that, each poll
 * reads every frontend and backend row and the servers of the next backends in turn, about {@value #SERVERS_PER_POLL}
 * of them (one {@code show stat <backend id> 4 -1} each, batched on one connection), and keeps the last rows of the
 * others: at 15,000 servers a server's row is at most 16 polls (32 s) old. One dump of every server at that size costs HAProxy
 * and the JVM about 100 ms each time (measured, docs/benchmarks.md "Scale"), which showed in request latency, as a
 * dump takes a HAProxy thread from the requests it serves.
 */
public final class StatsPoller {
    private static final Logger LOG = LoggerFactory.getLogger(StatsPoller.class);
    private static final String PLACEHOLDER = Member.addressOf(SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT);

    /** Told when reading stats starts failing ({@code ok == false}) and when it works again. */
    @FunctionalInterface
    public interface HealthListener {
        void changed(boolean ok, String detail);
    }

    private final RuntimeApi api;
    private final HealthListener health;
    private final List<Consumer<StatsSnapshot>> listeners = new CopyOnWriteArrayList<>();
    static final int ALL_AT_ONCE = 5_000;
    static final int SERVERS_PER_POLL = 1_000;
    private volatile StatsSnapshot last;
    private volatile boolean failing;
    // only the poll thread touches these
    private long knownServers;
    private final Map<String, List<StatRow>> serverRows = new HashMap<>();
    private int cursor;

    public StatsPoller(RuntimeApi api, HealthListener health) {
        this.api = api;
        this.health = health;
    }

    public void addListener(Consumer<StatsSnapshot> listener) {
        listeners.add(listener);
    }

    public Optional<StatsSnapshot> last() {
        return Optional.ofNullable(last);
    }

    private List<StatRow> all() {
        List<StatRow> rows = api.showStat();
        long servers = 0;
        for (StatRow r : rows) {
            if (r.type() == StatRow.Type.SERVER) {
                servers++;
            }
        }
        knownServers = servers;
        serverRows.clear();
        if (servers > ALL_AT_ONCE) {
            for (StatRow r : rows) {
                if (r.type() == StatRow.Type.SERVER) {
                    serverRows.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(r);
                }
            }
        }
        return rows;
    }

    private List<StatRow> inTurn() {
        List<StatRow> head = api.showProxyStats();
        List<String> backends = new ArrayList<>();
        Map<String, String> ids = new HashMap<>(); // by id, not by name: a frontend may have the same name
        for (StatRow r : head) {
            if (r.type() == StatRow.Type.BACKEND) {
                backends.add(r.proxy());
                ids.put(r.proxy(), RuntimeApi.proxyId(r));
            }
        }
        serverRows.keySet().retainAll(new HashSet<>(backends));
        List<String> chosen = new ArrayList<>();
        long budget = 0;
        for (int i = 0; i < backends.size() && budget < SERVERS_PER_POLL; i++) {
            String b = backends.get((cursor + i) % backends.size());
            List<StatRow> known = serverRows.get(b);
            budget += known == null ? 32 : Math.max(1, known.size());
            chosen.add(b);
        }
        cursor = backends.isEmpty() ? 0 : (cursor + chosen.size()) % backends.size();
        Map<String, List<StatRow>> fresh = new HashMap<>();
        for (StatRow r : api.showServerStats(chosen.stream().map(ids::get).toList())) {
            fresh.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(r);
        }
        for (String b : chosen) {
            serverRows.put(b, fresh.getOrDefault(b, List.of()));
        }
        List<StatRow> rows = new ArrayList<>(head);
        long servers = 0;
        for (List<StatRow> list : serverRows.values()) {
            rows.addAll(list);
            servers += list.size();
        }
        knownServers = servers;
        return rows;
    }

    /** One poll; never throws. */
    public void poll() {
        try {
            List<StatRow> rows = knownServers <= ALL_AT_ONCE ? all() : inTurn();
            StatsSnapshot snapshot = StatsSnapshot.of(Instant.now(), rows,
                    r -> PLACEHOLDER.equals(r.fields().get("addr")));
            last = snapshot;
            if (failing) {
                failing = false;
                health.changed(true, "stats readable again");
            }
            for (Consumer<StatsSnapshot> l : listeners) {
                try {
                    l.accept(snapshot);
                } catch (RuntimeException e) {
                    LOG.warn("haproxy - stats listener failed", e);
                }
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                health.changed(false, "cannot read stats: " + e.getMessage());
            }
        }
    }
}
