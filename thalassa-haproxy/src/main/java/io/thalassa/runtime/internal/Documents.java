package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ModelJson;
import io.thalassa.ModelRefusal;
import io.thalassa.ThalassaConfig;
import io.thalassa.internal.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The frontends and backends as stores keep them: one JSON document per item in the REST shapes, ids
 * {@code frontend/<key>} and {@code backend/<key>}, dynamic backends without members (the registry refills them).
 * The one home of that format, for the file store, the fleet and the HTTP adapter.
 */
public final class Documents {
    /** Strict where it matters (duplicate keys, trailing tokens, unknown fields, a number where text belongs). */
    private static final class Mapper {
        static final ObjectMapper MAPPER = strict(JsonMapper.builder(JsonFactory.builderWithJackson2Defaults().build()))
                .build();
    }

    /** The strict mapper, made at its first use. */
    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    private Documents() {
    }

    /**
     * {@code builder} with the strictness every reader of the model's JSON shares, on Jackson 2's defaults otherwise
     * (properties in declaration order, {@code /} not escaped: the shapes the REST API and the stores always had).
     * Give it a builder of a factory made with {@link JsonFactory#builderWithJackson2Defaults()}.
     */
    public static JsonMapper.Builder strict(JsonMapper.Builder builder) {
        return builder.configureForJackson2()
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Boolean,
                        CoercionAction.Fail).setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Array, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.Float,
                        CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /** {@code value} as JSON bytes. */
    public static byte[] write(Object value) {
        return text(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code value} as JSON text: a frontend or backend by {@link ModelJson}, a tree of maps, lists and plain values by
     * {@link JsonText} (so a start loads no JSON library), anything else by the mapper. The same text either way.
     */
    public static String text(Object value) {
        if (value instanceof Frontend f) {
            return ModelJson.write(f);
        }
        if (value instanceof Backend b) {
            return ModelJson.write(b);
        }
        if (JsonText.writable(value)) {
            return JsonText.write(value);
        }
        try {
            return mapper().writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot write JSON of " + value.getClass().getName(), e);
        }
    }

    /** {@code backend} as a store keeps it: a dynamic one without members. */
    public static Backend stored(Backend backend) {
        return backend.isDynamic() && !backend.members().isEmpty() ? backend.withMembers(List.of()) : backend;
    }

    /** Every item of {@code config} as a store keeps it, by id, sorted. */
    public static Map<String, String> itemsOf(ThalassaConfig config) {
        Map<String, String> out = new TreeMap<>();
        for (Frontend f : config.frontends().values()) {
            out.put(f.id(), text(f));
        }
        for (Backend b : config.backends().values()) {
            out.put(b.id(), text(stored(b)));
        }
        return out;
    }

    /**
     * The configuration the stored items describe, dynamic backends without members.
     *
     * @throws IllegalArgumentException when an item is not a valid one
     */
    public static ThalassaConfig configOf(Map<String, String> items) {
        List<Frontend> frontends = new java.util.ArrayList<>();
        List<Backend> backends = new java.util.ArrayList<>();
        items.forEach((id, json) -> {
            Object item = item(id, json);
            if (item instanceof Backend b) {
                backends.add(b);
            } else {
                frontends.add((Frontend) item);
            }
        });
        return ThalassaConfig.of(frontends, backends);
    }

    /**
     * The key of an item id.
     *
     * @throws IllegalArgumentException when {@code id} is not {@code frontend/<key>} or {@code backend/<key>}
     */
    public static String keyOf(String id) {
        io.thalassa.internal.Checks.notNull("id", id);
        int slash = id.indexOf('/');
        String kind = slash < 0 ? "" : id.substring(0, slash);
        if (!kind.equals("frontend") && !kind.equals("backend")) {
            throw new IllegalArgumentException("id must be frontend/<key> or backend/<key>: \"" + id + "\"");
        }
        return io.thalassa.internal.Checks.identifier("id", id.substring(slash + 1));
    }

    /**
     * Reads one item: a {@link Frontend} for {@code frontend/<key>}, a {@link Backend} for {@code backend/<key>}.
     *
     * @throws IllegalArgumentException naming the field and the reason when the document is not JSON, not an object
     *                                  with that key, or not a valid item
     */
    public static Object item(String id, String json) {
        String key = keyOf(id);
        Object doc;
        try {
            doc = JsonText.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("json of " + id + " is not JSON: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> o) || !key.equals(o.get("key"))) {
            throw new IllegalArgumentException("json of " + id + " must be an object with key " + key);
        }
        return id.startsWith("frontend/") ? ModelJson.frontend(doc, "") : ModelJson.backend(doc, "");
    }

    /**
     * Reads a model value from a JSON tree.
     *
     * @throws IllegalArgumentException {@code field: reason} for an unknown field, a wrong type or an invalid value
     */
    public static <T> T read(JsonNode node, Class<T> type) {
        try {
            return mapper().treeToValue(node, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /** {@code field: reason} of a failure to read a model value, as data where the model gave it. */
    static String describe(Exception e) {
        String path = e instanceof DatabindException jme ? path(jme) : "";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelRefusal r) {
                return r.describeAt(path);
            }
        }
        String why = e instanceof JacksonException jpe ? jpe.getOriginalMessage() : e.getMessage();
        int nl = why == null ? -1 : why.indexOf('\n');
        why = why == null ? "invalid value" : nl < 0 ? why : why.substring(0, nl);
        return path.isEmpty() ? why : path + ": " + why;
    }

    /** {@code rules[0].backend}: the JSON path Jackson recorded. */
    public static String path(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (DatabindException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
