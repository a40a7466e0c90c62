package io.thalassa.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON without a library: what the runtime's stores, history and activity log write and read, so a start loads no
 * JSON library (a Spring Boot host's start paid 480 of them). Strict as the library's readers are: one document, no
 * trailing text, no key twice in one object, no unescaped control character, nesting at most {@value #MAX_DEPTH}
 * levels.
 *
 * <p>Values are trees of {@link Map} (a {@link LinkedHashMap} when read: the document's order), {@link List},
 * {@link String}, {@link Boolean}, {@code null} and numbers: a whole number as an {@link Integer} when it fits, else a
 * {@link Long}, else a {@link BigInteger}; any other as a {@link Double} (what a mapper reading into {@code Object}
 * gives). Written as a mapper writes them with its defaults: compact, or indented by {@link #pretty}.
 */
public final class JsonText {
    /** The deepest nesting a document may have. */
    public static final int MAX_DEPTH = 500;

    private final String text;
    private int pos;

    private JsonText(String text) {
        this.text = text;
    }

    /**
     * Reads one JSON document.
     *
     * @throws IllegalArgumentException {@code line L, column C: reason} when it is not one valid document
     */
    public static Object parse(String text) {
        Checks.notNull("json", text);
        JsonText p = new JsonText(text);
        p.skipSpace();
        if (p.pos >= text.length()) {
            throw p.error("no JSON value");
        }
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos < text.length()) {
            throw p.error("text after the JSON value");
        }
        return value;
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("the document ends inside a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return word("true", Boolean.TRUE);
            case 'f':
                return word("false", Boolean.FALSE);
            case 'n':
                return word("null", null);
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return number();
                }
                throw error("unexpected character " + describe(c));
        }
    }

    private Map<String, Object> object(int depth) {
        checkDepth(depth);
        pos++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a field name in quotes");
            }
            int at = pos;
            String name = string();
            if (out.containsKey(name)) {
                pos = at;
                throw error("duplicate field " + Checks.quote(name));
            }
            skipSpace();
            if (peek() != ':') {
                throw error("expected ':' after field " + Checks.quote(name));
            }
            pos++;
            skipSpace();
            out.put(name, value(depth));
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private List<Object> array(int depth) {
        checkDepth(depth);
        pos++; // [
        List<Object> out = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            pos++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value(depth));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string() {
        pos++; // "
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) {
                throw error("the document ends inside a string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) {
                throw error("unescaped control character " + describe(c) + " in a string");
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(text, start, pos);
                pos++;
                sb.append(escape());
                start = pos;
            } else {
                pos++;
            }
        }
    }

    private char escape() {
        if (pos >= text.length()) {
            throw error("the document ends inside a string");
        }
        char c = text.charAt(pos++);
        switch (c) {
            case '"':
            case '\\':
            case '/':
                return c;
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (pos + 4 > text.length()) {
                    throw error("the document ends inside a \\u escape");
                }
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int d = Character.digit(text.charAt(pos + i), 16);
                    if (d < 0) {
                        throw error("a \\u escape needs 4 hex digits");
                    }
                    v = v * 16 + d;
                }
                pos += 4;
                return (char) v;
            default:
                pos--;
                throw error("unknown escape \\" + c);
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (Character.isDigit(peek())) {
                throw error("a number may not start with 0");
            }
        } else if (!digits()) {
            throw error("expected a digit");
        }
        boolean whole = true;
        if (peek() == '.') {
            pos++;
            whole = false;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            whole = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        String n = text.substring(start, pos);
        if (n.length() > 1000) {
            throw error("a number of more than 1000 characters");
        }
        if (!whole) {
            return Double.parseDouble(n);
        }
        if (n.length() <= 18) {
            long v = Long.parseLong(n);
            return v == (int) v ? (Object) (int) v : (Object) v;
        }
        BigInteger big = new BigInteger(n);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object word(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected text (expected " + word + ")");
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " levels deep");
        }
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private IllegalArgumentException error(String reason) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new IllegalArgumentException("line " + line + ", column " + column + ": " + reason);
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /**
     * {@code value} as an object: the map a document's object was read into.
     *
     * @throws IllegalArgumentException when it is not one
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException("not a JSON object: " + value);
    }

    /**
     * {@code value} as a whole number: a number without a fraction, or text of one.
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static long number(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        if (value instanceof String s) {
            return Long.parseLong(s.trim());
        }
        throw new IllegalArgumentException("not a whole number: " + value);
    }

    /**
     * {@code value} as text: text as it is, a number or boolean as written, null as null.
     *
     * @throws IllegalArgumentException for an object or array
     */
    public static String text(Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        throw new IllegalArgumentException("not text: " + value);
    }

    /**
     * {@code value} as compact JSON.
     *
     * @throws IllegalArgumentException when the tree holds something else than maps with text keys, collections,
     *                                  text, numbers, booleans and null
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, -1);
        return sb.toString();
    }

    /**
     * {@code value} as indented JSON, as a mapper's default pretty printer writes it: two spaces a level,
     * {@code "name" : value}, arrays on one line ({@code [ 1, 2 ]}, {@code [ {} ]}).
     *
     * @throws IllegalArgumentException as {@link #write(Object)}
     */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder(1024);
        write(sb, value, 0);
        return sb.toString();
    }

    /** Whether {@link #write} writes {@code value} (a check of the whole tree). */
    public static boolean writable(Object value) {
        if (value == null || value instanceof CharSequence || value instanceof Boolean) {
            return true;
        }
        if (value instanceof Number n) {
            return plainNumber(n);
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !writable(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) {
                if (!writable(o)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean plainNumber(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger || n instanceof BigDecimal
                || (n instanceof Double || n instanceof Float) && Double.isFinite(n.doubleValue());
    }

    // indent < 0: compact; else the current level
    private static void write(StringBuilder sb, Object value, int indent) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof CharSequence s) {
            quote(sb, s);
        } else if (value instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (value instanceof Number n) {
            if (!plainNumber(n)) {
                throw new IllegalArgumentException("cannot write " + n + " (" + n.getClass().getName() + ") as JSON");
            }
            sb.append(n instanceof Float f ? Float.toString(f) : n.toString());
        } else if (value instanceof Map<?, ?> m) {
            writeObject(sb, m, indent);
        } else if (value instanceof Collection<?> c) {
            writeArray(sb, c, indent);
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeObject(StringBuilder sb, Map<?, ?> m, int indent) {
        if (m.isEmpty()) {
            sb.append(indent < 0 ? "{}" : "{ }");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new IllegalArgumentException("cannot write a map with a key " + e.getKey() + " as JSON");
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            if (indent >= 0) {
                newline(sb, indent + 1);
            }
            quote(sb, name);
            sb.append(indent < 0 ? ":" : " : ");
            write(sb, e.getValue(), indent < 0 ? -1 : indent + 1);
        }
        if (indent >= 0) {
            newline(sb, indent);
        }
        sb.append('}');
    }

    private static void writeArray(StringBuilder sb, Collection<?> c, int indent) {
        if (c.isEmpty()) {
            sb.append(indent < 0 ? "[]" : "[ ]");
            return;
        }
        sb.append(indent < 0 ? "[" : "[ ");
        Iterator<?> it = c.iterator();
        while (it.hasNext()) {
            write(sb, it.next(), indent);
            if (it.hasNext()) {
                sb.append(indent < 0 ? "," : ", ");
            }
        }
        sb.append(indent < 0 ? "]" : " ]");
    }

    private static void newline(StringBuilder sb, int level) {
        sb.append('\n');
        for (int i = 0; i < level; i++) {
            sb.append("  ");
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** {@code s} in quotes, escaped as a mapper escapes by default. */
    public static void quote(StringBuilder sb, CharSequence s) {
        sb.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
