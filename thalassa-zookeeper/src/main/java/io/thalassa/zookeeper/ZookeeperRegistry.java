package io.thalassa.zookeeper;

import io.thalassa.InvalidValueException;
import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.common.PathUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry backed by ZooKeeper in Curator's service-discovery layout: the members of {@code name}/{@code version}
 * are the instances under {@code <basePath>/<name>} whose metadata says {@code version} under the version key.
 *
 * <pre>{@code
 * try (ZookeeperRegistry registry = ZookeeperRegistry.builder().connect("127.0.0.1:2181").basePath("/services")
 *         .build()) {
 *     registry.subscribe("myapp", "1.0.0", members -> System.out.println(members));
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Reading.</b> One Curator {@code CuratorCache} per subscribed service name, shared by its versions (a
 *       persistent recursive watch: ZooKeeper 3.6 or later). Each instance znode holds Curator's
 *       {@code ServiceInstance} JSON; its metadata is the payload's {@code metadata} object (Spring Cloud Zookeeper),
 *       or the payload itself when it is a plain map. An instance with no version in its metadata, with
 *       {@code "enabled": false}, or without an address and port is a member of no version (logged once).</li>
 *   <li><b>Writing.</b> {@link #register} writes an ephemeral znode {@code <basePath>/<name>/<instanceId>} with the
 *       JSON Curator's {@code JsonInstanceSerializer} writes and a Spring Cloud payload (meta as strings, the version
 *       under the version key), so Spring Cloud and other Thalassa daemons see it. It stays while its TTL runs:
 *       registering again refreshes the TTL (a refresh that changes no meta only checks that the znode is there); a
 *       reaper deletes it once the TTL has run out. Being ephemeral, it also leaves when the registry's session ends:
 *       at {@link #close()}, or when the process dies and the server expires the session (after the session timeout).
 *       After a session expiry the registry writes every registration whose TTL still runs again, under the new
 *       session. The TTL runs on while the registry is disconnected ({@code register} and {@code deregister} then
 *       throw {@link RegistryUnavailableException}): a registration that expires meanwhile is deleted once the
 *       connection is back, unless it went with the session already. Its {@code registrationTimeUTC} (the member's
 *       {@code lastKnown}) changes only with its meta, so neither a refresh nor a re-creation changes the member.</li>
 *   <li><b>Outages.</b> When the connection is lost, {@link #health()} says unavailable (with the session and whether
 *       it expired), one {@code registryUnavailable} event is sent, and every member set stays as it was. After the
 *       reconnect ({@code registryRecovered}), each service's sets stay as they were until its cache has caught up
 *       with ZooKeeper (judged against a read of the service znode's children after the reconnect, read again every
 *       250 ms while a cache lags; at most 10 s), so neither a session expiry nor the cache's re-read empties a
 *       backend by itself; then the true sets are delivered, with {@code online}/{@code offline} events for what
 *       changed meanwhile.</li>
 *   <li><b>Blinks.</b> A member whose znode another client deletes stays for the {@linkplain
 *       Builder#removalGrace(Duration) removal grace} (2 s), and stays on when the znode is back by then: Curator's
 *       {@code ServiceDiscovery} deletes and re-creates its instances on every reconnect of its client.</li>
 * </ul>
 */
public final class ZookeeperRegistry implements Registry {
    private static final Logger log = LoggerFactory.getLogger(ZookeeperRegistry.class);
    private static final Pattern VERSION_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Pattern CONNECT_HOST = Pattern.compile(
            "(\\[[0-9A-Fa-f:.]{2,45}\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)(:([0-9]{1,5}))?");

    /** The ZooKeeper address used when none is given. */
    public static final String DEFAULT_CONNECT = "127.0.0.1:2181";
    /** The base path when none is given: Spring Cloud Zookeeper's. */
    public static final String DEFAULT_BASE_PATH = "/services";
    /** The metadata key holding an instance's version when none is given. */
    public static final String DEFAULT_VERSION_KEY = "version";
    /** The session timeout asked of the server when none is given (the server bounds it by its own limits). */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(15);
    /** How long a call waits for a connection when none is given. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    /** How long a member whose znode another client deleted stays, in case the znode comes back, by default. */
    public static final Duration DEFAULT_REMOVAL_GRACE = Duration.ofSeconds(2);
    /** How often expired registrations are deleted when not told otherwise. */
    public static final Duration DEFAULT_REAPER_INTERVAL = Duration.ofMillis(200);

    private final String connect;
    private final String basePath;
    private final String versionKey;
    private final String label;
    private final Duration removalGrace;

    private final CuratorFramework curator;
    private final Session session;
    private final Registrar registrar;
    private final ExecutorService delivery;
    private final ScheduledExecutorService background;
    private final Map<String, ServiceWatch> watches = new HashMap<>();
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ZookeeperRegistry(Builder b) {
        this.connect = b.connect;
        this.basePath = b.basePath;
        this.versionKey = b.versionKey;
        this.label = "zookeeper " + connect;
        this.removalGrace = b.removalGrace;
        this.delivery = Executors.newSingleThreadExecutor(daemon("thalassa-zookeeper-delivery"));
        this.background = Executors.newSingleThreadScheduledExecutor(daemon("thalassa-zookeeper-background"));
        this.session = new Session(label, connect, this::emit);
        this.curator = CuratorFrameworkFactory.builder().connectString(connect)
                .sessionTimeoutMs(Math.toIntExact(b.sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(b.connectionTimeout.toMillis()))
                .retryPolicy(new ExponentialBackoffRetry(100, 2))
                .build();
        this.registrar = new Registrar(curator, basePath, versionKey, label, session);
        session.handler(new Resync(curator, session, registrar, this::watches,
                (task, delay) -> schedule(task, delay.toMillis()), label));
        curator.getConnectionStateListenable().addListener(session);
        curator.start();
        long every = b.reaperInterval.toNanos();
        background.scheduleWithFixedDelay(this::reapSafely, every, every, TimeUnit.NANOSECONDS);
        try {
            if (!session.awaitConnected(b.connectionTimeout)) {
                log.warn("{} - not connected within {} ms; connecting in the background", label,
                        b.connectionTimeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A builder with the defaults: {@value #DEFAULT_CONNECT}, {@value #DEFAULT_BASE_PATH}, version key {@value #DEFAULT_VERSION_KEY}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The Curator instance id (the znode name under {@code <basePath>/<name>}) of an instance registered through this
     * registry: {@code name~version~host~port}, every character but letters, digits, '.' and '-' written as
     * {@code _xx}.
     */
    public static String instanceId(String name, String version, String host, int port) {
        return escape(name) + "~" + escape(version) + "~" + escape(host) + "~" + port;
    }

    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        Checks.servicePart("name", name);
        Checks.servicePart("version", version);
        Checks.notNull("members", members);
        ServiceWatch.Sub sub = new ServiceWatch.Sub(version, members);
        ServiceWatch w;
        synchronized (watches) {
            ensureOpen();
            w = watches.get(name);
            if (w == null) {
                w = new ServiceWatch(curator, basePath, name, versionKey, label, removalGrace, this::execute,
                        (task, delay) -> schedule(task, delay.toMillis()), registrar::deletedHere, this::emit);
                watches.put(name, w);
                w.start(session.isConnected() ? 0 : session.outage());
            }
            w.subs.add(sub);
        }
        ServiceWatch watch = w;
        execute(() -> watch.deliver(sub));
        return () -> {
            sub.close();
            synchronized (watches) {
                watch.subs.remove(sub);
                if (watch.subs.isEmpty() && watches.get(name) == watch) {
                    watches.remove(name);
                    watch.close();
                }
            }
        };
    }

    /**
     * Registers an instance as an ephemeral znode, or refreshes it: a new TTL, and new meta when it changed (meta
     * values are written as strings; the version key is always the registration's version).
     *
     * @throws RegistryUnavailableException when not connected now, or ZooKeeper fails the write
     * @throws IllegalStateException        when the registry is closed
     */
    @Override
    public void register(Registration registration) {
        Checks.notNull("registration", registration);
        ensureOpen();
        registrar.register(registration);
    }

    /**
     * Deletes the znode of the instance registered through a registry with this base path, at once.
     *
     * @return whether it was registered through this registry, or its znode existed
     * @throws RegistryUnavailableException when not connected now, or ZooKeeper fails the delete
     */
    @Override
    public boolean deregister(String name, String version, String host, int port) {
        Checks.servicePart("name", name);
        Checks.servicePart("version", version);
        Checks.host("host", host);
        Checks.port("port", port);
        ensureOpen();
        return registrar.deregister(name, version, host, port);
    }

    /** The instances registered through this registry object whose TTL still runs (not every instance), by id. */
    @Override
    public List<Registration> registrations(String name, String version) {
        return registrar.registrations(name, version);
    }

    /** Connected, or unavailable since the connection was lost (the detail names the session, and its expiry). */
    @Override
    public RegistryHealth health() {
        return session.health();
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
    }

    /**
     * Stops the watches and the reaper and closes the ZooKeeper session, which removes every instance registered
     * through this registry at once (their znodes are ephemeral); safe to call twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ServiceWatch> all;
        synchronized (watches) {
            all = new ArrayList<>(watches.values());
            watches.clear();
        }
        for (ServiceWatch w : all) {
            w.close();
        }
        background.shutdownNow();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        curator.close();
        delivery.shutdown();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delivery.shutdownNow();
    }

    /** The Curator client, for the tests of this package. */
    CuratorFramework curator() {
        return curator;
    }

    private List<ServiceWatch> watches() {
        synchronized (watches) {
            return new ArrayList<>(watches.values());
        }
    }

    // --- threads and events ---

    private void reapSafely() {
        try {
            registrar.reap();
        } catch (RuntimeException e) {
            log.warn("{} - reaper failed", label, e);
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            background.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("{} - background task failed", label, e);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{} - closed, dropping a background task", label);
        }
    }

    private void emit(ThalassaEvent e) {
        execute(() -> Events.deliver(listeners, e, log, label));
    }

    private void execute(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("{} - closed, dropping a delivery", label);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the ZooKeeper registry is closed");
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
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

    /** Fluent builder of a {@link ZookeeperRegistry}. */
    public static final class Builder {
        private String connect = DEFAULT_CONNECT;
        private String basePath = DEFAULT_BASE_PATH;
        private String versionKey = DEFAULT_VERSION_KEY;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private Duration reaperInterval = DEFAULT_REAPER_INTERVAL;
        private Duration removalGrace = DEFAULT_REMOVAL_GRACE;

        private Builder() {
        }

        /**
         * The ZooKeeper servers, as ZooKeeper's connect string: {@code host:port[,host:port...][/chroot]} (port 2181
         * when left out); default {@value #DEFAULT_CONNECT}.
         *
         * @throws IllegalArgumentException naming {@code connect} and the value when it is not such a string
         */
        public Builder connect(String connect) {
            this.connect = checkConnect(connect);
            return this;
        }

        /**
         * The znode under which each service name has its instances; default {@value #DEFAULT_BASE_PATH}, as Spring
         * Cloud Zookeeper.
         *
         * @throws IllegalArgumentException naming {@code basePath} and the value when it is not an absolute ZooKeeper
         *                                  path below the root without a trailing '/'
         */
        public Builder basePath(String basePath) {
            if (basePath == null || basePath.equals("/")) {
                throw new InvalidValueException("basePath", basePath, "basePath must be a ZooKeeper path below the"
                        + " root, such as /services: " + Checks.quote(basePath));
            }
            try {
                PathUtils.validatePath(basePath);
            } catch (IllegalArgumentException e) {
                throw new InvalidValueException("basePath", basePath, "basePath must be a ZooKeeper path below the"
                        + " root, such as /services (" + e.getMessage() + "): " + Checks.quote(basePath));
            }
            this.basePath = basePath;
            return this;
        }

        /**
         * The metadata key whose value is an instance's version; default {@value #DEFAULT_VERSION_KEY}. Instances
         * without it are members of no version.
         *
         * @throws IllegalArgumentException naming {@code versionKey} and the value when not 1..128 characters of
         *                                  {@code [A-Za-z0-9_.-]}
         */
        public Builder versionKey(String versionKey) {
            if (versionKey == null || !VERSION_KEY.matcher(versionKey).matches()) {
                throw new InvalidValueException("versionKey", versionKey, "versionKey must be 1..128 characters of"
                        + " [A-Za-z0-9_.-]: " + Checks.quote(versionKey));
            }
            this.versionKey = versionKey;
            return this;
        }

        /**
         * The session timeout asked of the server; default 15 s. The server grants it within its own bounds (2 to 20
         * ticks by default). A lost connection is noticed within about two thirds of it, and instances registered
         * through a registry whose process died leave after it.
         *
         * @throws IllegalArgumentException naming {@code sessionTimeout} and the value when not in 1 s..10 min
         */
        public Builder sessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = Checks.duration("sessionTimeout", sessionTimeout, Duration.ofSeconds(1),
                    Duration.ofMinutes(10));
            return this;
        }

        /**
         * How long {@link #build()} and each ZooKeeper call wait for a connection; default 5 s.
         *
         * @throws IllegalArgumentException naming {@code connectionTimeout} and the value when not in 100 ms..5 min
         */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = Checks.duration("connectionTimeout", connectionTimeout, Duration.ofMillis(100),
                    Duration.ofMinutes(5));
            return this;
        }

        /**
         * How often registrations whose TTL ran out are looked for (and their znodes deleted); default 200 ms.
         *
         * @throws IllegalArgumentException naming {@code reaperInterval} and the value when not in 1 ms..60 s
         */
        public Builder reaperInterval(Duration reaperInterval) {
            this.reaperInterval = Checks.duration("reaperInterval", reaperInterval, Duration.ofMillis(1),
                    Duration.ofSeconds(60));
            return this;
        }

        /**
         * How long a member whose znode was deleted by another client stays a member, in case the znode comes back;
         * default 2 s, 0 turns it off. Curator's {@code ServiceDiscovery}, and Spring Cloud with it, deletes and
         * re-creates its instances whenever its client reconnects (after a server restart, all clients at once);
         * the grace keeps those instances in their backends. Instances deregistered or expired through this registry
         * leave at once.
         *
         * @throws IllegalArgumentException naming {@code removalGrace} and the value when not in 0..60 s
         */
        public Builder removalGrace(Duration removalGrace) {
            this.removalGrace = Checks.duration("removalGrace", removalGrace, Duration.ZERO, Duration.ofSeconds(60));
            return this;
        }

        /**
         * Starts the registry and waits up to the connection timeout for a first connection; a ZooKeeper that cannot
         * be reached yet is no error (health says so, and the registry keeps connecting).
         *
         * @throws IllegalStateException when the connection timeout is longer than the session timeout
         */
        public ZookeeperRegistry build() {
            if (connectionTimeout.compareTo(sessionTimeout) > 0) {
                throw new IllegalStateException("connectionTimeout must not be longer than sessionTimeout: "
                        + connectionTimeout.toMillis() + " ms > " + sessionTimeout.toMillis() + " ms");
            }
            return new ZookeeperRegistry(this);
        }

        private static String checkConnect(String connect) {
            String reason = "connect must be host:port[,host:port...][/chroot]: " + Checks.quote(connect);
            if (connect == null || connect.isBlank()) {
                throw new InvalidValueException("connect", connect, reason);
            }
            int slash = connect.indexOf('/');
            String hosts = slash < 0 ? connect : connect.substring(0, slash);
            if (slash >= 0) {
                try {
                    PathUtils.validatePath(connect.substring(slash));
                } catch (IllegalArgumentException e) {
                    throw new InvalidValueException("connect", connect, reason + " (chroot: " + e.getMessage() + ")");
                }
            }
            for (String host : hosts.split(",", -1)) {
                var m = CONNECT_HOST.matcher(host);
                if (!m.matches() || (m.group(4) != null && (Integer.parseInt(m.group(4)) < 1
                        || Integer.parseInt(m.group(4)) > 65535))) {
                    throw new InvalidValueException("connect", connect, reason);
                }
            }
            return connect;
        }
    }
}
