package io.thalassa;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Natives;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A set of listening sockets accepting client connections, with a default backend and routing rules: an HAProxy
 * {@code frontend} section.
 *
 * <pre>{@code
 * Frontend web = Frontend.builder("web")
 *     .bind("127.0.0.1:8080")
 *     .defaultBackend("live")
 *     .rule(Rule.header("host", Rule.Operation.HDR_DOM, "staged.example.com", "staged"))
 *     .tls(Tls.of("example.com"))        // TLS termination, HTTP/2 through ALPN
 *     .build();
 * }</pre>
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"id", "_type", "key", "name", "bind", "backend", "mode", "keepalive", "tls", "rules", "natives"})
public final class Frontend {
    private static final Checks.Name KEY = Checks.Name.of("key", "frontend key");

    private final String key;
    private final List<Bind> binds;
    private final String defaultBackend;
    private final Mode mode;
    private final KeepAlive keepAlive;
    private final Tls tls;
    private final List<Rule> rules;
    private final List<String> natives;

    private Frontend(Builder b) {
        this.key = b.key;
        this.binds = List.copyOf(b.binds);
        this.defaultBackend = b.defaultBackend;
        this.mode = b.mode;
        this.keepAlive = b.keepAlive;
        this.tls = b.tls;
        this.rules = List.copyOf(b.rules);
        this.natives = List.copyOf(b.natives);
    }

    /**
     * Starts a frontend; {@code bind} and {@code defaultBackend} are required before {@code build()}.
     *
     * @throws IllegalArgumentException when the key is not an HAProxy identifier
     */
    public static Builder builder(String key) {
        return new Builder(Checks.identifier(KEY, key));
    }

    @JsonCreator
    static Frontend fromJson(@JsonProperty("key") String key, @JsonProperty("bind") String bind,
            @JsonProperty("backend") String backend, @JsonProperty("mode") String mode,
            @JsonProperty("keepalive") String keepAlive, @JsonProperty("tls") Tls tls,
            @JsonProperty("rules") List<Rule> rules,
            @JsonProperty("natives") List<String> natives, @JsonProperty("id") String ignoredId,
            @JsonProperty("_type") String ignoredType, @JsonProperty("name") String ignoredName) {
        Builder b = builder(key).bind(Checks.notNull("bind", bind)).defaultBackend(backend);
        if (mode != null) {
            b.mode(Mode.of(mode));
        }
        if (keepAlive != null) {
            b.keepAlive(KeepAlive.of(keepAlive));
        }
        if (rules != null) {
            b.rules(rules);
        }
        if (natives != null) {
            b.natives(natives);
        }
        return b.tls(tls).build();
    }

    @JsonProperty("key")
    public String key() {
        return key;
    }

    /** {@code frontend/<key>}, the id in the REST API and in events. */
    @JsonProperty("id")
    public String id() {
        return idOf(key);
    }

    /** {@code frontend/<key>}: the one way Thalassa writes a frontend's id (REST API, events, configuration stores). */
    public static String idOf(String key) {
        return "frontend/" + key;
    }

    @JsonProperty("_type")
    String type() {
        return "frontend";
    }

    /** The key again, as the original's frontends show it ({@code "name": "myapp"}); read-only in JSON. */
    @JsonProperty("name")
    String name() {
        return key;
    }

    public List<Bind> binds() {
        return binds;
    }

    /**
     * Every TCP address this frontend's section opens: its binds and those of {@code bind} natives (allowed only
     * with {@link NativePolicy#UNRESTRICTED}); what the overlap check of {@link ThalassaConfig} compares.
     */
    public List<Bind> listeners() {
        if (natives.isEmpty()) {
            return binds;
        }
        List<Bind> all = new ArrayList<>();
        listenersByField().forEach(l -> all.addAll(l.binds()));
        return all;
    }

    /**
     * {@link #listeners()} by the field that opens them: {@code bind} (value null: each bind is its own value), then
     * each {@code natives[i]} that opens one (value: the native).
     *
     * @throws InvalidValueException naming {@code natives[i]} when the address of a bind native cannot be read
     */
    List<Listeners> listenersByField() {
        List<Listeners> out = new ArrayList<>();
        out.add(new Listeners("bind", null, binds));
        for (int i = 0; i < natives.size(); i++) {
            List<Bind> opened;
            try {
                opened = io.thalassa.internal.NativeAllowList.listeners(natives.get(i));
            } catch (IllegalArgumentException e) { // the native's own words, or a Bind it names
                throw new InvalidValueException("natives[" + i + "]", natives.get(i), "frontend " + key + ": natives["
                        + i + "]: " + e.getMessage());
            }
            if (!opened.isEmpty()) {
                out.add(new Listeners("natives[" + i + "]", natives.get(i), opened));
            }
        }
        return out;
    }

    /** Listeners one field of a frontend opens; see {@link #listenersByField()}. */
    record Listeners(String field, Object value, List<Bind> binds) {
    }

    /** The binds as a comma-separated list, e.g. {@code *:8080,*:80}. */
    @JsonProperty("bind")
    public String bind() {
        return binds.stream().map(Bind::toString).collect(Collectors.joining(","));
    }

    /** Key of the backend that gets requests no rule matches. */
    @JsonProperty("backend")
    public String defaultBackend() {
        return defaultBackend;
    }

    @JsonProperty("mode")
    public Mode mode() {
        return mode;
    }

    @JsonProperty("keepalive")
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    /** TLS termination of the binds, or null (the default) for plain TCP or HTTP. */
    @JsonProperty("tls")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Tls tls() {
        return tls;
    }

    @JsonProperty("rules")
    public List<Rule> rules() {
        return rules;
    }

    /** Raw configuration lines, one directive each, rendered after everything else in the section. */
    @JsonProperty("natives")
    public List<String> natives() {
        return natives;
    }

    /** Keys of every backend this frontend routes to: the default one first, then each rule's. */
    public List<String> backendKeys() {
        List<String> keys = new ArrayList<>();
        keys.add(defaultBackend);
        for (Rule r : rules) {
            if (!keys.contains(r.backend())) {
                keys.add(r.backend());
            }
        }
        return keys;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Frontend f && key.equals(f.key) && binds.equals(f.binds)
                && defaultBackend.equals(f.defaultBackend) && mode == f.mode && keepAlive == f.keepAlive
                && Objects.equals(tls, f.tls) && rules.equals(f.rules) && natives.equals(f.natives);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, binds, defaultBackend, mode, keepAlive, tls, rules, natives);
    }

    @Override
    public String toString() {
        return "Frontend{key=" + key + ", bind=" + bind() + ", backend=" + defaultBackend + ", mode=" + mode.wireName()
                + ", keepalive=" + keepAlive.wireName() + (tls == null ? "" : ", tls=" + tls) + ", rules=" + rules
                + ", natives=" + natives + "}";
    }

    /** Fluent builder of a {@link Frontend}; mode defaults to http, keep-alive to default. */
    public static final class Builder {
        private final String key;
        private List<Bind> binds = new ArrayList<>();
        private String defaultBackend;
        private Mode mode = Mode.HTTP;
        private KeepAlive keepAlive = KeepAlive.DEFAULT;
        private Tls tls;
        private List<Rule> rules = new ArrayList<>();
        private List<String> natives = new ArrayList<>();

        private Builder(String key) {
            this.key = key;
        }

        private Builder(Frontend f) {
            this.key = f.key;
            this.binds = new ArrayList<>(f.binds);
            this.defaultBackend = f.defaultBackend;
            this.mode = f.mode;
            this.keepAlive = f.keepAlive;
            this.tls = f.tls;
            this.rules = new ArrayList<>(f.rules);
            this.natives = new ArrayList<>(f.natives);
        }

        /**
         * Replaces the binds with a comma-separated list of {@code host:port}, e.g. {@code *:8080,127.0.0.1:80}.
         *
         * @throws IllegalArgumentException naming {@code bind} when the list or an entry is invalid
         */
        public Builder bind(String binds) {
            this.binds = Bind.parseList(binds);
            return this;
        }

        /**
         * Replaces the binds.
         *
         * @throws IllegalArgumentException naming {@code bind} when a bind is null or repeated
         */
        public Builder binds(Collection<Bind> binds) {
            Checks.notNull("bind", binds);
            List<Bind> copy = new ArrayList<>();
            for (Bind bind : binds) {
                Checks.notNull("bind", bind);
                if (copy.contains(bind)) {
                    throw new InvalidValueException("bind", bind.toString(), "bind lists " + bind + " twice");
                }
                copy.add(bind);
            }
            this.binds = copy;
            return this;
        }

        /** @throws IllegalArgumentException when the key is not an HAProxy identifier */
        public Builder defaultBackend(String backendKey) {
            this.defaultBackend = Checks.identifier("backend", backendKey);
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Checks.notNull("mode", mode);
            return this;
        }

        public Builder keepAlive(KeepAlive keepAlive) {
            this.keepAlive = Checks.notNull("keepalive", keepAlive);
            return this;
        }

        /**
         * Terminates TLS on every bind with the named certificates (see {@link Tls}); null for none (the default).
         */
        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        /** Adds a routing rule; rules are evaluated in the order they were added. */
        public Builder rule(Rule rule) {
            rules.add(Checks.notNull(Checks.Name.of("rules[" + rules.size() + "]", "rule"), rule));
            return this;
        }

        /** Replaces the routing rules. */
        public Builder rules(Collection<Rule> rules) {
            Checks.notNull("rules", rules);
            List<Rule> copy = new ArrayList<>();
            for (Rule r : rules) {
                copy.add(Checks.notNull(Checks.Name.of("rules[" + copy.size() + "]", "rules entry"), r));
            }
            this.rules = copy;
            return this;
        }

        /**
         * Adds one raw configuration directive.
         *
         * @throws IllegalArgumentException when it holds a line break or NUL, is blank, or would open a new section
         */
        public Builder nativeLine(String line) {
            natives.add(Natives.check("natives", natives.size(), line));
            return this;
        }

        /** Replaces the raw configuration directives; see {@link #nativeLine(String)}. */
        public Builder natives(Collection<String> lines) {
            this.natives = Natives.checkAll("natives", lines);
            return this;
        }

        /**
         * @throws InvalidModelException naming {@code bind} or {@code backend} when it is missing, {@code rules} or
         *                               {@code keepalive} when a tcp frontend has them (both need http)
         */
        public Frontend build() {
            if (binds.isEmpty()) {
                throw InvalidModelException.missing("bind", "frontend " + key + ": bind is required");
            }
            if (defaultBackend == null) {
                throw InvalidModelException.missing("backend", "frontend " + key + ": backend is required");
            }
            if (mode == Mode.TCP && !rules.isEmpty()) {
                throw new InvalidModelException("rules", null, "frontend " + key
                        + ": rules need mode http, the frontend is tcp");
            }
            if (mode == Mode.TCP && keepAlive != KeepAlive.DEFAULT) {
                throw new InvalidModelException("keepalive", keepAlive.wireName(), "frontend " + key + ": keepalive "
                        + keepAlive.wireName() + " needs mode http, the frontend is tcp");
            }
            return new Frontend(this);
        }
    }
}
