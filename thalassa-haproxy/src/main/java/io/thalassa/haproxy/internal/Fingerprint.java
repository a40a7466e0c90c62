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
 *
 * <p>Streamed: values are encoded as UTF-8 straight into a small buffer that feeds the digest, so a list of 100,000
 * server names is hashed while it is built, without a list or a string of them. {@link #beginList}, {@link #addString}
 * and {@link #endList} encode exactly what {@link #add} encodes for a list of strings. A fingerprint belongs to the
 * thread that started it until {@link #hex()}; each thread reuses its own digest and buffer.
 */
public final class Fingerprint {
    /** One fingerprint per thread is reused (its digest and buffer), as a rendering makes one per section. */
    private static final ThreadLocal<Fingerprint> REUSED = ThreadLocal.withInitial(Fingerprint::new);

    private final MessageDigest digest;
    private byte[] buffer = new byte[1024];
    private char[] chars = new char[256];
    private int length;
    private boolean inUse;

    private Fingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A fingerprint of {@code kind} (e.g. the section's name) followed by each part, in order. */
    public static String of(String kind, Object... parts) {
        Fingerprint f = start(kind);
        for (Object p : parts) {
            f.add(p);
        }
        return f.hex();
    }

    /** A fingerprint that starts with {@code kind}; add the parts, then {@link #hex()}. */
    public static Fingerprint start(String kind) {
        Fingerprint f = REUSED.get();
        if (f.inUse) { // one started on this thread is not finished: a fresh one
            f = new Fingerprint();
        }
        f.inUse = true;
        f.length = 0;
        f.digest.reset();
        return f.add(kind);
    }

    /** Adds a value: a map, a list, null or a scalar (its {@code toString()}). */
    public Fingerprint add(Object value) {
        if (value == null) {
            ascii('n');
        } else if (value instanceof Map<?, ?> map) {
            ascii('{');
            number(map.size());
            ascii(':');
            for (Map.Entry<?, ?> e : map.entrySet()) {
                add(e.getKey());
                add(e.getValue());
            }
            ascii('}');
        } else if (value instanceof List<?> list) {
            beginList(list.size());
            for (Object o : list) {
                add(o);
            }
            endList();
        } else if (value instanceof String s) {
            addString(s);
        } else {
            scalar('v', value.toString());
        }
        return this;
    }

    /** Starts a list of {@code size} values, which follow one by one; then {@link #endList()}. */
    public Fingerprint beginList(int size) {
        ascii('[');
        number(size);
        ascii(':');
        return this;
    }

    /** Adds one string, as {@link #add} does. */
    public Fingerprint addString(String s) {
        scalar('s', s);
        return this;
    }

    /** Ends a list started with {@link #beginList}. */
    public Fingerprint endList() {
        ascii(']');
        return this;
    }

    /** The fingerprint: the first 16 bytes of the digest, in hex. */
    public String hex() {
        flush();
        inUse = false;
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    private void scalar(char type, String s) {
        ascii(type);
        number(s.length());
        ascii(':');
        int n = s.length();
        if (n > 4096) { // a long value goes straight in
            flush();
            digest.update(s.getBytes(StandardCharsets.UTF_8));
            return;
        }
        room(n);
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        s.getChars(0, n, chars, 0);
        char[] cs = chars;
        byte[] out = buffer;
        int start = length;
        for (int i = 0; i < n; i++) {
            char c = cs[i];
            if (c >= 0x80) { // not ASCII: the whole value as UTF-8 (at most 3 bytes a char)
                length = start;
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                room(utf8.length);
                System.arraycopy(utf8, 0, buffer, length, utf8.length);
                length += utf8.length;
                return;
            }
            out[start + i] = (byte) c;
        }
        length = start + n;
    }

    private void number(int n) {
        int digits = 1;
        for (int rest = n / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits);
        for (int i = length + digits - 1, rest = n; i >= length; i--, rest /= 10) {
            buffer[i] = (byte) ('0' + rest % 10);
        }
        length += digits;
    }

    private void ascii(char c) {
        room(1);
        buffer[length++] = (byte) c;
    }

    /** Makes room for {@code n} (at most 16 KiB) bytes: grows the buffer up to 16 KiB, then flushes it. */
    private void room(int n) {
        if (length + n <= buffer.length) {
            return;
        }
        if (length + n <= 16_384) {
            byte[] grown = new byte[Math.max(Math.min(buffer.length * 2, 16_384), length + n)];
            System.arraycopy(buffer, 0, grown, 0, length);
            buffer = grown;
            return;
        }
        flush();
        if (n > buffer.length) {
            buffer = new byte[16_384];
        }
    }

    private void flush() {
        digest.update(buffer, 0, length);
        length = 0;
    }
}
