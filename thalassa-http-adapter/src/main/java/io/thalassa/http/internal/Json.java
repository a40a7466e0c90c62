package io.thalassa.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one ObjectMapper of the adapter, and the translation of Jackson's and the model's failures into 400 bodies that
 * name the field and the reason.
 */
public final class Json {
    /** Strict where it matters (duplicate keys, trailing tokens, unknown fields), lenient on numbers as strings. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new JavaTimeModule())
            .build();

    private Json() {
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON of " + value.getClass().getName(), e);
        }
    }

    /**
     * The body as a JSON object.
     *
     * @throws ApiException 400 when the body is empty, malformed or not an object
     */
    public static ObjectNode readObject(byte[] body) {
        JsonNode node = readTree(body);
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest("missing_body", null, "the request needs a JSON object body");
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("malformed_json", null, "the body must be a JSON object, not "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return (ObjectNode) node;
    }

    /** The body as a JSON object, an empty one when the body is empty or blank. */
    public static ObjectNode readObjectOrEmpty(byte[] body) {
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return MAPPER.createObjectNode();
        }
        return readObject(body);
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (JsonMappingException e) {
            throw ApiException.badRequest("malformed_json", null, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a model value from a JSON tree.
     *
     * @throws ApiException 400 naming the field for an unknown field, a wrong type or an invalid value
     */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw translate(e);
        }
    }

    /** Turns a failure of reading or of the model's checks into a 400 naming the field. */
    public static ApiException translate(Exception e) {
        if (e instanceof ApiException api) {
            return api;
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
        if (e instanceof ValueInstantiationException vie && vie.getCause() != null) {
            return invalid(path(vie), vie.getCause().getMessage());
        }
        if (e instanceof JsonMappingException jme) {
            if (jme.getCause() instanceof IllegalArgumentException || jme.getCause() instanceof IllegalStateException) {
                return invalid(path(jme), jme.getCause().getMessage());
            }
            String field = path(jme);
            return ApiException.badRequest("invalid_value", field.isEmpty() ? null : field,
                    (field.isEmpty() ? "" : field + ": ") + firstLine(jme.getOriginalMessage()));
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return invalid("", e.getMessage());
        }
        return new ApiException(500, "internal_error", null, String.valueOf(e.getMessage()));
    }

    /** A 400 for a failed model check: {@code missing_field} for "x is required", else {@code invalid_value}. */
    public static ApiException invalid(String jsonPath, String message) {
        String msg = message == null ? "invalid value" : message;
        String field = Fields.infer(jsonPath, msg);
        return ApiException.badRequest(msg.endsWith(" is required") ? "missing_field" : "invalid_value", field, msg);
    }

    private static ApiException malformed(StreamReadException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return ApiException.badRequest("malformed_json", null, "malformed JSON" + where + ": "
                + firstLine(e.getOriginalMessage()));
    }

    /** {@code rules[0].backend}: the JSON path Jackson recorded. */
    static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
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
