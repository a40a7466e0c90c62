package io.thalassa.haproxy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code show stat}: a frontend, a backend or a server.
 *
 * @param proxy           the frontend or backend ({@code pxname})
 * @param name            {@code FRONTEND}, {@code BACKEND} or the server name ({@code svname})
 * @param type            what the row describes
 * @param status          {@code OPEN}, {@code UP}, {@code DOWN}, {@code MAINT}, {@code DRAIN}, {@code no check}...
 * @param currentSessions {@code scur}
 * @param maxSessions     {@code smax}
 * @param totalSessions   {@code stot}
 * @param sessionRate     {@code rate}: sessions per second over the last second
 * @param requestRate     {@code req_rate}: HTTP requests per second (frontends), 0 when not reported
 * @param checkStatus     {@code check_status} of a server, empty when none
 * @param activeServers   {@code act}: active servers (backends: the healthy count; servers: 1 if active)
 * @param fields          every field of the row by its CSV name
 */
public record StatRow(String proxy, String name, Type type, String status, long currentSessions, long maxSessions,
        long totalSessions, long sessionRate, long requestRate, String checkStatus, long activeServers,
        Map<String, String> fields) {

    /** What a row describes ({@code type} column: 0, 1, 2, 3). */
    public enum Type {
        FRONTEND, BACKEND, SERVER, LISTENER
    }

    public StatRow {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Parses {@code show stat}'s CSV, whose header line starts with {@code # }. */
    public static List<StatRow> parseCsv(String csv) {
        List<StatRow> rows = new ArrayList<>();
        String[] header = null;
        for (String line : csv.split("\n")) {
            if (line.startsWith("# ")) {
                header = line.substring(2).split(",", -1);
                continue;
            }
            if (line.isBlank() || header == null) {
                continue;
            }
            String[] values = line.split(",", -1);
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 0; i < header.length && i < values.length; i++) {
                if (!header[i].isEmpty()) {
                    f.put(header[i], values[i]);
                }
            }
            Type type = switch (f.getOrDefault("type", "")) {
                case "0" -> Type.FRONTEND;
                case "1" -> Type.BACKEND;
                case "2" -> Type.SERVER;
                case "3" -> Type.LISTENER;
                default -> null;
            };
            if (type == null) {
                continue;
            }
            rows.add(new StatRow(f.getOrDefault("pxname", ""), f.getOrDefault("svname", ""), type,
                    f.getOrDefault("status", ""), number(f, "scur"), number(f, "smax"), number(f, "stot"),
                    number(f, "rate"), number(f, "req_rate"), f.getOrDefault("check_status", ""), number(f, "act"),
                    f));
        }
        return rows;
    }

    private static long number(Map<String, String> f, String key) {
        String v = f.get(key);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
