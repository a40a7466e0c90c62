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
        if (!(fields instanceof LineFields)) {
            fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /**
     * Parses {@code show stat}'s CSV, whose header line starts with {@code # }. Light on memory, as it runs every
     * stats interval on thousands of rows: a row keeps its CSV line and where each field starts; {@link #fields()}
     * reads from that line.
     */
    public static List<StatRow> parseCsv(String csv) {
        List<StatRow> rows = new ArrayList<>();
        Header header = null;
        int start = 0;
        while (start < csv.length()) {
            int end = csv.indexOf('\n', start);
            if (end < 0) {
                end = csv.length();
            }
            String line = csv.substring(start, end);
            start = end + 1;
            if (line.startsWith("# ")) {
                header = new Header(line.substring(2).split(",", -1));
                continue;
            }
            if (line.isBlank() || header == null) {
                continue;
            }
            LineFields f = new LineFields(header, line);
            Type type = switch (f.value(header.index("type"))) {
                case "0" -> Type.FRONTEND;
                case "1" -> Type.BACKEND;
                case "2" -> Type.SERVER;
                case "3" -> Type.LISTENER;
                default -> null;
            };
            if (type == null) {
                continue;
            }
            rows.add(new StatRow(f.text("pxname"), f.text("svname"), type, f.text("status"), f.number("scur"),
                    f.number("smax"), f.number("stot"), f.number("rate"), f.number("req_rate"),
                    f.text("check_status"), f.number("act"), f));
        }
        return rows;
    }

    /** The field names of a CSV header and their positions, shared by every row under it. */
    private static final class Header {
        final String[] names;
        final Map<String, Integer> positions = new java.util.HashMap<>();

        Header(String[] names) {
            this.names = names;
            for (int i = 0; i < names.length; i++) {
                if (!names[i].isEmpty()) {
                    positions.putIfAbsent(names[i], i);
                }
            }
        }

        int index(String name) {
            return positions.getOrDefault(name, -1);
        }
    }

    /** The fields of one CSV line, read from the line on demand (no map per row). */
    private static final class LineFields extends java.util.AbstractMap<String, String> {
        private final Header header;
        private final String line;
        private final int[] starts; // starts[i]: where field i begins; starts[i + 1] - 1: where it ends
        private final int present; // fields on this line (at most the header's)

        LineFields(Header header, String line) {
            this.header = header;
            this.line = line;
            int[] s = new int[header.names.length + 1];
            int n = 0;
            s[n++] = 0;
            for (int i = 0; i < line.length() && n < s.length; i++) {
                if (line.charAt(i) == ',') {
                    s[n++] = i + 1;
                }
            }
            int fields = n; // fields present on this line (at most the header's)
            while (n < s.length) {
                s[n++] = line.length() + 1;
            }
            this.starts = s;
            this.present = fields;
        }

        String value(int i) {
            if (i < 0 || i >= present) {
                return "";
            }
            int end = Math.min(starts[i + 1] - 1, line.length());
            return starts[i] >= end ? "" : line.substring(starts[i], end);
        }

        String text(String name) {
            return value(header.index(name));
        }

        long number(String name) {
            String v = text(name);
            if (v.isEmpty()) {
                return 0;
            }
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        @Override
        public String get(Object key) {
            Integer i = key instanceof String k ? header.positions.get(k) : null;
            return i == null || i >= present ? null : value(i);
        }

        @Override
        public boolean containsKey(Object key) {
            Integer i = key instanceof String k ? header.positions.get(k) : null;
            return i != null && i < present;
        }

        @Override
        public java.util.Set<Map.Entry<String, String>> entrySet() {
            Map<String, String> all = new LinkedHashMap<>();
            for (int i = 0; i < header.names.length && i < present; i++) {
                if (!header.names[i].isEmpty()) {
                    all.putIfAbsent(header.names[i], value(i));
                }
            }
            return Collections.unmodifiableMap(all).entrySet();
        }
    }
}
