package io.thalassa.consul;

import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.kiwiproject.consul.AgentClient;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.model.agent.ImmutableRegCheck;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * A registry backed by a Consul agent: the members of {@code name}/{@code version} are the instances of the Consul
 * service {@code name} whose checks all pass and whose service meta {@code version} equals {@code version}.
 *
 * <pre>{@code
 * try (ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", 8500).datacenter("dc1").build()) {
 *     registry.subscribe("myapp", "1.0.0", members -> System.out.println(members));
 * }
 * }</pre>
 *
 * <ul>
 *   <li>One watcher per subscribed service name, shared by every version of it, with blocking queries
 *       ({@code /v1/health/service/<name>?passing&index=..&wait=..}); the index resets to 0 when it goes backwards.
 *       Every request is bounded by a read timeout longer than the wait, so a hung agent is noticed.</li>
 *   <li>When the agent cannot be reached the last member sets stay, {@link #health()} says unavailable with the error,
 *       one {@code registryUnavailable} event is sent, and the watcher retries with exponential backoff (100 ms up to
 *       5 s by default) until a {@code registryRecovered} event.</li>
 *   <li>{@link #register} creates an agent service with a TTL check that it marks passing at once and on every
 *       refresh; an instance that stops refreshing goes critical after its TTL and leaves the members.</li>
 * </ul>
 */
public final class ConsulRegistry implements Registry {
    private static final Logger log = LoggerFactory.getLogger(ConsulRegistry.class);
    private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builderWithJackson2Defaults()
            .build();
    private static final Pattern META_KEY = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern SERVICE_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~+-]{0,99}");

    /** Defaults of the builder. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8500;
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RETRY_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DEREGISTER_CRITICAL_AFTER = Duration.ofMinutes(1);
    public static final String DEFAULT_VERSION_META_KEY = "version";
    /** Consul's default {@code limits.http_max_conns_per_client}: the blocking watches one agent takes from us. */
    static final int CONNECTIONS_PER_CLIENT = 200;

    final String host;
    final int port;
    final String datacenter;
    final String aclToken;
    final Duration wait;
    final Duration requestTimeout;
    final Duration retryMin;
    final Duration retryMax;
    private final Duration deregisterCriticalAfter;
    final String versionKey;
    final String label;

    private final Consul consul;
    final OkHttpClient http;
    private final ExecutorService delivery;
    final Map<String, ServiceWatcher> watchers = new HashMap<>();
    final io.thalassa.internal.Watchdog watchdog = new io.thalassa.internal.Watchdog("thalassa-consul-watchdog");
    final Duration watchBound;
    private final Map<String, Registration> registered = new ConcurrentHashMap<>();
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object healthLock = new Object();
    private volatile RegistryHealth health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ConsulRegistry(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.datacenter = b.datacenter;
        this.aclToken = b.aclToken;
        this.wait = b.wait;
        this.requestTimeout = b.requestTimeout;
        this.retryMin = b.retryMin;
        this.retryMax = b.retryMax;
        this.deregisterCriticalAfter = b.deregisterCriticalAfter;
        this.versionKey = b.versionKey;
        this.label = "consul " + hostForUrl(host) + ":" + port;
        this.health = RegistryHealth.connected(Instant.now());
        this.consul = AgentClients.consul(host, port, aclToken, requestTimeout, requestTimeout);
        Duration readTimeout = AgentClients.blockingReadTimeout(wait, requestTimeout);
        // Consul answers a blocking query within wait + wait/16; a watch silent past that plus a margin (or past its
        // longest backoff) is restarted, before the call's own timeout
        this.watchBound = max(wait.plus(wait.dividedBy(16)), retryMax).plus(max(Duration.ofSeconds(1),
                requestTimeout.dividedBy(2)));
        this.http = new OkHttpClient.Builder().connectTimeout(requestTimeout).readTimeout(readTimeout)
                .writeTimeout(requestTimeout).callTimeout(readTimeout.plus(requestTimeout))
                .connectionPool(new ConnectionPool(8, 1, TimeUnit.MINUTES)).retryOnConnectionFailure(false).build();
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "thalassa-consul-delivery");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        servicePart("name", name);
        servicePart("version", version);
        Objects.requireNonNull(members, "members");
        ServiceWatcher.Sub sub = new ServiceWatcher.Sub(version, members);
        ServiceWatcher w;
        synchronized (watchers) {
            ensureOpen();
            w = watchers.get(name);
            if (w == null) {
                w = new ServiceWatcher(this, name);
                watchers.put(name, w);
                w.start();
                if (watchers.size() == CONNECTIONS_PER_CLIENT + 1) {
                    log.warn("{} - {} service names are watched, one blocking query (one HTTP connection) each; a"
                            + " Consul agent accepts {} connections per client by default: raise limits {{"
                            + " http_max_conns_per_client }} on the agent, or the watches past it fail and retry",
                            label, watchers.size(), CONNECTIONS_PER_CLIENT);
                }
            }
            w.subs.add(sub);
        }
        ServiceWatcher watcher = w;
        execute(() -> watcher.deliver(sub));
        return () -> {
            sub.close();
            synchronized (watchers) {
                watcher.subs.remove(sub);
                if (watcher.subs.isEmpty() && watchers.get(name) == watcher) {
                    watchers.remove(name);
                    watcher.stop();
                }
            }
        };
    }

    /**
     * Registers an agent service {@code name} at {@code host:port} with the registration's meta (values as strings,
     * plus the version key) and a TTL check, marked passing at once; registering again refreshes it.
     *
     * @throws IllegalArgumentException      when a meta key is not 1..128 of {@code [A-Za-z0-9_-]}, a value is longer
     *                                       than 512 characters, or there are more than 63 entries
     * @throws RegistryUnavailableException when the agent cannot be reached
     */
    @Override
    public void register(Registration registration) {
        Objects.requireNonNull(registration, "registration");
        ensureOpen();
        Registration r = registration.refreshedAt(Instant.now());
        String serviceId = serviceId(r.name(), r.version(), r.host(), r.port());
        Map<String, String> meta = consulMeta(r);
        Registration previous = registered.get(serviceId);
        AgentClient agent = consul.agentClient();
        try {
            boolean sameDefinition = previous != null && previous.meta().equals(r.meta())
                    && previous.ttl().equals(r.ttl());
            if (!sameDefinition || !passed(agent, serviceId)) {
                // New, changed, or unknown to the agent (e.g. the agent was restarted): (re-)register, then pass.
                ImmutableRegCheck check = ImmutableRegCheck.builder().ttl(seconds(r.ttl()))
                        .deregisterCriticalServiceAfter(seconds(deregisterCriticalAfter)).status("passing")
                        .notes("kept passing by Thalassa while the registration is refreshed").build();
                agent.register(ImmutableRegistration.builder().id(serviceId).name(r.name()).address(r.host())
                        .port(r.port()).meta(meta).check(check).build());
                if (!passed(agent, serviceId)) {
                    throw new ConsulException("the agent did not accept a pass for the TTL check of " + serviceId);
                }
            }
            reachable();
        } catch (ConsulException e) {
            throw failure("register " + r.id(), e);
        }
        registered.put(serviceId, r);
    }

    /** Marks the TTL check passing; false when the agent does not know the check (answered with an error code). */
    private static boolean passed(AgentClient agent, String serviceId) {
        try {
            agent.pass(serviceId);
            return true;
        } catch (org.kiwiproject.consul.NotRegisteredException e) {
            return false;
        } catch (ConsulException e) {
            if (e.hasCode() && e.getCode() != 403) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean deregister(String name, String version, String host, int port) {
        ensureOpen();
        String serviceId = serviceId(servicePart("name", name), servicePart("version", version), host, port);
        Registration known = registered.remove(serviceId);
        try {
            consul.agentClient().deregister(serviceId);
            reachable();
        } catch (ConsulException e) {
            if (e.hasCode() && e.getCode() != 403) {
                log.debug("{} - deregister of {}: {}", label, serviceId, e.getMessage());
                return known != null;
            }
            if (known != null) {
                registered.put(serviceId, known);
            }
            throw failure("deregister /" + name + "/" + version + "/" + host + "/" + port, e);
        }
        return known != null;
    }

    /** The instances registered through this registry object (not every instance in Consul), sorted by id. */
    @Override
    public List<Registration> registrations(String name, String version) {
        TreeMap<String, Registration> sorted = new TreeMap<>();
        for (Registration r : registered.values()) {
            if ((name == null || name.equals(r.name())) && (version == null || version.equals(r.version()))) {
                sorted.put(r.id(), r);
            }
        }
        return new ArrayList<>(sorted.values());
    }

    @Override
    public RegistryHealth health() {
        return health;
    }

    /** {@code consul}. */
    @Override
    public String kind() {
        return "consul";
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The Consul service id used for an instance: its registration id with unsafe characters escaped. */
    public static String serviceId(String name, String version, String host, int port) {
        return escape(name) + "~" + escape(version) + "~" + escape(host) + "~" + port;
    }

    /** Stops the watchers (cancelling their requests) and the HTTP clients; agent services stay. Safe twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ServiceWatcher> all;
        synchronized (watchers) {
            all = new ArrayList<>(watchers.values());
            watchers.clear();
        }
        watchdog.close();
        for (ServiceWatcher w : all) {
            w.stop();
        }
        for (ServiceWatcher w : all) {
            w.join();
        }
        delivery.shutdown();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consul.destroy();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // --- internals ---

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the Consul registry is closed");
        }
    }

    private RuntimeException failure(String what, RuntimeException e) {
        if (e instanceof ConsulException ce && ce.hasCode() && ce.getCode() >= 400 && ce.getCode() < 500) {
            return new IllegalArgumentException(label + " refused to " + what + ": " + ce.getMessage(), ce);
        }
        unreachable(e);
        return new RegistryUnavailableException(label + " - could not " + what + ": " + e.getMessage(), e);
    }

    void reachable() {
        ThalassaEvent event = null;
        synchronized (healthLock) {
            if (!health.isConnected()) {
                Instant down = health.since();
                health = RegistryHealth.connected(Instant.now());
                event = ThalassaEvent.now(ThalassaEvent.Verb.REGISTRY_RECOVERED, label, "answering again after "
                        + Duration.between(down, health.since()).toMillis() + " ms");
                log.info("{} - answering again", label);
            }
        }
        if (event != null) {
            emit(event);
        }
    }

    void unreachable(Throwable e) {
        ThalassaEvent event = null;
        String detail = describe(e);
        synchronized (healthLock) {
            if (health.isConnected()) {
                health = RegistryHealth.unavailable(Instant.now(), detail);
                event = ThalassaEvent.now(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, label, detail
                        + "; keeping the last member sets and retrying");
                log.warn("{} - unavailable, keeping the last member sets and retrying: {}", label, detail);
            } else if (!health.detail().equals(detail)) {
                health = RegistryHealth.unavailable(health.since(), detail);
            }
        }
        if (event != null) {
            emit(event);
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && root.getMessage() != null
                && root.getMessage().equals(String.valueOf(root.getCause()))) {
            root = root.getCause();
        }
        String type = e instanceof InterruptedIOException ? "timeout" : root.getClass().getSimpleName();
        return type + ": " + root.getMessage();
    }

    void emit(ThalassaEvent e) {
        execute(() -> Events.deliver(listeners, e, log, label));
    }

    void execute(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("{} - closed, dropping a delivery", label);
        }
    }

    private Map<String, String> consulMeta(Registration r) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : r.meta().entrySet()) {
            if (!META_KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("meta key must be 1..128 characters of [A-Za-z0-9_-] for Consul: "
                        + quote(e.getKey()));
            }
            String value = stringify(e.getValue());
            if (value.length() > 512) {
                throw new IllegalArgumentException("meta " + e.getKey() + " must be at most 512 characters for"
                        + " Consul: " + value.length());
            }
            meta.put(e.getKey(), value);
        }
        meta.put(versionKey, r.version());
        if (meta.size() > 64) {
            throw new IllegalArgumentException("meta must have at most 63 entries for Consul: " + (meta.size() - 1));
        }
        return meta;
    }

    private static String stringify(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        try {
            return JSON.writeValueAsString(v);
        } catch (JacksonException e) {
            return String.valueOf(v);
        }
    }

    private static String escape(String part) {
        StringBuilder sb = new StringBuilder(part.length() + 8);
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
                sb.append(c);
            } else {
                sb.append('_').append(String.format(Locale.ROOT, "%02x", (int) c & 0xff));
            }
        }
        return sb.toString();
    }

    private static String seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000) + "s";
    }

    private static String servicePart(String field, String value) {
        if (value == null || !SERVICE_PART.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " must be 1..100 characters of [A-Za-z0-9._~+-] starting with"
                    + " a letter or digit: " + quote(value));
        }
        return value;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Fluent builder of a {@link ConsulRegistry}. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String datacenter;
        private String aclToken;
        private Duration wait = DEFAULT_WAIT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration retryMin = DEFAULT_RETRY_MIN;
        private Duration retryMax = DEFAULT_RETRY_MAX;
        private Duration deregisterCriticalAfter = DEFAULT_DEREGISTER_CRITICAL_AFTER;
        private String versionKey = DEFAULT_VERSION_META_KEY;

        private Builder() {
        }

        /**
         * The agent's HTTP address; default 127.0.0.1:8500.
         *
         * @throws IllegalArgumentException when host is blank or port not in 1..65535
         */
        public Builder agent(String host, int port) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("consul host is required: " + quote(host));
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("consul port must be in 1..65535: " + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /** The datacenter to watch; null (the default) means the agent's own. */
        public Builder datacenter(String datacenter) {
            if (datacenter != null && !datacenter.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new IllegalArgumentException("datacenter must be 1..64 characters of [A-Za-z0-9_.-]: "
                        + quote(datacenter));
            }
            this.datacenter = datacenter;
            return this;
        }

        /** The ACL token sent with every request; null (the default) sends none. */
        public Builder aclToken(String aclToken) {
            this.aclToken = AgentClients.aclToken(aclToken);
            return this;
        }

        /**
         * How long one blocking query may wait for a change; default 30 s.
         *
         * @throws IllegalArgumentException when not in 1 s..10 min
         */
        public Builder wait(Duration wait) {
            this.wait = Checks.duration("wait", wait, Duration.ofSeconds(1), Duration.ofMinutes(10));
            return this;
        }

        /**
         * The timeout of agent calls (register, pass, deregister), added to the wait for blocking queries;
         * default 5 s.
         *
         * @throws IllegalArgumentException when not in 100 ms..60 s
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.duration("requestTimeout", timeout, Duration.ofMillis(100),
                    Duration.ofSeconds(60));
            return this;
        }

        /**
         * The first and the longest pause between retries while the agent is unreachable (doubling, each pause drawn
         * from its upper half so watches that failed together do not retry together); default 100 ms and 5 s.
         *
         * @throws IllegalArgumentException when min is not in 1 ms..max, or max not in min..5 min
         */
        public Builder retryBackoff(Duration min, Duration max) {
            this.retryMin = Checks.duration("retryBackoff min", min, Duration.ofMillis(1), Duration.ofMinutes(5));
            this.retryMax = Checks.duration("retryBackoff max", max, min, Duration.ofMinutes(5));
            return this;
        }

        /**
         * How long Consul keeps a service whose TTL check is critical before removing it; default 1 min.
         *
         * @throws IllegalArgumentException when not in 1 min..1 day (Consul's minimum is one minute)
         */
        public Builder deregisterCriticalServiceAfter(Duration after) {
            this.deregisterCriticalAfter = Checks.duration("deregisterCriticalServiceAfter", after,
                    Duration.ofMinutes(1),
                    Duration.ofDays(1));
            return this;
        }

        /**
         * The service meta key holding the version; default {@code version}.
         *
         * @throws IllegalArgumentException when not 1..128 characters of [A-Za-z0-9_-]
         */
        public Builder versionMetaKey(String key) {
            if (key == null || !META_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("versionMetaKey must be 1..128 characters of [A-Za-z0-9_-]: "
                        + quote(key));
            }
            this.versionKey = key;
            return this;
        }

        /** Creates the registry; it connects lazily, so a Consul that is down now is no error. */
        public ConsulRegistry build() {
            return new ConsulRegistry(this);
        }
    }
}
