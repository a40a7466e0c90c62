package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatsSnapshot;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import io.thalassa.runtime.internal.HaproxyLog;
import io.thalassa.runtime.internal.LocalNode;
import io.thalassa.runtime.internal.Node;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HAProxy as a programmable, registry-driven load balancer, in one object: build it, start it, change its frontends
 * and backends, close it.
 *
 * <pre>{@code
 * try (Thalassa thalassa = Thalassa.builder()
 *         .workDir(Path.of("/tmp/myapp-lb"))        // haproxy.cfg, socket, pid, state, stored config, activity
 *         .registry(EmbeddedRegistry.create())       // or a ConsulRegistry
 *         .start()) {
 *     thalassa.update(config -> config
 *             .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
 *             .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live").build()))
 *         .await(Duration.ofSeconds(10));            // applied, or an exception with HAProxy's words
 *     thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10));   // runtime API, no reload
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Writes</b> ({@link #update}, {@link #switchVersion}, {@link #split}) are checked (the model, then HAProxy
 *       itself for a structural change), saved to the store, then put in use: membership changes and version switches
 *       through HAProxy's runtime API, anything else with one coalesced, hitless reload. A refused write throws at
 *       once and changes nothing; an accepted one answers a {@link Change} to {@link Change#await await}. Writes from
 *       many threads are committed in groups: one validation and at most one reload for all.</li>
 *   <li><b>TLS termination</b>: {@link #certificates()} stores certificates by name; a frontend's
 *       {@link io.thalassa.Tls} names them; a certificate put again is replaced in HAProxy at run time.</li>
 *   <li><b>Members</b> of dynamic backends come from the {@link Registry}: every instance of the backend's service
 *       name and version.</li>
 *   <li><b>Restarts</b> lose nothing: the configuration is kept in the store ({@code <workDir>/config.json} by
 *       default), and a second {@link Builder#start()} on the same work directory adopts the HAProxy the first left
 *       serving, without a reload.</li>
 *   <li><b>A fleet:</b> with a shared {@link ConfigStore} (Consul's KV store), several processes, each with its own
 *       HAProxy, run one configuration.</li>
 *   <li>Everything it does is an event ({@link #onEvent}), kept in the {@linkplain #activity() activity log}; every
 *       change has an id ({@link #change(long)}).</li>
 * </ul>
 * Thread-safe. Closing it leaves HAProxy serving unless {@link Builder#stopHaproxyOnClose(boolean)}.
 */
public final class Thalassa implements AutoCloseable {
    /** How often the live view is read while something watches it, and how often HAProxy's log is read. */
    public static final Duration LIVE_POLL = Duration.ofSeconds(2);
    private static final Duration HAPROXY_LOG_POLL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(Thalassa.class);

    private final ThalassaSettings settings;
    private final Registry registry;
    private final ConfigStore store;
    private final ActivityLog activity;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService background;
    private final AtomicReference<StatsSnapshot[]> lastTwo = new AtomicReference<>(new StatsSnapshot[2]);
    private final LiveStats live;
    private final Node node;
    private final LocalNode local;
    private final Certificates certificates;
    private volatile boolean closed;

    private Thalassa(ThalassaSettings settings, Registry registry, ConfigStore store, ActivityLog activity,
            List<ThalassaEvent.Listener> early, Starter starter) throws java.io.IOException {
        this.settings = settings;
        this.registry = registry;
        this.store = store;
        this.activity = activity;
        this.listeners.addAll(early);
        registry.addListener(this::dispatch);
        this.node = starter.start(this::dispatch);
        this.local = node instanceof io.thalassa.runtime.internal.FleetNode f ? f.stack() : (LocalNode) node;
        HaproxyController controller = local.controller();
        this.certificates = new Certificates(controller, this::config, work -> node.write(c -> {
            work.run();
            return c;
        }));
        controller.addStatsListener(s -> lastTwo.getAndUpdate(p -> new StatsSnapshot[] {p[1], s}));
        RuntimeApi api = controller.runtimeApi();
        this.live = new LiveStats(new LiveStats.Source() {
            @Override
            public List<io.thalassa.haproxy.StatRow> all() {
                return api.showStat();
            }

            @Override
            public List<io.thalassa.haproxy.StatRow> proxies() {
                return api.showProxyStats();
            }

            @Override
            public List<io.thalassa.haproxy.StatRow> servers(List<io.thalassa.haproxy.StatRow> backends) {
                return api.showServerStats(backends.stream().map(RuntimeApi::proxyId).toList());
            }
        }, this::config, (int) (Duration.ofMinutes(5).toMillis() / LIVE_POLL.toMillis()),
                LIVE_POLL.multipliedBy(3).dividedBy(4));
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thalassa-runtime");
            t.setDaemon(true);
            return t;
        });
        HaproxyLog log = new HaproxyLog(controller.logFile(), this::dispatch);
        background.scheduleWithFixedDelay(log, HAPROXY_LOG_POLL.toMillis(), HAPROXY_LOG_POLL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts the node the builder describes, its events going to the given listener. */
    @FunctionalInterface
    interface Starter {
        Node start(ThalassaEvent.Listener events) throws java.io.IOException;
    }

    /** A Thalassa to configure; every setting has a default, nothing starts until {@link Builder#start()}. */
    public static Builder builder() {
        return new Builder();
    }

    static Thalassa create(ThalassaSettings settings, Registry registry, ConfigStore store, ActivityLog activity,
            List<ThalassaEvent.Listener> early, Starter starter) throws java.io.IOException {
        return new Thalassa(settings, registry, store, activity, early, starter);
    }

    private void dispatch(ThalassaEvent event) {
        activity.record(event);
        Events.deliver(listeners, event, LOG, "thalassa");
    }

    // ---------------------------------------------------------------- the configuration

    /** The configuration in use now, the members of dynamic backends included. */
    public ThalassaConfig config() {
        return node.config();
    }

    /**
     * Applies {@code change} to the configuration in use, serialized with every other write, and puts the result in
     * use. The members of dynamic backends in the result are the registry's, whatever {@code change} gave them.
     *
     * @return the change, to {@link Change#await await} until HAProxy runs it
     * @throws IllegalArgumentException     when the result is invalid, naming the field (an
     *                                      {@link InvalidValueException} carries it as data); nothing changed
     * @throws io.thalassa.ConfigRejectedException when HAProxy refuses the result (its own words), or it needs more
     *                                      file descriptors than HAProxy may have; nothing changed
     * @throws io.thalassa.StoreUnavailableException when the store cannot take the change; nothing changed
     * @throws RuntimeException             what {@code change} itself threw; nothing changed
     */
    public Change update(UnaryOperator<ThalassaConfig> change) {
        Checks.notNull("change", change);
        Node.Written w = node.write(c -> certificates.checkReferences(change.apply(c)));
        return new Change(this, w.config(), w.change(), w.revision(), w.refusal());
    }

    /**
     * Switches dynamic backend {@code backend} to {@code version} of its service: a blue/green deploy, through the
     * runtime API without a reload. Ends a version split.
     *
     * @throws InvalidValueException when there is no such backend ({@code backend}), it is static ({@code type}), or
     *                               the version is invalid ({@code version})
     */
    public Change switchVersion(String backend, String version) {
        return update(c -> {
            Backend b = dynamic(c, backend);
            return c.withBackend(b.withService(b.serviceName(), version));
        });
    }

    /**
     * Splits dynamic backend {@code backend}'s traffic between versions of its service by weight (whole numbers
     * adding up to 100, e.g. {@code Map.of("1.0.0", 90, "2.0.0", 10)}): a canary, through the runtime API without a
     * reload.
     *
     * @throws InvalidValueException when there is no such backend, it is static, or the weights are invalid
     *                               ({@code versions}), or its balance ignores weights changed at run time
     */
    public Change split(String backend, Map<String, Integer> weights) {
        return update(c -> c.withBackend(dynamic(c, backend).withSplit(weights)));
    }

    private static Backend dynamic(ThalassaConfig c, String key) {
        Backend b = c.backend(key).orElseThrow(() -> new InvalidValueException("backend", key, "backend " + key
                + " does not exist"));
        if (!b.isDynamic()) {
            throw new InvalidValueException("type", "static", "backend " + key
                    + " is static; only dynamic backends switch versions");
        }
        return b;
    }

    /** The TLS certificates frontends terminate TLS with, stored by name under the state directory. */
    public Certificates certificates() {
        return certificates;
    }

    // ---------------------------------------------------------------- changes

    /** The change with this id while it is kept (the latest 10,000, and every pending one). */
    public Optional<ChangeStatus> change(long id) {
        return local.controller().change(id);
    }

    /** Waits at most {@code timeout} for the change to be applied or failed; its status then (pending if not). */
    public Optional<ChangeStatus> awaitChange(long id, Duration timeout) throws InterruptedException {
        return local.controller().awaitChange(id, timeout);
    }

    /** The latest change, if any. */
    public Optional<ChangeStatus> latestChange() {
        return local.controller().latestChange();
    }

    /** The latest changes still kept, newest first, at most {@code limit} (1..1000). */
    public List<ChangeStatus> changes(int limit) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidValueException("limit", limit, "limit must be in 1..1000: " + limit);
        }
        List<ChangeStatus> out = new ArrayList<>();
        long latest = latestChange().map(ChangeStatus::id).orElse(0L);
        for (long id = latest; id > 0 && out.size() < limit; id--) {
            change(id).ifPresent(out::add);
        }
        return out;
    }

    // ---------------------------------------------------------------- events, activity, stats

    /** Receives every event from now on (must be quick and must not throw); closing the answer stops them. */
    public Subscription onEvent(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
        return () -> listeners.remove(listener);
    }

    /** A way to stop receiving what was subscribed to. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Every event with an id, newest first, kept in {@code <stateDir>/activity.jsonl} across restarts. */
    public ActivityLog activity() {
        return activity;
    }

    /** Is told how long each apply to HAProxy took, by kind ({@code runtime}, {@code reload}, {@code noop}). */
    public void onApply(BiConsumer<String, Duration> listener) {
        local.onApply(listener);
    }

    /** HAProxy's latest stats snapshot (read every 2 s), if one was read yet. */
    public Optional<StatsSnapshot> stats() {
        StatsSnapshot latest = lastTwo.get()[1];
        return latest != null ? Optional.of(latest) : local.controller().stats();
    }

    /**
     * What the versions of split backends served between the two latest stats snapshots, per split backend:
     * {@code requested} weights, {@code intervalMs}, and per version {@code requests} and {@code share} (percent).
     */
    public Map<String, Object> splitShares() {
        StatsSnapshot[] two = lastTwo.get();
        return two[1] == null ? Map.of() : SplitShares.between(two[0], two[1], config());
    }

    /** The live view of every frontend, backend and member, as HAProxy reports them; refreshed by its polls. */
    public LiveStats live() {
        return live;
    }

    // ---------------------------------------------------------------- state

    /** HAProxy's state, the registry's health and, in a fleet, this node's. */
    public ThalassaStatus status() {
        HaproxyController c = local.controller();
        return new ThalassaStatus(c.status(), c.masterPid(), c.workerPids(), c.configFile(), c.logFile(),
                registry.kind(), registry.health(), node.fleetStatus());
    }

    /** The haproxy.cfg HAProxy runs now, members included. */
    public String haproxyConfig() {
        return local.controller().configText();
    }

    /** The registry dynamic backends are filled from; registrations go to it. */
    public Registry registry() {
        return registry;
    }

    /** Where the configuration is kept: a {@link FileConfigStore}, or a fleet's shared store. */
    public ConfigStore store() {
        return store;
    }

    /** The controller of HAProxy, for what this class does not say itself. */
    public HaproxyController controller() {
        return local.controller();
    }

    /** The work directory: HAProxy's files, the stored configuration, the activity log. */
    public Path workDir() {
        return settings.workDir();
    }

    /**
     * Every node of the fleet and whether it runs the newest revision ({@code revision}, {@code converged},
     * {@code nodes}, {@code self}, {@code store}); empty outside a fleet.
     *
     * @throws io.thalassa.StoreUnavailableException when the store cannot be read
     */
    public Optional<Map<String, Object>> fleet() {
        return node.fleet();
    }

    /** Waits until every live node runs {@code revision} or a later one (or failed to); the fleet then. */
    public Optional<Map<String, Object>> awaitFleet(long revision, Duration timeout) throws InterruptedException {
        return node.awaitFleet(revision, timeout);
    }

    /** This process's name among the nodes of its fleet; empty outside a fleet. */
    public Optional<String> fleetNode() {
        return node.fleetNode();
    }

    /** The address of an API serving this Thalassa, published to the other nodes of a fleet (else ignored). */
    public void advertise(String apiUrl) {
        node.advertise(apiUrl);
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops watching the registry and the store and closes them, the activity log and the controller. HAProxy keeps
     * serving (the next start adopts it) unless the builder said {@link Builder#stopHaproxyOnClose(boolean)}. Safe to
     * call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        HaproxyController controller = local.controller();
        try {
            node.close();
        } finally {
            store.close();
            activity.close();
            if (settings.stopHaproxyOnClose()) {
                controller.stopHaproxy();
            }
        }
    }

    /** Closes and stops HAProxy (by the pid of its master), whatever the builder said. */
    public void stop() {
        HaproxyController controller = local.controller();
        close();
        controller.stopHaproxy();
    }

    /**
     * Closes after a start of something built on it failed (e.g. an HTTP server): a HAProxy this start launched is
     * stopped, an adopted one keeps serving.
     */
    public synchronized void abort() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        node.abort();
        registry.close();
        store.close();
        activity.close();
    }

    @Override
    public String toString() {
        return "Thalassa[" + settings.workDir() + ", " + registry.kind() + " registry, " + store.name() + "]";
    }

    /** Configures a {@link Thalassa}; see {@link ThalassaSettings} for every setting and its default. */
    public static final class Builder extends ThalassaSettings.Builder<Builder> {
        Builder() {
        }

        /**
         * Starts HAProxy (or adopts the one a previous start on the same work directory left serving) with the stored
         * configuration, and watches the registry.
         *
         * @throws IllegalStateException naming the file when the stored configuration cannot be read or HAProxy
         *                               rejects it (it is left untouched; an adopted HAProxy keeps serving)
         * @throws io.thalassa.ThalassaException when HAProxy cannot be started, with HAProxy's words
         * @throws java.io.UncheckedIOException when the work directory cannot be written
         */
        public Thalassa start() {
            return Startup.start(build());
        }
    }
}
