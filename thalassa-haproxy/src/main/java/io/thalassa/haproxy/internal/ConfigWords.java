package io.thalassa.haproxy.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** How values become words of haproxy.cfg: quoting that HAProxy reads back literally, and content-derived names. */
public final class ConfigWords {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private ConfigWords() {
    }

    /**
     * The value as one haproxy.cfg word, read back by HAProxy exactly as given: unchanged when it holds no space,
     * quote, backslash, {@code #} or {@code $}; otherwise in single quotes (where HAProxy takes every character
     * literally), with each single quote written as {@code '\''}.
     */
    public static String quote(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = !(Character.isWhitespace(c) || c == '\'' || c == '"' || c == '\\' || c == '#' || c == '$');
        }
        if (plain) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /**
     * The value as an ACL pattern: {@link #quote quoted}, and after {@code --} when it begins with {@code -}, which
     * HAProxy would otherwise read as one of its ACL flags ({@code -i}, {@code -m}, {@code -f <file>}, {@code -M}...)
     * whether quoted or not: {@code path_beg -- -i}. Other values are exactly {@link #quote}'s.
     */
    public static String pattern(String value) {
        String quoted = quote(value);
        return value.startsWith("-") ? "-- " + quoted : quoted;
    }

    /** A short lowercase base32 digest of the parts: the same parts always give the same name. */
    public static String digest(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update((p == null ? "" : p).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            byte[] hash = sha.digest();
            StringBuilder sb = new StringBuilder(8);
            long bits = 0;
            for (int i = 0; i < 5; i++) {
                bits = bits << 8 | (hash[i] & 0xff);
            }
            for (int i = 7; i >= 0; i--) {
                sb.append(BASE32[(int) (bits >>> (i * 5)) & 31]);
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
