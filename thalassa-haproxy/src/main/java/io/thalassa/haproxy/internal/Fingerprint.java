package io.thalassa.haproxy.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * SHA-256 of a template view (maps, lists, scalars), encoded without ambiguity: every scalar carries its length, so
 * {@code ["a, b"]} and {@code ["a", "b"]} differ. Two views hash equal only when the template gets equal values.
 */
public final class Fingerprint {
    private final MessageDigest digest;
    private final StringBuilder buffer = new StringBuilder(256);

    private Fingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A fingerprint of {@code kind} (e.g. the section's name) followed by each part, in order. */
    public static String of(String kind, Object... parts) {
        Fingerprint f = new Fingerprint();
        f.add(kind);
        for (Object p : parts) {
            f.add(p);
        }
        return f.hex();
    }

    private void add(Object value) {
        if (value == null) {
            buffer.append('n');
        } else if (value instanceof Map<?, ?> map) {
            buffer.append('{').append(map.size()).append(':');
            for (Map.Entry<?, ?> e : map.entrySet()) {
                add(e.getKey());
                add(e.getValue());
            }
            buffer.append('}');
        } else if (value instanceof List<?> list) {
            buffer.append('[').append(list.size()).append(':');
            for (Object o : list) {
                add(o);
            }
            buffer.append(']');
        } else {
            String s = value.toString();
            buffer.append(value instanceof String ? 's' : 'v').append(s.length()).append(':').append(s);
        }
        if (buffer.length() > 8192) {
            flush();
        }
    }

    private void flush() {
        digest.update(buffer.toString().getBytes(StandardCharsets.UTF_8));
        buffer.setLength(0);
    }

    private String hex() {
        flush();
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }
}
