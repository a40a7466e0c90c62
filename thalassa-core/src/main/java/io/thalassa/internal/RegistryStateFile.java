package io.thalassa.internal;

import io.thalassa.spi.Registration;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded registry's state file: a header line, then one registration a line as
 * {@code <name> <version> <host> <port> <lastKnown epoch ms> <expiresAt epoch ms> <meta as a JSON object>}.
 * Name, version and host never hold spaces (they are validated); the meta JSON escapes every control character, so a
 * line never breaks. Written to a temporary file in the same directory, forced to disk, then moved over the old one
 * atomically.
 */
public final class RegistryStateFile {
    static final String HEADER = "thalassa-registry-state 1";

    private RegistryStateFile() {
    }

    /**
     * Reads the registrations of a state file; a missing or empty file holds none.
     *
     * @throws IllegalStateException naming the file and line when the file cannot be read or is not a state file
     */
    public static List<Registration> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("registry state file " + file + " cannot be read: " + e, e);
        }
        List<Registration> out = new ArrayList<>();
        boolean header = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                if (!header) {
                    if (!line.equals(HEADER)) {
                        throw new IllegalArgumentException("expected the header " + Checks.quote(HEADER) + " but found "
                                + Checks.quote(line));
                    }
                    header = true;
                    continue;
                }
                out.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalStateException("registry state file " + file + " line " + (i + 1) + " is corrupt ("
                        + e.getMessage() + "); fix or remove the file", e);
            }
        }
        return out;
    }

    private static Registration parseLine(String line) {
        String[] f = line.split(" ", 7);
        if (f.length != 7) {
            throw new IllegalArgumentException("expected 7 fields, found " + f.length);
        }
        int port = Integer.parseInt(f[3]);
        Instant lastKnown = Instant.ofEpochMilli(Long.parseLong(f[4]));
        Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(f[5]));
        Object meta;
        try {
            meta = JsonText.parse(f[6]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("meta JSON: " + e.getMessage(), e);
        }
        if (!(meta instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("meta must be a JSON object: " + Checks.quote(f[6]));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> metaMap = (Map<String, Object>) m;
        return new Registration(f[0], f[1], f[2], port, metaMap, Duration.between(lastKnown, expiresAt), lastKnown);
    }

    /** One line of the file for a registration (without the line break). */
    static String line(Registration r) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(r.name()).append(' ').append(r.version()).append(' ').append(r.host()).append(' ').append(r.port())
                .append(' ').append(r.lastKnown().toEpochMilli()).append(' ').append(r.expiresAt().toEpochMilli())
                .append(' ');
        writeJson(sb, r.meta(), 0);
        return sb.toString();
    }

    /** Writes all registrations atomically: temporary file in the same directory, fsync, atomic move. */
    public static void write(Path file, Collection<Registration> registrations) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(
                            java.nio.channels.Channels.newOutputStream(ch), StandardCharsets.UTF_8))) {
                w.write("# Thalassa embedded registry: <name> <version> <host> <port> <lastKnown ms> <expiresAt ms>"
                        + " <meta JSON>\n");
                w.write(HEADER);
                w.write('\n');
                for (Registration r : registrations) {
                    w.write(line(r));
                    w.write('\n');
                }
                w.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + file + " cannot replace files atomically", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // --- the meta values' writer: objects, arrays, strings, numbers, booleans, null; read back by JsonText. Not
    // JsonText's writer: a line of this file must stay one line and valid UTF-8 for any value a registration brings,
    // so it escapes DEL, U+2028/2029 and lone surrogates too and writes what is not plain JSON as text ---

    private static final int MAX_DEPTH = 32;

    static void writeJson(StringBuilder sb, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("meta is nested deeper than " + MAX_DEPTH);
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                sb.append(v instanceof BigDecimal bd ? bd.toString() : Double.toString(d));
            } else {
                writeString(sb, String.valueOf(v));
            }
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeString(sb, String.valueOf(e.getKey()));
                sb.append(':');
                writeJson(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeJson(sb, o, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Object[] a) {
            writeJson(sb, List.of(a), depth);
        } else {
            writeString(sb, String.valueOf(v));
        }
    }

    private static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
                            && !validSurrogateAt(s, i)) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Whether the surrogate at i is half of a well-formed pair (lone halves would not survive UTF-8). */
    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
