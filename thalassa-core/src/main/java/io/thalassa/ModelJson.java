package io.thalassa;

import io.thalassa.internal.Checks;
import io.thalassa.internal.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frontends and backends in their JSON shapes (the original Thalassa's REST shapes, which the model's Jackson
 * annotations declare too) without a JSON library: what the runtime's stores, history and start read and write.
 * The same text a Jackson mapper writes, field for field and in the same order; read as strictly as the library's
 * strict mapper reads (a field it does not know, a number where text belongs or a key twice are refused).
 *
 * <p>Trees are those of {@link JsonText}: maps, lists, text, numbers, booleans and null.
 */
public final class ModelJson {

    private ModelJson() {
    }

    /** {@code frontend} as compact JSON. */
    public static String write(Frontend frontend) {
        return JsonText.write(tree(frontend));
    }

    /** {@code backend} as compact JSON, members included. */
    public static String write(Backend backend) {
        return JsonText.write(tree(backend));
    }

    /** {@code frontend} as a tree, its fields in the order they are written. */
    public static Map<String, Object> tree(Frontend f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("_type", "frontend");
        m.put("key", f.key());
        m.put("name", f.key());
        m.put("bind", f.bind());
        m.put("backend", f.defaultBackend());
        m.put("mode", f.mode() == null ? null : f.mode().wireName());
        m.put("keepalive", f.keepAlive() == null ? null : f.keepAlive().wireName());
        if (f.tls() != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("certificates", f.tls().certificates());
            tls.put("alpn", f.tls().alpn());
            m.put("tls", tls);
        }
        List<Object> rules = new ArrayList<>(f.rules().size());
        for (Rule r : f.rules()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("type", r.type() == null ? null : r.type().wireName());
            if (r.header() != null) {
                rule.put("header", r.header());
            }
            rule.put("operation", r.operation() == null ? null : r.operation().wireName());
            rule.put("value", r.value());
            rule.put("backend", r.backend());
            rules.add(rule);
        }
        m.put("rules", rules);
        m.put("natives", f.natives());
        return m;
    }

    /** {@code backend} as a tree, its fields in the order they are written, members included. */
    public static Map<String, Object> tree(Backend b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("_type", "backend");
        m.put("key", b.key());
        m.put("type", b.type() == null ? null : b.type().wireName());
        if (b.serviceName() != null) {
            m.put("name", b.serviceName());
        }
        if (b.serviceVersion() != null) {
            m.put("version", b.serviceVersion());
        }
        Map<String, Integer> versions = b.versionsForJson();
        if (versions != null) {
            m.put("versions", versions);
        }
        m.put("balance", b.balance() == null ? null : b.balance().toString());
        m.put("host", b.host());
        m.put("mode", b.mode() == null ? null : b.mode().wireName());
        HealthCheck h = b.health();
        if (h != null) {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("method", h.method() == null ? null : h.method().wireName());
            health.put("uri", h.uri());
            health.put("httpVersion", h.httpVersion() == null ? null : h.httpVersion().wireName());
            health.put("interval", h.intervalMillis());
            m.put("health", health);
        }
        m.put("slowstart", b.slowstartMillis());
        m.put("natives", b.natives());
        List<Object> members = new ArrayList<>(b.members().size());
        for (Member x : b.members()) {
            members.add(tree(x));
        }
        m.put("members", members);
        return m;
    }

    private static Map<String, Object> tree(Member x) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (x.name() != null) {
            m.put("name", x.name());
        }
        if (x.version() != null) {
            m.put("version", x.version());
        }
        if (x.host() != null) {
            m.put("host", x.host());
        }
        m.put("port", x.port());
        if (x.lastKnownMillis() != null) {
            m.put("lastKnown", x.lastKnownMillis());
        }
        if (x.metaForJson() != null) {
            m.put("meta", x.metaForJson());
        }
        m.put("id", x.id());
        return m;
    }

    /**
     * Reads a frontend from its JSON.
     *
     * @throws IllegalArgumentException {@code field: reason} (e.g. {@code rules[1].backend: ...}) when it is not JSON
     *                                  or not a valid frontend
     */
    public static Frontend frontend(String json) {
        return frontend(JsonText.parse(json), "");
    }

    /**
     * Reads a backend from its JSON.
     *
     * @throws IllegalArgumentException as {@link #frontend(String)}
     */
    public static Backend backend(String json) {
        return backend(JsonText.parse(json), "");
    }

    /**
     * Reads a frontend from a tree (a JSON or YAML document's) at {@code path} ({@code ""} for a whole document),
     * which starts what is wrong. Fields are read in the document's order and the first one at fault is the one
     * named, as a mapper does.
     *
     * @throws IllegalArgumentException {@code path.field: reason} when it is not a valid frontend
     */
    public static Frontend frontend(Object tree, String path) {
        return (Frontend) FRONTEND.read(tree, path);
    }

    /**
     * Reads a backend from a tree at {@code path}, as {@link #frontend(Object, String)}.
     *
     * @throws IllegalArgumentException {@code path.field: reason} when it is not a valid backend
     */
    public static Backend backend(Object tree, String path) {
        return (Backend) BACKEND.read(tree, path);
    }

    /** Reads one field's value (never null) found at {@code path}. */
    @FunctionalInterface
    private interface Field {
        Object read(Object value, String path);
    }

    private static final Field TEXT = (v, at) -> {
        if (v instanceof String) {
            return v;
        }
        throw refused(at, "must be text, not " + kind(v));
    };
    private static final Field RAW = (v, at) -> v;
    private static final Field OBJECT = (v, at) -> object(v, at);
    private static final Field TEXTS = listOf(TEXT);

    /** An array of {@code element}s; a null element stays null. */
    private static Field listOf(Field element) {
        return (v, at) -> {
            List<Object> list = array(v, at);
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                Object e = list.get(i);
                out.add(e == null ? null : element.read(e, at + "[" + i + "]"));
            }
            return out;
        };
    }

    /** The factory of an item from its fields' values (absent ones null). */
    @FunctionalInterface
    private interface Factory {
        Object make(Map<String, Object> fields);
    }

    /**
     * An object of these fields (name, then {@link Field}, ...), made by {@code factory}: its fields read in the
     * document's order (the first one at fault is named), then what the factory refuses, then a field it does not
     * know.
     */
    private static Field item(Factory factory, Object... nameThenField) {
        Map<String, Field> shape = new LinkedHashMap<>();
        for (int i = 0; i < nameThenField.length; i += 2) {
            shape.put((String) nameThenField[i], (Field) nameThenField[i + 1]);
        }
        String known = String.join(", ", new java.util.TreeSet<>(shape.keySet()));
        return (v, at) -> {
            Map<String, Object> m = object(v, at);
            Map<String, Object> values = new java.util.HashMap<>();
            String unknown = null;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                Field field = shape.get(e.getKey());
                if (field == null) {
                    unknown = unknown == null ? e.getKey() : unknown;
                } else if (e.getValue() != null) {
                    values.put(e.getKey(), field.read(e.getValue(), ModelRefusal.join(at, e.getKey())));
                }
            }
            Object made = create(at, () -> factory.make(values));
            if (unknown != null) { // after what the factory refuses, as a mapper (which keeps them for last) does
                throw refused(ModelRefusal.join(at, unknown), "unknown field " + Checks.quote(unknown)
                        + "; known fields: " + known);
            }
            return made;
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, Object> fields, String name) {
        return (T) fields.get(name);
    }

    private static final Field TLS = item(f -> Tls.fromJson(get(f, "certificates"), get(f, "alpn")),
            "certificates", TEXTS, "alpn", TEXTS);
    private static final Field RULE = item(f -> Rule.fromJson(get(f, "type"), get(f, "header"), get(f, "operation"),
            get(f, "value"), get(f, "backend")),
            "type", TEXT, "header", TEXT, "operation", TEXT, "value", TEXT, "backend", TEXT);
    private static final Field FRONTEND = item(f -> Frontend.fromJson(get(f, "key"), get(f, "bind"),
            get(f, "backend"), get(f, "mode"), get(f, "keepalive"), get(f, "tls"), get(f, "rules"),
            get(f, "natives"), get(f, "id"), get(f, "_type"), get(f, "name")),
            "id", TEXT, "_type", TEXT, "key", TEXT, "name", TEXT, "bind", TEXT, "backend", TEXT, "mode", TEXT,
            "keepalive", TEXT, "tls", TLS, "rules", listOf(RULE), "natives", TEXTS);
    private static final Field HEALTH = item(f -> HealthCheck.fromJson(get(f, "method"), get(f, "uri"),
            get(f, "httpVersion"), f.get("interval")),
            "method", TEXT, "uri", TEXT, "httpVersion", TEXT, "interval", RAW);
    private static final Field MEMBER = item(f -> Member.fromJson(get(f, "host"), f.get("port"), get(f, "name"),
            get(f, "version"), f.get("lastKnown"), get(f, "meta"), get(f, "id")),
            "name", TEXT, "version", TEXT, "host", TEXT, "port", RAW, "lastKnown", RAW, "meta", OBJECT, "id", TEXT);
    private static final Field BACKEND = item(f -> Backend.fromJson(get(f, "key"), get(f, "type"), get(f, "name"),
            get(f, "version"), get(f, "versions"), get(f, "balance"), get(f, "host"), get(f, "mode"),
            get(f, "health"), f.get("slowstart"), get(f, "natives"), get(f, "members"), get(f, "id"),
            get(f, "_type")),
            "id", TEXT, "_type", TEXT, "key", TEXT, "type", TEXT, "name", TEXT, "version", TEXT, "versions", OBJECT,
            "balance", TEXT, "host", TEXT, "mode", TEXT, "health", HEALTH, "slowstart", RAW, "natives", TEXTS,
            "members", listOf(MEMBER));

    /** What reading an item at {@code path} threw, already saying where: passed on as it is. */
    private static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs a model factory; what it refuses becomes {@code path.field: reason}. */
    private static <T> T create(String path, java.util.function.Supplier<T> factory) {
        try {
            return factory.get();
        } catch (Refused e) {
            throw e;
        } catch (RuntimeException e) {
            if (e instanceof ModelRefusal r) {
                throw new Refused(r.describeAt(path), e);
            }
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new Refused(path.isEmpty() ? why : path + ": " + why, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object tree, String path) {
        if (!(tree instanceof Map<?, ?> map)) {
            throw refused(path, "must be an object, not " + kind(tree));
        }
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                throw refused(path, "a field name must be text, not " + kind(k));
            }
        }
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> array(Object tree, String path) {
        if (!(tree instanceof List<?> list)) {
            throw refused(path, "must be an array, not " + kind(tree));
        }
        return (List<Object>) list;
    }

    private static Refused refused(String path, String reason) {
        return new Refused(path == null || path.isEmpty() ? reason : path + ": " + reason, null);
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String s) {
            return "text " + Checks.quote(s);
        }
        if (v instanceof Boolean || v instanceof Number) {
            return v.toString();
        }
        return "a " + v.getClass().getSimpleName();
    }
}
