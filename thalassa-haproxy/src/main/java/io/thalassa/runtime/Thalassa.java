package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.StatsSnapshot;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import io.thalassa.runtime.internal.BackendRows;
import io.thalassa.runtime.internal.Documents;
import io.thalassa.runtime.internal.HaproxyLog;
import io.thalassa.runtime.internal.LocalNode;
import io.thalassa.runtime.internal.Node;
import io.thalassa.runtime.internal.RolloutRunner;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
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
 *   <li><b>Safe deploys:</b> {@link #rollout(String, Rollout)} moves a backend to a new version in steps, judged on
 *       HAProxy's own counters, and goes back by itself when the guard breaks; every accepted change is a
 *       {@linkplain #history revision} that {@link #revert} puts back; a {@link Batch} is applied whole or not at
 *       all; {@link #version(String)} is what an ETag names.</li>
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
    private final AtomicReference<StatsSnapshot> latest = new AtomicReference<>();
    private final SplitWindow splits = new SplitWindow(LiveStats.SPLIT_WINDOW);
    private final LiveStats live;
    private final Node node;
    private final LocalNode local;
    private final RolloutRunner rollouts;
    private static final ThreadLocal<String> AUTHOR = new ThreadLocal<>();
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
        this.certificates = new Certificates(controller, this::config, work -> node.write((c, v) -> {
            work.run();
            return c;
        }, AUTHOR.get()));
        controller.addStatsListener(s -> splits.add(latest.updateAndGet(x -> s), config()));
        this.live = new LiveStats(LiveStats.sourceOf(controller.runtimeApi()), this::config,
                (int) (Duration.ofMinutes(5).toMillis() / LIVE_POLL.toMillis()),
                LIVE_POLL.multipliedBy(3).dividedBy(4));
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thalassa-runtime");
            t.setDaemon(true);
            return t;
        });
        this.rollouts = new RolloutRunner(node, new BackendRows(controller::runtimeApi), this::dispatch,
                node.rollouts(settings.stateDir()));
        HaproxyLog log = new HaproxyLog(controller.logFile(), this::dispatch);
        background.scheduleWithFixedDelay(log, HAPROXY_LOG_POLL.toMillis(), HAPROXY_LOG_POLL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Starts the node the builder describes, its events going to the given listener. */
    @FunctionalInterface
    interface Starter {
        Node start(ThalassaEvent.Listener events) throws java.io.IOException;
    }

    /**
     * Warms, on a daemon thread, what a first {@link Builder#start()} waits for before HAProxy runs (UNIX socket
     * bindings, JSON, the template; about a second of CPU in a cold JVM), for a host that starts other things
     * meanwhile. Optional, once per JVM; the Spring Boot starter calls it as the context begins.
     */
    public static java.util.concurrent.CompletableFuture<Void> preload() {
        return io.thalassa.runtime.internal.Preload.start();
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
        return update((c, v) -> change.apply(c));
    }

    /**
     * {@link #update(UnaryOperator)} for a write that looks at the versions of the items it changes (a precondition
     * such as {@code If-Match}), under the same lock as the write. A write that changes the version or split of a
     * backend under a {@linkplain #rollout(String, Rollout) rollout} ends that rollout
     * ({@link Change#abortedRollouts()}).
     */
    public Change update(Edit edit) {
        Checks.notNull("edit", edit);
        Set<String> flagged = ConcurrentHashMap.newKeySet();
        Node.Written w = node.write(rollouts.watching((c, v) -> certificates.checkReferences(edit.apply(c, v)),
                flagged), AUTHOR.get());
        List<RolloutStatus> aborted = flagged.isEmpty() ? List.of() : rollouts.afterWrite(flagged, w.config());
        return new Change(this, w.config(), w.change(), w.revision(), w.refusal(), w.versions(), aborted);
    }

    /**
     * Applies every operation of {@code batch} as one change (one validation, at most one reload), or none of them.
     *
     * @throws BatchException naming the operation refused (its index) with the reason as its cause: an invalid value,
     *                        a version that does not hold, an item that does not exist, or HAProxy refusing the batch
     *                        up to that operation; nothing changed
     * @throws io.thalassa.StoreUnavailableException when the store cannot take it; nothing changed
     */
    public Change apply(Batch batch) {
        Checks.notNull("batch", batch);
        node.fleetNode().ifPresent(n -> batch.fitsOneCommit(store.maxItemsPerCommit()));
        try {
            return update(batch::applyTo);
        } catch (ConfigRejectedException e) {
            int at = batch.rejectedAt(config(), node::validate);
            throw new BatchException(at, batch.operations().get(at).describe(), e);
        }
    }

    /**
     * Runs {@code writes} with every write it makes on this thread recorded in the history as by {@code author} (the
     * REST adapter passes the token's role).
     */
    public <T> T attributed(String author, Supplier<T> writes) {
        String before = AUTHOR.get();
        AUTHOR.set(author);
        try {
            return writes.get();
        } finally {
            AUTHOR.set(before);
        }
    }

    /**
     * The version of stored item {@code id} ({@code frontend/<key>} or {@code backend/<key>}): changed by every write
     * to that item and by nothing else (not members, health or time), the same on every node of a fleet; what an
     * ETag names. 0 when it is not stored.
     */
    public long version(String id) {
        Documents.keyOf(id);
        return node.version(id);
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
            Backend b = Batch.dynamic(c, backend);
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
        return update(c -> c.withBackend(Batch.dynamic(c, backend).withSplit(weights)));
    }

    /**
     * At most {@code limit} (1..1000) revisions of the stored frontends and backends, newest first, numbered below
     * {@code before} (0: from the newest). The last {@link ThalassaSettings#historySize()} are kept.
     */
    public List<Revision> history(int limit, long before) {
        if (limit < 1 || limit > 1000) {
            throw new InvalidValueException("limit", limit, "limit must be in 1..1000: " + limit);
        }
        return node.history().list(limit, before);
    }

    /** Revision {@code number}, while the history keeps it. */
    public Optional<Revision> revision(long number) {
        return node.history().get(number);
    }

    /** The oldest revision {@link #revert} can go back to (the one right before the oldest kept; 0: the start). */
    public long oldestRevision() {
        return node.history().oldest();
    }

    /**
     * Puts the frontends and backends back as they were right after revision {@code number} (the members of dynamic
     * backends as the registry has them now): one new change, checked and planned as any write (runtime API or
     * reload), itself a revision.
     *
     * @throws InvalidValueException naming {@code revision} when the history does not go back that far or it does not
     *                               exist yet
     */
    public Change revert(long number) {
        return revert(number, java.util.Map.of());
    }

    /**
     * {@link #revert(long)} only while the items of {@code ifMatch} are at those versions (checked under the write's
     * lock; a version as {@link Batch#ifMatch} takes it).
     *
     * @throws VersionMismatchException when one is not; nothing changed
     */
    public Change revert(long number, java.util.Map<String, Long> ifMatch) {
        java.util.Map<String, String> items;
        try {
            items = node.history().itemsAfter(number);
        } catch (NoSuchElementException e) {
            throw new InvalidValueException("revision", number, e.getMessage());
        }
        ThalassaConfig target = Documents.configOf(items);
        Change c = update((now, v) -> {
            ifMatch.forEach((id, expected) -> {
                long actual = v.of(id);
                if (expected == Batch.EXISTS ? actual == ItemVersions.ABSENT : actual != expected) {
                    throw new VersionMismatchException(id, expected, actual);
                }
            });
            return target;
        });
        dispatch(ThalassaEvent.now(ThalassaEvent.Verb.CONFIG_REVERTED, "config", "frontends and backends as right"
                + " after revision " + number + " (" + c + ")"));
        return c;
    }

    /**
     * Rolls dynamic backend {@code backend} out to {@code plan}'s version in steps (see {@link Rollout}): the first
     * step is in use when this returns, the others follow by themselves; a breach of the guard goes back to the old
     * version at once. One rollout per backend; it survives a restart, continuing from its step. Events:
     * {@code rolloutStarted}, {@code rolloutStep}, {@code rolloutDone}, {@code rolloutAborted} (with the numbers).
     *
     * @throws InvalidValueException     when there is no such backend ({@code backend}), it is static ({@code type}),
     *                                   already split ({@code versions}), on that version ({@code version}), or its
     *                                   balance ignores weights ({@code balance})
     * @throws RolloutConflictException when a rollout of the backend runs
     */
    public RolloutStatus rollout(String backend, Rollout plan) {
        return rollouts.start(Checks.identifier("backend", backend), Checks.notNull("plan", plan));
    }

    /** The backend's rollout: the running one, or the last that ended. */
    public Optional<RolloutStatus> rollout(String backend) {
        return rollouts.get(backend);
    }

    /** Every backend's rollout (running, or the last that ended). */
    public List<RolloutStatus> rollouts() {
        return rollouts.all();
    }

    /**
     * Pauses the backend's rollout (the shares stay, nothing is judged).
     *
     * @throws NoSuchElementException   when the backend has no rollout
     * @throws RolloutConflictException when its rollout ended
     */
    public RolloutStatus pauseRollout(String backend) {
        return rollouts.pause(backend);
    }

    /** Resumes the backend's paused rollout: its step starts again. Throws as {@link #pauseRollout}. */
    public RolloutStatus resumeRollout(String backend) {
        return rollouts.resume(backend);
    }

    /** Aborts the backend's rollout: all the traffic back to the old version at once. Throws as {@link #pauseRollout}. */
    public RolloutStatus abortRollout(String backend) {
        return rollouts.abort(backend);
    }

    /** The TLS certificates frontends terminate TLS with, stored by name under the state directory. */
    public Certificates certificates() {
        return certificates;
    }

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

    /**
     * Is told how long each apply to HAProxy took, by kind ({@code runtime}, {@code reload}, {@code noop}), as every
     * listener added before (each must be quick and must not throw).
     */
    public void onApply(BiConsumer<String, Duration> listener) {
        local.onApply(listener);
    }

    /** HAProxy's latest stats snapshot (read every 2 s), if one was read yet. */
    public Optional<StatsSnapshot> stats() {
        StatsSnapshot last = latest.get();
        return last != null ? Optional.of(last) : local.controller().stats();
    }

    /**
     * What the versions of split backends served in the last minute ({@link LiveStats#SPLIT_WINDOW}), per split
     * backend: {@code requested} weights, {@code intervalMs}, {@code windowSeconds}, and per version {@code requests}
     * and {@code share} (percent).
     */
    public Map<String, Object> splitShares() {
        return splits.shares(config());
    }

    /** The live view of every frontend, backend and member, as HAProxy reports them; refreshed by its polls. */
    public LiveStats live() {
        return live;
    }

    /** HAProxy's state, the registry's health and, in a fleet, this node's. */
    public ThalassaStatus status() {
        HaproxyController c = local.controller();
        boolean running = c.running();
        List<Long> workers = List.of();
        if (running) {
            try {
                workers = c.workerPids();
            } catch (io.thalassa.RuntimeApiException e) { // the master died since
                running = false;
            }
        }
        return new ThalassaStatus(c.status(), running ? c.masterPid() : 0, workers, c.configFile(), c.logFile(),
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

    /**
     * Stops watching the registry and the store and closes them, the activity log and the controller. HAProxy keeps
     * serving (the next start adopts it) unless the builder said {@link Builder#stopHaproxyOnClose(boolean)}. Safe to
     * call twice.
     */
    @Override
    public synchronized void close() {
        shutDown(false);
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
        shutDown(true);
    }

    private void shutDown(boolean abort) {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        rollouts.close();
        HaproxyController controller = local.controller();
        try {
            if (abort) {
                node.abort(); // stops a HAProxy this start launched
                registry.close();
            } else {
                node.close();
            }
        } finally {
            store.close();
            activity.close();
            if (!abort && settings.stopHaproxyOnClose()) {
                controller.stopHaproxy();
            }
        }
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
