package io.thalassa;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Natives;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A pool of servers ("members") with its balance algorithm and health check: an HAProxy {@code backend} section.
 *
 * <p>A <em>dynamic</em> backend takes its members from a registry: every healthy instance registered under its
 * service name and version. A <em>static</em> backend lists its members itself.
 *
 * <p>A dynamic backend may split its traffic between versions instead ({@link #withSplit(Map)}, JSON
 * {@code "versions": {"1.0.0": 95, "2.0.0": 5}}): the instances of every version in the split are members, weighted
 * so that each version serves its share ({@link SplitWeights}). Its {@code version} is then the split's
 * {@linkplain VersionSplit#primaryVersion() primary version}. A split needs a balance algorithm that takes weights at
 * run time ({@link Balance#honoursRuntimeWeights()}). Without a split the JSON shape is the original's.
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
@JsonPropertyOrder({"id", "_type", "key", "type", "name", "version", "versions", "balance", "host", "mode", "health",
        "slowstart", "natives", "members"})
public final class Backend {
    private static final Checks.Name KEY = Checks.Name.of("key", "backend key");
    private static final Checks.Name SLOWSTART = Checks.Name.of("slowstart", "slowstart");
    /** {@link #slowstart()} when none is given: 10 seconds. */
    public static final Duration DEFAULT_SLOWSTART = Duration.ofSeconds(10);
    private static final Pattern HOST_HEADER = Pattern.compile("[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]{2,45}\\](:[0-9]{1,5})?");

    private final String key;
    private final BackendType type;
    private final String serviceName;
    private final String serviceVersion;
    private final VersionSplit split;
    private final Balance balance;
    private final Mode mode;
    private final String host;
    private final HealthCheck health;
    private final Duration slowstart;
    private final List<String> natives;
    private final List<Member> members;

    private Backend(Builder b) {
        this.key = b.key;
        this.type = b.type;
        this.serviceName = b.serviceName;
        this.split = b.split;
        this.serviceVersion = b.split == null ? b.serviceVersion : b.split.primaryVersion();
        this.balance = b.balance;
        this.mode = b.mode;
        this.host = b.host;
        this.health = b.health;
        this.slowstart = b.slowstart;
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
        return new Builder(Checks.identifier(KEY, key), BackendType.DYNAMIC);
    }

    /**
     * Starts a static backend, whose members are given with {@code member(...)}.
     *
     * @throws IllegalArgumentException when the key is not an HAProxy identifier
     */
    public static Builder staticBackend(String key) {
        return new Builder(Checks.identifier(KEY, key), BackendType.STATIC);
    }

    /** Starts a backend of the given type. */
    public static Builder builder(String key, BackendType type) {
        return new Builder(Checks.identifier(KEY, key), Checks.notNull("type", type));
    }

    @JsonCreator
    static Backend fromJson(@JsonProperty("key") String key, @JsonProperty("type") String type,
            @JsonProperty("name") String name, @JsonProperty("version") String version,
            @JsonProperty("versions") Map<String, Object> versions, @JsonProperty("balance") String balance, @JsonProperty("host") String host,
            @JsonProperty("mode") String mode, @JsonProperty("health") HealthCheck health,
            @JsonProperty("slowstart") Object slowstart, @JsonProperty("natives") List<String> natives, @JsonProperty("members") List<Member> members,
            @JsonProperty("id") String ignoredId, @JsonProperty("_type") String ignoredType) {
        Builder b = builder(key, BackendType.of(Checks.notNull("type", type)));
        if (b.type == BackendType.DYNAMIC && versions != null) {
            VersionSplit split = VersionSplit.parse(versions);
            if (version != null && !split.contains(version)) {
                throw new InvalidValueException("version", version, "version " + Checks.quote(version)
                        + " is not one of versions " + split + "; give versions alone");
            }
            b.service(Checks.notNull("name", name), split.primaryVersion()).split(split);
        } else if (b.type == BackendType.DYNAMIC) {
            b.service(Checks.notNull("name", name), Checks.notNull("version", version));
        } else {
            if (name != null || version != null || versions != null) {
                String field = name != null ? "name" : version != null ? "version" : "versions";
                Object value = name != null ? name : version != null ? version : String.valueOf(versions);
                throw new InvalidValueException(field, value, "name and version are only allowed for dynamic backends");
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
        if (slowstart != null) {
            b.slowstart(Duration.ofMillis(Checks.wholeNumber(SLOWSTART, slowstart)));
        }
        if (natives != null) {
            b.natives(natives);
        }
        return b.build();
    }

    @JsonProperty("key")
    public String key() {
        return key;
    }

    /** {@code backend/<key>}, the id in the REST API and in events. */
    @JsonProperty("id")
    public String id() {
        return idOf(key);
    }

    /** {@code backend/<key>}: the one way Thalassa writes a backend's id (REST API, events, configuration stores). */
    public static String idOf(String key) {
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

    /**
     * The registry service version of a dynamic backend (with a split, its primary version); null for a static one.
     */
    @JsonProperty("version")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String serviceVersion() {
        return serviceVersion;
    }

    /** The version split of a dynamic backend, empty for a single version (the default) and for a static backend. */
    public Optional<VersionSplit> split() {
        return Optional.ofNullable(split);
    }

    @JsonProperty("versions")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Map<String, Integer> versionsForJson() {
        return split == null ? null : split.weights();
    }

    /**
     * The versions a dynamic backend subscribes to: every version of its split (also those at weight 0), or its one
     * version; empty for a static backend.
     */
    public java.util.SortedSet<String> serviceVersions() {
        if (serviceName == null) {
            return java.util.Collections.emptySortedSet();
        }
        return split == null ? new java.util.TreeSet<>(List.of(serviceVersion))
                : new java.util.TreeSet<>(split.weights().keySet());
    }

    /**
     * Whether members registered under {@code version} are members of this backend: its one version, or a version
     * of its split with a weight above 0.
     */
    public boolean servesVersion(String version) {
        return split == null ? Objects.equals(serviceVersion, version) : split.weight(version) > 0;
    }

    /** {@code name@version}, or {@code name@1.0.0:95,2.0.0:5} with a split; null for a static backend. */
    public String serviceDescription() {
        return serviceName == null ? null : serviceName + "@" + (split == null ? serviceVersion : split.toString());
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

    /**
     * How long a member takes to get its full share of new requests once it is ready (after its first check passed,
     * and when it comes back UP): HAProxy's {@code slowstart}, the weight ramping up over this time. 0 for at once;
     * default 10 s.
     */
    @JsonIgnore
    public Duration slowstart() {
        return slowstart;
    }

    /** {@link #slowstart()} in milliseconds, as in JSON ({@code "slowstart": 10000}). */
    @JsonProperty("slowstart")
    public long slowstartMillis() {
        return slowstart.toMillis();
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

    /**
     * The same dynamic backend subscribed to another service version (a version switch), without a split; members
     * are kept.
     */
    public Backend withService(String name, String version) {
        return toBuilder().service(name, version).build();
    }

    /**
     * The same dynamic backend splitting its traffic between versions of its service, e.g.
     * {@code withSplit(Map.of("1.0.0", 90, "2.0.0", 10))}: a membership change, applied with no reload. A split of
     * one version is a version switch to it.
     *
     * @throws IllegalArgumentException naming {@code versions} when the split is invalid (see {@link VersionSplit#of})
     * @throws IllegalStateException    when the backend is static, or its balance ignores weights at run time
     */
    public Backend withSplit(Map<String, Integer> versions) {
        return toBuilder().split(VersionSplit.of(versions)).build();
    }

    /**
     * Whether {@code other} differs from this backend only in members and, for dynamic backends, in the service it
     * subscribes to: no setting of the section changes. (Whether HAProxy reloads for it is the controller's to
     * decide: a backend that outgrows its slots may need one.)
     */
    public boolean sameStructure(Backend other) {
        return key.equals(other.key) && type == other.type && balance.equals(other.balance) && mode == other.mode
                && Objects.equals(host, other.host) && Objects.equals(health, other.health)
                && slowstart.equals(other.slowstart) && natives.equals(other.natives);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Backend b && sameStructure(b) && Objects.equals(serviceName, b.serviceName)
                && Objects.equals(serviceVersion, b.serviceVersion) && Objects.equals(split, b.split)
                && members.equals(b.members);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, type, serviceName, serviceVersion, split, balance, mode, host, health, slowstart,
                natives, members);
    }

    @Override
    public String toString() {
        return "Backend{key=" + key + ", type=" + type.wireName()
                + (serviceName == null ? "" : ", service=" + serviceDescription())
                + ", balance=" + balance + ", mode=" + mode.wireName() + ", host=" + host + ", health=" + health
                + ", slowstart=" + slowstart.toMillis() + "ms, natives=" + natives + ", members=" + members.size() + "}";
    }

    /** Fluent builder of a {@link Backend}; balance defaults to roundrobin, mode to http. */
    public static final class Builder {
        private final String key;
        private final BackendType type;
        private String serviceName;
        private String serviceVersion;
        private VersionSplit split;
        private Balance balance = Balance.ROUNDROBIN;
        private Mode mode = Mode.HTTP;
        private String host;
        private HealthCheck health;
        private Duration slowstart = DEFAULT_SLOWSTART;
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
            this.split = b.split;
            this.balance = b.balance;
            this.mode = b.mode;
            this.host = b.host;
            this.health = b.health;
            this.slowstart = b.slowstart;
            this.natives = new ArrayList<>(b.natives);
            this.members = new ArrayList<>(b.members);
        }

        /**
         * Subscribes a dynamic backend to the instances registered under {@code name} and {@code version}; removes a
         * split.
         *
         * @throws IllegalArgumentException when the backend is static, or name or version is not a plain token
         */
        public Builder service(String name, String version) {
            if (type != BackendType.DYNAMIC) {
                throw new InvalidValueException("name", name, "name and version are only allowed for dynamic"
                        + " backends; " + key + " is static");
            }
            this.serviceName = Checks.servicePart("name", name);
            this.serviceVersion = Checks.servicePart("version", version);
            this.split = null;
            return this;
        }

        /**
         * Splits the traffic between versions of the service; a split of one version is that version alone.
         * {@code service(name, ...)} must come first; null removes the split, keeping the primary version.
         *
         * @throws IllegalArgumentException naming {@code versions} when the backend is static, {@code name} when it
         *                                  has no service name yet
         */
        public Builder split(VersionSplit split) {
            if (type != BackendType.DYNAMIC) {
                throw new InvalidValueException("versions", split == null ? null : split.toString(), "versions are"
                        + " only allowed for dynamic backends; " + key + " is static");
            }
            if (split == null) {
                this.split = null;
                return this;
            }
            if (serviceName == null) {
                throw new InvalidValueException("name", null, "versions need the service name first:"
                        + " service(name, version)");
            }
            this.serviceVersion = split.primaryVersion();
            this.split = split.isSingleVersion() ? null : split;
            return this;
        }

        /** {@link #split(VersionSplit)} from version to weight. */
        public Builder split(Map<String, Integer> versions) {
            return split(VersionSplit.of(versions));
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
                throw new InvalidValueException("host", host, "host must be a host name or address with an optional"
                        + " port: " + Checks.quote(host));
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

        /**
         * Sets {@link Backend#slowstart()}: 0..1 h, whole milliseconds.
         *
         * @throws IllegalArgumentException naming {@code slowstart} when out of range
         */
        public Builder slowstart(Duration slowstart) {
            Checks.notNull(SLOWSTART, slowstart);
            if (slowstart.isNegative() || slowstart.compareTo(Duration.ofHours(1)) > 0) {
                throw new InvalidValueException("slowstart", slowstart.toMillis(), "slowstart must be in 0..3600000 ms: "
                        + slowstart.toMillis());
            }
            this.slowstart = Duration.ofMillis(slowstart.toMillis());
            return this;
        }

        /** Adds one raw directive; see {@link Frontend.Builder#nativeLine(String)}. */
        public Builder nativeLine(String line) {
            natives.add(Natives.check("natives", natives.size(), line));
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
            members.add(Checks.notNull(Checks.Name.of("members[" + members.size() + "]", "member"), member));
            return this;
        }

        /** Replaces the members. */
        public Builder members(Collection<Member> members) {
            Checks.notNull("members", members);
            List<Member> copy = new ArrayList<>(members.size());
            for (Member m : members) {
                copy.add(Checks.notNull(Checks.Name.of("members[" + copy.size() + "]", "members entry"), m));
            }
            this.members = copy;
            return this;
        }

        /**
         * @throws InvalidModelException naming the field to change: {@code name} when a dynamic backend has no
         *                               service, {@code versions} when a split's balance ignores weights,
         *                               {@code health}, {@code balance} or {@code host} when it needs mode http and
         *                               the mode is tcp, {@code health.httpVersion} when HTTP/1.1 checks lack a host,
         *                               {@code members[i]} when a member repeats an address
         */
        public Backend build() {
            if (type == BackendType.DYNAMIC && serviceName == null) {
                throw new InvalidModelException("name", null, "backend " + key
                        + ": dynamic backends need name and version");
            }
            if (split != null && !balance.honoursRuntimeWeights()) {
                throw new InvalidModelException("versions", split.toString(), "backend " + key + ": versions need a"
                        + " balance that takes weights at run time (roundrobin, leastconn or random); balance "
                        + balance + " ignores them");
            }
            if (mode == Mode.TCP) {
                if (health != null) {
                    throw new InvalidModelException("health", null, "backend " + key + ": health checks need mode http");
                }
                if (balance.needsHttp()) {
                    throw new InvalidModelException("balance", balance.toString(), "backend " + key + ": balance "
                            + balance + " needs mode http");
                }
                if (host != null) {
                    throw new InvalidModelException("host", host, "backend " + key + ": host needs mode http");
                }
            }
            if (health != null && health.httpVersion() == HealthCheck.HttpVersion.HTTP_1_1 && host == null) {
                throw new InvalidModelException("health.httpVersion", health.httpVersion().wireName(), "backend " + key
                        + ": health httpVersion HTTP/1.1 needs host");
            }
            Set<String> addresses = new HashSet<>();
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                if (!addresses.add(m.address())) {
                    throw new InvalidModelException("members[" + i + "]", m.address(), "backend " + key + ": members list "
                            + m.address() + " twice");
                }
            }
            return new Backend(this);
        }
    }
}
