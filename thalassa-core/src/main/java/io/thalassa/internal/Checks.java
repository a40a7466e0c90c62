package io.thalassa.internal;

import io.thalassa.InvalidValueException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Field checks shared by the model's builders; every failure names the field and the value. */
public final class Checks {
    private static final Pattern SERVICE_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~+-]{0,99}");
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");

    private Checks() {
    }

    /**
     * A field as a refusal names it: its {@code path} in the JSON shape of the object checked (the refusal's
     * {@link io.thalassa.ModelRefusal#field()}, e.g. {@code port}) and the {@code label} its sentence starts with
     * (e.g. {@code member port}). The checks taking a plain string use it as both.
     */
    public record Name(String path, String label) {
        public static Name of(String path, String label) {
            return new Name(path, label);
        }

        /** A field whose path is also its label, e.g. {@code bind}. */
        public static Name of(String field) {
            return new Name(field, field);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** @throws IllegalStateException with {@code message} when {@code ok} is false */
    public static void state(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    public static <T> T notNull(String field, T value) {
        return notNull(Name.of(field), value);
    }

    public static <T> T notNull(Name field, T value) {
        if (value == null) {
            throw InvalidValueException.missing(field.path(), field.label() + " is required");
        }
        return value;
    }

    /** A HAProxy proxy or server identifier: letters, digits, '.', '_', ':', '-'; at most 100 characters. */
    /** {@code value}, required, in {@code min..max}. */
    public static java.time.Duration duration(String field, java.time.Duration value, java.time.Duration min,
            java.time.Duration max) {
        return duration(Name.of(field), value, min, max);
    }

    public static java.time.Duration duration(Name field, java.time.Duration value, java.time.Duration min,
            java.time.Duration max) {
        notNull(field, value);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be in " + min.toMillis() + ".." + max.toMillis()
                    + " ms: " + value.toMillis() + " ms");
        }
        return value;
    }

    public static String identifier(String field, String value) {
        return identifier(Name.of(field), value);
    }

    public static String identifier(Name field, String value) {
        notNull(field, value);
        if (!isIdentifier(value)) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be 1..100 characters of [A-Za-z0-9._:-] starting with a"
                    + " letter or digit: " + quote(value));
        }
        return value;
    }

    /** Hand-written equivalent of {@code [A-Za-z0-9][A-Za-z0-9._:-]{0,99}}: this check runs once per server line. */
    private static boolean isIdentifier(String value) {
        int n = value.length();
        if (n == 0 || n > 100 || !isAlnum(value.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = value.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** A registry service name or version: safe as one path segment of a registration id. */
    public static String servicePart(String field, String value) {
        return servicePart(Name.of(field), value);
    }

    public static String servicePart(Name field, String value) {
        notNull(field, value);
        if (!SERVICE_PART.matcher(value).matches()) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be 1..100 characters of [A-Za-z0-9._~+-] starting with a"
                    + " letter or digit: " + quote(value));
        }
        return value;
    }

    public static int port(String field, int value) {
        return port(Name.of(field), value);
    }

    public static int port(Name field, int value) {
        if (value < 1 || value > 65535) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be in 1..65535: " + value);
        }
        return value;
    }

    /** A host to connect to: an IPv4 or IPv6 literal or a DNS name. */
    public static String host(String field, String value) {
        return host(Name.of(field), value);
    }

    public static String host(Name field, String value) {
        notNull(field, value);
        if (isIpv4(value) || isIpv6(value)) {
            return value;
        }
        if (looksNumeric(value)) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be an IPv4 address written as"
                    + " four decimal numbers 0-255 without leading zeros (e.g. 127.0.0.1), an IPv6 address or a host"
                    + " name; ambiguous IPv4 spellings (0177.0.0.1, 127.1, 2130706433, 0x7f.1) are refused: "
                    + quote(value));
        }
        if (HOSTNAME.matcher(value).matches()) {
            return value;
        }
        throw new InvalidValueException(field.path(), value, field.label() + " must be an IPv4 address, an IPv6 address or a host name: "
                + quote(value));
    }

    /**
     * Whether the value is not a canonical dotted quad but C's {@code inet_aton} (and so a resolver, or Java's
     * {@code InetAddress}) might read it as an IPv4 address: its last label is all decimal digits or {@code 0x} and
     * hex digits ({@code 0177.0.0.1}, {@code 127.1}, {@code 2130706433}, {@code 0x7f.1}, {@code 127.0.0.256}). No
     * host name ends in such a label (RFC 3696, section 2), so these are refused rather than guessed.
     */
    public static boolean looksNumeric(String value) {
        String v = value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
        String last = v.substring(v.lastIndexOf('.') + 1);
        if (last.isEmpty()) {
            return false;
        }
        if (isAsciiDigits(last, Integer.MAX_VALUE)) {
            return true;
        }
        if (last.length() > 2 && (last.startsWith("0x") || last.startsWith("0X"))) {
            for (int i = 2; i < last.length(); i++) {
                if (Character.digit(last.charAt(i), 16) < 0) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether the value is a dotted-quad IPv4 address; hand-written, as it runs once per member and server. */
    public static boolean isIpv4(String value) {
        int n = value.length();
        if (n < 7 || n > 15) {
            return false;
        }
        int parts = 0;
        int i = 0;
        while (i < n) {
            int start = i;
            int octet = 0;
            while (i < n && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                octet = octet * 10 + value.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || octet > 255 || digits > 1 && value.charAt(start) == '0') {
                return false;
            }
            parts++;
            if (i < n) {
                if (value.charAt(i) != '.' || parts == 4) {
                    return false;
                }
                i++;
                if (i == n) {
                    return false;
                }
            }
        }
        return parts == 4;
    }

    public static boolean isIpv6(String value) {
        if (value.indexOf(':') < 0 || !IPV6.matcher(value).matches()) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(value) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public static String headerName(String field, String value) {
        return headerName(Name.of(field), value);
    }

    public static String headerName(Name field, String value) {
        notNull(field, value);
        if (!HEADER_NAME.matcher(value).matches()) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be an HTTP header name of [A-Za-z0-9_-]: " + quote(value));
        }
        return value;
    }

    /**
     * A value rendered as one word of haproxy.cfg (quoted by the renderer): non-empty, at most {@code max}
     * characters, no control characters (newline, carriage return, NUL, ...).
     */
    public static String word(String field, String value, int max) {
        return word(Name.of(field), value, max);
    }

    public static String word(Name field, String value, int max) {
        notNull(field, value);
        if (value.isEmpty()) {
            throw new InvalidValueException(field.path(), value, field.label() + " must not be empty");
        }
        if (value.length() > max) {
            throw new InvalidValueException(field.path(), value, field.label() + " must be at most " + max + " characters: " + value.length());
        }
        noControl(field, value);
        return value;
    }

    /** Like {@link #word} and also without whitespace. */
    public static String token(String field, String value, int max) {
        return token(Name.of(field), value, max);
    }

    public static String token(Name field, String value, int max) {
        word(field, value, max);
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                throw new InvalidValueException(field.path(), value, field.label() + " must not contain whitespace: " + quote(value));
            }
        }
        return value;
    }

    /** No control character (C0 including tab, DEL, C1) and no unpaired surrogate anywhere in the value. */
    public static String noControl(String field, String value) {
        return noControl(Name.of(field), value);
    }

    public static String noControl(Name field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.getType(c) == Character.CONTROL) {
                throw new InvalidValueException(field.path(), value, field.label() + " must not contain control characters (newline,"
                        + " carriage return, tab, NUL...): " + quote(value));
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidValueException(field.path(), value, field.label() + " must not contain an unpaired surrogate: "
                        + quote(value));
            }
        }
        return value;
    }

    /**
     * A whole number as JSON gives it: an integer, or a string of ASCII digits ({@code "5000"}, as the original's
     * clients send). No fraction, exponent, sign, whitespace or other digits; at most 18 digits.
     */
    public static long wholeNumber(String field, Object value) {
        return wholeNumber(Name.of(field), value);
    }

    public static long wholeNumber(Name field, Object value) {
        notNull(field, value);
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof String s && isAsciiDigits(s, 18)) {
            return Long.parseLong(s);
        }
        String shown = value instanceof String s ? quote(s) : String.valueOf(value);
        throw new InvalidValueException(field.path(), value, field.label() + " must be a whole number (digits 0-9 only, as a number"
                + " or a string): " + shown);
    }

    /** Whether {@code s} is 1..max ASCII digits and nothing else. */
    public static boolean isAsciiDigits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Java-escaped, quoted rendering of a value for error messages, so control characters are visible. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length() && i < 200; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (value.length() > 200) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }

    /** Case-insensitive lookup of an enum by its wire name, with the allowed names in the error. */
    public static <E extends Enum<E>> E wireEnum(String field, String value, E[] values,
            java.util.function.Function<E, String> wire) {
        return wireEnum(Name.of(field), value, values, wire);
    }

    public static <E extends Enum<E>> E wireEnum(Name field, String value, E[] values,
            java.util.function.Function<E, String> wire) {
        notNull(field, value);
        for (E e : values) {
            if (wire.apply(e).equalsIgnoreCase(value)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : values) {
            allowed.append(allowed.length() == 0 ? "" : "|").append(wire.apply(e));
        }
        throw new InvalidValueException(field.path(), value, field.label() + " must be one of " + allowed + ": " + quote(value));
    }
}
