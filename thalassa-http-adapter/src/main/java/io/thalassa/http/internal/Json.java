package io.thalassa.http.internal;

import io.thalassa.InvalidValueException;
import io.thalassa.ModelRefusal;
import io.thalassa.runtime.internal.Documents;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one ObjectMapper of the adapter, and the translation of Jackson's and the model's failures into 400 bodies that
 * name the field and the reason.
 */
public final class Json {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Json.class);
    /** How deep a request body may nest: the deepest shape of the API is 4 levels. */
    public static final int MAX_DEPTH = 32;
    /** The longest number in a request body, in characters. */
    public static final int MAX_NUMBER_LENGTH = 20;

    /**
     * Strict where it matters (duplicate keys, trailing tokens, unknown fields, no number, boolean or array where a
     * string is expected), lenient on numbers as strings where the model reads whole numbers ({@code "port": "80"}).
     */
    public static final ObjectMapper MAPPER = Documents.strict(JsonMapper.builder(
            tools.jackson.core.json.JsonFactory.builderWithJackson2Defaults()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH).maxStringLength(HttpEntry.MAX_BODY).build())
                    .build()))
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write JSON of " + value.getClass().getName(), e);
        }
    }

    /**
     * The body as a JSON object.
     *
     * @throws ApiException 400 when the body is empty, malformed or not an object
     */
    public static ObjectNode readObject(byte[] body) {
        return readObject(body, null);
    }

    /**
     * The body as a JSON object whose top-level field {@code linesField} may hold text of several lines (a PEM): line
     * breaks are allowed there, every other control character is still refused.
     *
     * @throws ApiException 400 when the body is empty, malformed or not an object
     */
    public static ObjectNode readObject(byte[] body, String linesField) {
        JsonNode node = readTree(body, linesField);
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest("missing_body", null, "the request needs a JSON object body");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("malformed_json", null, "the body must be a JSON object, not "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return (ObjectNode) node;
    }

    /**
     * The body as a JSON object, an empty one when the body is empty or blank; read as free-form data (registration
     * meta), so every number in it must be a whole number of at most 64 bits.
     */
    public static ObjectNode readObjectOrEmpty(byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return MAPPER.createObjectNode();
        }
        ObjectNode node = readObject(body);
        checkWholeNumbers(node, "");
        return node;
    }

    private static JsonNode readTree(byte[] body, String linesField) {
        String text;
        try { // strictly UTF-8: a UTF-16 body or a broken byte sequence is a client's mistake, not auto-detected
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("invalid_encoding", null, "the body must be JSON in UTF-8: " + e);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw ApiException.badRequest("malformed_json", null, "JSON too deep or too long (at most " + MAX_DEPTH
                    + " levels, numbers of at most " + MAX_NUMBER_LENGTH + " digits): "
                    + firstLine(e.getOriginalMessage()));
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (JacksonException e) {
            throw ApiException.badRequest("malformed_json", null, "malformed JSON: "
                    + firstLine(e.getOriginalMessage()));
        }
        if (node != null) {
            checkTexts(node, "", linesField);
        }
        return node;
    }

    /**
     * Every string and name of the body without control characters or unpaired surrogates: the request's own
     * mistakes, refused before anything reads them. Types are checked where they are known: by Jackson for the model
     * ({@link #convert}), by {@link #checkWholeNumbers} for free-form data.
     */
    static void checkTexts(JsonNode node, String path) {
        checkTexts(node, path, null);
    }

    private static void checkTexts(JsonNode node, String path, String linesField) {
        if (node.isTextual() && path.equals(linesField)) {
            for (String line : node.textValue().split("\r\n|\n|\r", -1)) {
                checkText(path, line);
            }
        } else if (node.isTextual()) {
            checkText(path, node.textValue());
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                checkText(child, e.getKey());
                checkTexts(e.getValue(), child, linesField);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkTexts(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * Every number of free-form data (meta, which the model keeps as given) a whole number of at most 64 bits: a
     * fraction, an exponent or a bigger number would not come back as it was sent.
     */
    static void checkWholeNumbers(JsonNode node, String path) {
        if (node.isNumber()) {
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw new ApiException(400, "invalid_value", path.isEmpty() ? null : path, (path.isEmpty() ? "the body"
                        : path) + " must be a whole number (no fraction or exponent, at most 64 bits): "
                        + node.asText(), Map.of("value", node.numberValue()));
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkWholeNumbers(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkWholeNumbers(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /**
     * A field that must be a string when present, as a route reads it itself ({@code version} of a switch).
     *
     * @return the text, or null when the field is absent or null
     * @throws ApiException 400 naming the field when it is a number, a boolean, an array or an object
     */
    public static String optionalString(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node.asToken(), node.isValueNode() ? node : null);
        }
        return node.textValue();
    }

    /**
     * The one 400 for a value of the wrong JSON type: {@code bind must be a string, not a number: 8080}.
     *
     * @param expected what the field takes: "a string", "a whole number", "an array"...
     * @param found    the token found where the value starts
     * @param value    the value when it is a scalar, shown in the message and the body; null for an object or array
     */
    static ApiException wrongType(String field, String expected, JsonToken found, Object value) {
        String what = field.isEmpty() ? "the body" : field;
        String reason = what + " must be " + expected + (found == null ? "" : ", not " + describe(found));
        Map<String, Object> extra = new java.util.LinkedHashMap<>();
        if (value instanceof JsonNode n) {
            value = n.isNumber() ? n.numberValue() : n.isBoolean() ? (Object) n.booleanValue() : n.asText();
        }
        if (value != null) {
            reason += ": " + (value instanceof String text ? io.thalassa.internal.Checks.quote(text) : value);
            extra.put("value", value instanceof String text ? shown(text) : value);
        }
        return new ApiException(400, "invalid_value", field.isEmpty() ? null : field, reason, extra);
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_STRING -> "a string";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** What a Java type takes in JSON, for {@link #wrongType}. */
    private static String expected(Class<?> type) {
        if (type == String.class || CharSequence.class.isAssignableFrom(type) || type == Character.class
                || type == char.class || type.isEnum()) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    private static void checkText(String path, String value) {
        try {
            io.thalassa.internal.Checks.noControl(path.isEmpty() ? "the body" : path, value);
        } catch (InvalidValueException e) {
            if (path.isEmpty()) { // a lone string as the body: no field to name
                throw new ApiException(400, "invalid_value", null, e.reason(), Map.of("value", shown(value)));
            }
            throw invalid("", e);
        }
    }

    /** A value as an error body shows it: at most 200 characters, lone surrogates as U+FFFD so the body is UTF-8. */
    static String shown(Object value) {
        String s = String.valueOf(value);
        if (s.length() > 200) {
            s = s.substring(0, 200) + "...";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return b.toString();
    }

    /**
     * Reads a model value from a JSON tree: each field of the type the model reads, and the numbers of free-form data
     * (member meta) whole (see {@link #checkWholeNumbers}).
     *
     * @throws ApiException 400 naming the field for an unknown field, a wrong type or an invalid value
     */
    public static <T> T convert(JsonNode node, Class<T> type) {
        T value;
        try {
            value = MAPPER.treeToValue(node, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw translate(e);
        }
        checkWholeNumbers(node, ""); // what the model read was checked as it was read: this finds free-form data
        return value;
    }

    /**
     * Turns a failure of reading or of the model's checks into the API's answer: a refusal of the model (see
     * {@link #invalid(String, ModelRefusal)}) or a mistake of the body is a 400 naming the field; any other
     * {@link IllegalArgumentException} is a 400 without a field; anything else (an {@link IllegalStateException} that
     * is no refusal, e.g. an engine closing) is a 500.
     */
    public static ApiException translate(Exception e) {
        if (e instanceof ApiException api) {
            return api;
        }
        ModelRefusal refusal = refusal(e);
        if (refusal != null) {
            return invalid(e instanceof DatabindException jme ? path(jme) : "", refusal);
        }
        if (e instanceof StreamReadException sre) {
            return malformed(sre);
        }
        if (e instanceof UnrecognizedPropertyException u) {
            Set<String> known = new TreeSet<>();
            if (u.getKnownPropertyIds() != null) {
                u.getKnownPropertyIds().forEach(k -> known.add(String.valueOf(k)));
            }
            String field = path(u);
            return ApiException.badRequest("unknown_field", field, "unknown field " + quote(u.getPropertyName())
                    + (known.isEmpty() ? "" : "; known fields: " + String.join(", ", known)));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            // a value of the wrong type: a number where a string is expected, a string where an array is...
            JsonToken found = mismatch.processor() instanceof JsonParser p ? p.currentToken() : null;
            Object value = mismatch instanceof InvalidFormatException invalid ? invalid.getValue() : null;
            return wrongType(path(mismatch), expected(mismatch.getTargetType()), found, value);
        }
        if (e instanceof DatabindException jme) { // a mistake of the body's shape: Jackson knows where
            String field = path(jme);
            String why = jme instanceof ValueInstantiationException && jme.getCause() != null
                    || jme.getCause() instanceof IllegalArgumentException
                    || jme.getCause() instanceof IllegalStateException
                    ? String.valueOf(jme.getCause().getMessage())
                    : (field.isEmpty() ? "" : field + ": ") + firstLine(jme.getOriginalMessage());
            return ApiException.badRequest("invalid_value", field.isEmpty() ? null : field, why);
        }
        if (e instanceof IllegalArgumentException) {
            return ApiException.badRequest("invalid_value", null, String.valueOf(e.getMessage()));
        }
        LOG.error("request failed: {}", e.toString(), e);
        return new ApiException(500, "internal_error", null, String.valueOf(e.getMessage()));
    }

    /** The model's refusal, where it is the failure or one of its causes; null when there is none. */
    static ModelRefusal refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelRefusal r) {
                return r;
            }
        }
        return null;
    }

    /**
     * The one mapping of the model's refusals to the API's 400: {@code missing_field} or {@code invalid_value}, the
     * field where the body has it ({@code jsonPath}, where Jackson was reading the object that refused, joined with
     * the refusal's field: {@code members[2]} and {@code port}), the model's reason, and the value refused.
     */
    public static ApiException invalid(String jsonPath, ModelRefusal refusal) {
        return invalid(jsonPath, refusal, refusal.missing() ? "missing_field" : "invalid_value");
    }

    /** {@link #invalid(String, ModelRefusal)} with its own error code, e.g. {@code invalid_key} for a path's key. */
    public static ApiException invalid(String jsonPath, ModelRefusal refusal, String error) {
        Map<String, Object> extra = new java.util.LinkedHashMap<>();
        if (refusal.value() != null) {
            extra.put("value", refusal.value() instanceof Number ? refusal.value() : shown(refusal.value()));
        }
        return new ApiException(400, error, ModelRefusal.join(jsonPath, refusal.field()), refusal.reason(), extra);
    }

    private static ApiException malformed(StreamReadException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return ApiException.badRequest("malformed_json", null, "malformed JSON" + where + ": "
                + firstLine(e.getOriginalMessage()));
    }

    /** {@code rules[0].backend}: the JSON path Jackson recorded. */
    static String path(DatabindException e) {
        return Documents.path(e);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "invalid value";
        }
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
