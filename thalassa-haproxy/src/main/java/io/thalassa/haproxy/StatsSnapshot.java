package io.thalassa.haproxy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What HAProxy reported at one moment, per frontend, backend and server; immutable.
 *
 * @param time      when the stats were read
 * @param frontends by frontend name (the stats listener included)
 * @param backends  by backend name, each with its servers
 */
public record StatsSnapshot(Instant time, Map<String, FrontendStats> frontends, Map<String, BackendStats> backends) {
    public StatsSnapshot {
        frontends = Map.copyOf(frontends);
        backends = Map.copyOf(backends);
    }

    /** A frontend: status, current and max sessions, request rate. */
    public record FrontendStats(String name, String status, long currentSessions, long maxSessions,
            long requestRate, long sessionRate) {
    }

    /** A backend: status, healthy and total servers (placeholder slots not counted), and its servers. */
    public record BackendStats(String name, String status, int healthy, int total, long currentSessions,
            List<ServerStats> servers) {
        public BackendStats {
            servers = List.copyOf(servers);
        }
    }

    /**
     * A server: its status ({@code UP}, {@code DOWN}, {@code MAINT}, {@code DRAIN}...), last check result, sessions,
     * its address ({@code addr}, {@code ip:port}) and weight.
     */
    public record ServerStats(String name, String status, String checkStatus, long currentSessions,
            long totalSessions, String address, int weight) {
    }

    /**
     * Builds a snapshot from {@code show stat} rows.
     *
     * @param placeholder tells the servers that stand for no member (empty slots); they are left out
     */
    public static StatsSnapshot of(Instant time, List<StatRow> rows, java.util.function.Predicate<StatRow> placeholder) {
        Map<String, FrontendStats> frontends = new TreeMap<>();
        Map<String, List<ServerStats>> servers = new TreeMap<>();
        Map<String, StatRow> backendRows = new TreeMap<>();
        for (StatRow r : rows) {
            switch (r.type()) {
                case FRONTEND -> frontends.put(r.proxy(), new FrontendStats(r.proxy(), r.status(),
                        r.currentSessions(), r.maxSessions(), r.requestRate(), r.sessionRate()));
                case BACKEND -> backendRows.put(r.proxy(), r);
                case SERVER -> {
                    if (!placeholder.test(r)) {
                        servers.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(new ServerStats(r.name(),
                                r.status(), r.checkStatus(), r.currentSessions(), r.totalSessions(),
                                r.fields().getOrDefault("addr", ""), weight(r.fields().get("weight"))));
                    }
                }
                default -> {
                }
            }
        }
        Map<String, BackendStats> backends = new TreeMap<>();
        backendRows.forEach((name, r) -> {
            List<ServerStats> list = servers.getOrDefault(name, List.of());
            int healthy = 0;
            for (ServerStats s : list) {
                if (s.status().startsWith("UP") || s.status().equals("no check") || s.status().startsWith("DRAIN")) {
                    healthy++;
                }
            }
            backends.put(name, new BackendStats(name, r.status(), healthy, list.size(), r.currentSessions(), list));
        });
        return new StatsSnapshot(time, frontends, backends);
    }

    private static int weight(String value) {
        try {
            return value == null || value.isEmpty() ? -1 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
