package io.thalassa.http.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict percent-decoding of the query string and of path segments: an escape is {@code %} and two hex digits, the
 * bytes are UTF-8; anything else is the client's mistake, a 400 naming the parameter.
 */
final class PercentDecoding {
    private PercentDecoding() {
    }

    /** Thrown for a malformed escape or bytes that are not UTF-8; the caller names where it was. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The parameters of a raw query ({@code a=1&b=%C3%A9&a=2}), in order, each name with all its values; {@code +}
     * is a space, as in a form; a name without {@code =} has the value "".
     *
     * @throws ApiException 400 {@code invalid_query} naming the parameter when an escape is malformed
     */
    static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            String name;
            try {
                name = decode(rawName, true);
            } catch (MalformedException e) {
                throw malformedQuery(Json.shown(rawName), "a query parameter's name " + e.getMessage() + ": "
                        + io.thalassa.internal.Checks.quote(rawName));
            }
            String value;
            try {
                value = decode(rawValue, true);
            } catch (MalformedException e) {
                throw malformedQuery(name, "query parameter " + name + " " + e.getMessage() + ": "
                        + io.thalassa.internal.Checks.quote(rawValue));
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return out;
    }

    private static ApiException malformedQuery(String field, String reason) {
        return ApiException.badRequest("invalid_query", field, reason);
    }

    /**
     * Decodes one path segment or query part as UTF-8.
     *
     * @param plusIsSpace whether {@code +} stands for a space (a query) or for itself (a path)
     * @throws MalformedException saying what is wrong: an escape that is not {@code %} and two hex digits, or bytes
     *                            that are not UTF-8 (an encoded surrogate, an overlong form, a cut sequence)
     */
    static String decode(String s, boolean plusIsSpace) throws MalformedException {
        if (s.indexOf('%') < 0) {
            return plusIsSpace ? s.replace('+', ' ') : s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0 || s.charAt(i + 1) > 0x7f || s.charAt(i + 2) > 0x7f) {
                    throw new MalformedException("has a malformed percent-escape (an escape is % and two hex"
                            + " digits)");
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                int end = i;
                while (end < s.length() && s.charAt(end) != '%') {
                    end++;
                }
                String literal = s.substring(i, end);
                bytes.writeBytes((plusIsSpace ? literal.replace('+', ' ') : literal).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("has percent-escapes that are not UTF-8");
        }
    }
}
