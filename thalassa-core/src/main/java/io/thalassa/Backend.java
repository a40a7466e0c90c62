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
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A pool of servers ("members") with its balance algorithm and health check: an HAProxy {@code backend} section.
 *
 * <p>A <em>dynamic</em> backend takes its members from a registry: every healthy instance registered under its
 * service name and version. A <em>static</em> backend lists its members itself.
 *
 * <pre>{@code
 * Backend live = Backend.dynamic("live")
 *     .service("myapp", "1.0.0")
 *     .balance(Balance.ROUNDROBIN)
 *     .health(h -> h.uri("/health").interval(Duration.ofSeconds(5)))
 *     .build();
 * Backend db = Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 3306).build();
 * }</pre>
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"id", "_type", "key", "type", "name", "version", "balance", "host", "mode", "health", "natives",
        "members"})
public final class Backend {
    private static final Pattern HOST_HEADER = Pattern.compile("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");

    private final String key;
    private final BackendType type;
    private final String serviceName;
    private final String serviceVersion;
    private final Balance balance;
    private final Mode mode;
    private final String host;
    private final HealthCheck health;
    private final List<String> natives;
    private final List<Member> members;

    private Backend(Builder b) {
        this.key = b.key;
        this.type = b.type;
        this.serviceName = b.serviceName;
        this.serviceVersion = b.serviceVersion;
        this.balance = b.balance;
        this.mode = b.mode;
        this.host = b.host;
        this.health = b.health;
        this.natives = List.copyOf(b.natives);
        List<Member> sorted = new ArrayList<>(b.members);
        sorted.sort(Member.BY_ADDRESS);
        this.members = List.copyOf(sorted);
    }

    /**
     * Starts a dynamic backend; {@code service(name, version)} is required before {@code build()}.
     *
     * @throws IllegalArgumentException when the key is not an HAProxy identifier
     */
    public static Builder dynamic(String key) {
        return new Builder(Checks.identifier("backend key", key), BackendType.DYNAMIC);
    }

    /**
     * Starts a static backend, whose members are given with {@code member(...)}.
     *
     * @throws IllegalArgumentException when the key is not an HAProxy identifier
     */
    public static Builder staticBackend(String key) {
        return new Builder(Checks.identifier("backend key", key), BackendType.STATIC);
    }

    /** Starts a backend of the given type. */
    public static Builder builder(String key, BackendType type) {
        return new Builder(Checks.identifier("backend key", key), Checks.notNull("type", type));
    }

    @JsonCreator
    static Backend fromJson(@JsonProperty("key") String key, @JsonProperty("type") String type,
            @JsonProperty("name") String name, @JsonProperty("version") String version,
            @JsonProperty("balance") String balance, @JsonProperty("host") String host,
            @JsonProperty("mode") String mode, @JsonProperty("health") HealthCheck health,
            @JsonProperty("natives") List<String> natives, @JsonProperty("members") List<Member> members,
            @JsonProperty("id") String ignoredId, @JsonProperty("_type") String ignoredType) {
        Builder b = builder(key, BackendType.of(Checks.notNull("type", type)));
        if (b.type == BackendType.DYNAMIC) {
            b.service(Checks.notNull("name", name), Checks.notNull("version", version));
        } else {
            if (name != null || version != null) {
                throw new IllegalArgumentException("name and version are only allowed for dynamic backends");
            }
            if (members != null) {
                b.members(members);
            }
        }
        if (balance != null) {
            b.balance(Balance.of(balance));
        }
        if (mode != null) {
            b.mode(Mode.of(mode));
        }
        b.host(host).health(health);
        if (natives != null) {
            b.natives(natives);
        }
        return b.build();
    }

    @JsonProperty("key")
    public String key() {
        return key;
    }

    /** {@code backend/<key>}, the id in the REST API. */
    @JsonProperty("id")
    public String id() {
        return "backend/" + key;
    }

    @JsonProperty("_type")
    String docType() {
        return "backend";
    }

    @JsonProperty("type")
    public BackendType type() {
        return type;
    }

    public boolean isDynamic() {
        return type == BackendType.DYNAMIC;
    }

    /** The registry service name of a dynamic backend; null for a static one. */
    @JsonProperty("name")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String serviceName() {
        return serviceName;
    }

    /** The registry service version of a dynamic backend; null for a static one. */
    @JsonProperty("version")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String serviceVersion() {
        return serviceVersion;
    }

    @JsonProperty("balance")
    public Balance balance() {
        return balance;
    }

    @JsonProperty("mode")
    public Mode mode() {
        return mode;
    }

    /** The Host header sent to members, or null to pass the client's through. */
    @JsonProperty("host")
    public String host() {
        return host;
    }

    /** The HTTP health check, or null for a plain TCP connect check. */
    @JsonProperty("health")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public HealthCheck health() {
        return health;
    }

    /** Raw configuration lines, one directive each, rendered before the server lines. */
    @JsonProperty("natives")
    public List<String> natives() {
        return natives;
    }

    /** The members, sorted by host then port. */
    @JsonProperty("members")
    public List<Member> members() {
        return members;
    }

    /** The same backend with other members (e.g. the registry's current instances). */
    public Backend withMembers(Collection<Member> members) {
        return toBuilder().members(members).build();
    }

    /** The same dynamic backend subscribed to another service version (a version switch); members are kept. */
    public Backend withService(String name, String version) {
        return toBuilder().service(name, version).build();
    }

    /**
     * Whether {@code other} differs from this backend only in members and, for dynamic backends, in the service it
     * subscribes to: a change HAProxy can take through its runtime API without a reload.
     */
    public boolean sameStructure(Backend other) {
        return key.equals(other.key) && type == other.type && balance.equals(other.balance) && mode == other.mode
                && Objects.equals(host, other.host) && Objects.equals(health, other.health)
                && natives.equals(other.natives);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Backend b && sameStructure(b) && Objects.equals(serviceName, b.serviceName)
                && Objects.equals(serviceVersion, b.serviceVersion) && members.equals(b.members);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, type, serviceName, serviceVersion, balance, mode, host, health, natives, members);
    }

    @Override
    public String toString() {
        return "Backend{key=" + key + ", type=" + type.wireName()
                + (serviceName == null ? "" : ", service=" + serviceName + "@" + serviceVersion)
                + ", balance=" + balance + ", mode=" + mode.wireName() + ", host=" + host + ", health=" + health
                + ", natives=" + natives + ", members=" + members.size() + "}";
    }

    /** Fluent builder of a {@link Backend}; balance defaults to roundrobin, mode to http. */
    public static final class Builder {
        private final String key;
        private final BackendType type;
        private String serviceName;
        private String serviceVersion;
        private Balance balance = Balance.ROUNDROBIN;
        private Mode mode = Mode.HTTP;
        private String host;
        private HealthCheck health;
        private List<String> natives = new ArrayList<>();
        private List<Member> members = new ArrayList<>();

        private Builder(String key, BackendType type) {
            this.key = key;
            this.type = type;
        }

        private Builder(Backend b) {
            this.key = b.key;
            this.type = b.type;
            this.serviceName = b.serviceName;
            this.serviceVersion = b.serviceVersion;
            this.balance = b.balance;
            this.mode = b.mode;
            this.host = b.host;
            this.health = b.health;
            this.natives = new ArrayList<>(b.natives);
            this.members = new ArrayList<>(b.members);
        }

        /**
         * Subscribes a dynamic backend to the instances registered under {@code name} and {@code version}.
         *
         * @throws IllegalArgumentException when the backend is static, or name or version is not a plain token
         */
        public Builder service(String name, String version) {
            if (type != BackendType.DYNAMIC) {
                throw new IllegalArgumentException("name and version are only allowed for dynamic backends; "
                        + key + " is static");
            }
            this.serviceName = Checks.servicePart("name", name);
            this.serviceVersion = Checks.servicePart("version", version);
            return this;
        }

        /** Only the version of the subscription, keeping the name (a version switch). */
        public Builder version(String version) {
            Checks.notNull("name", serviceName);
            return service(serviceName, version);
        }

        public Builder balance(Balance balance) {
            this.balance = Checks.notNull("balance", balance);
            return this;
        }

        public Builder mode(Mode mode) {
            this.mode = Checks.notNull("mode", mode);
            return this;
        }

        /**
         * Sets the Host header sent to members; null removes it.
         *
         * @throws IllegalArgumentException when not a host name or address, with an optional port
         */
        public Builder host(String host) {
            if (host != null && !HOST_HEADER.matcher(host).matches()) {
                throw new IllegalArgumentException("host must be a host name or address with an optional port: "
                        + Checks.quote(host));
            }
            this.host = host;
            return this;
        }

        /** Sets the HTTP health check; null means a plain TCP connect check. */
        public Builder health(HealthCheck health) {
            this.health = health;
            return this;
        }

        /** Sets an HTTP health check built from the defaults, e.g. {@code h -> h.uri("/health")}. */
        public Builder health(UnaryOperator<HealthCheck.Builder> edits) {
            this.health = HealthCheck.of(edits);
            return this;
        }

        /** Adds one raw directive; see {@link Frontend.Builder#nativeLine(String)}. */
        public Builder nativeLine(String line) {
            natives.add(Natives.check("natives", line));
            return this;
        }

        public Builder natives(Collection<String> lines) {
            this.natives = Natives.checkAll("natives", lines);
            return this;
        }

        /** Adds a static member. */
        public Builder member(String host, int port) {
            return member(Member.of(host, port));
        }

        /** Adds a member. */
        public Builder member(Member member) {
            members.add(Checks.notNull("member", member));
            return this;
        }

        /** Replaces the members. */
        public Builder members(Collection<Member> members) {
            Checks.notNull("members", members);
            List<Member> copy = new ArrayList<>(members.size());
            for (Member m : members) {
                copy.add(Checks.notNull("members entry", m));
            }
            this.members = copy;
            return this;
        }

        /**
         * @throws IllegalStateException when a dynamic backend has no service, a health check or HTTP balance is used
         *                               in tcp mode, HTTP/1.1 checks lack a host, or two members share an address
         */
        public Backend build() {
            if (type == BackendType.DYNAMIC && serviceName == null) {
                throw new IllegalStateException("backend " + key + ": dynamic backends need name and version");
            }
            if (mode == Mode.TCP) {
                if (health != null) {
                    throw new IllegalStateException("backend " + key + ": health checks need mode http");
                }
                if (balance.needsHttp()) {
                    throw new IllegalStateException("backend " + key + ": balance " + balance + " needs mode http");
                }
                if (host != null) {
                    throw new IllegalStateException("backend " + key + ": host needs mode http");
                }
            }
            if (health != null && health.httpVersion() == HealthCheck.HttpVersion.HTTP_1_1 && host == null) {
                throw new IllegalStateException("backend " + key + ": health httpVersion HTTP/1.1 needs host");
            }
            Set<String> addresses = new HashSet<>();
            for (Member m : members) {
                if (!addresses.add(m.address())) {
                    throw new IllegalStateException("backend " + key + ": members list " + m.address() + " twice");
                }
            }
            return new Backend(this);
        }
    }
}
