package io.thalassa.http;

import io.thalassa.Bind;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.ControllerStatus;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.StatsSnapshot;
import io.thalassa.http.internal.ChangeView;
import io.thalassa.http.internal.SplitShares;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The real stack behind the HTTP adapter: a registry (embedded, or Consul with {@code --serviceReg}), the
 * {@link MembershipEngine} that fills dynamic backends from it, and the {@link HaproxyController} that applies what
 * the engine publishes (runtime API for membership, validated reloads for structure).
 */
public final class StackBackplane implements Backplane, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StackBackplane.class);

    private final Registry registry;
    private final HaproxyController controller;
    private final MembershipEngine engine;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<ThalassaEvent> startEvents;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock applying = new ReentrantLock();
    private ThalassaConfig base = ThalassaConfig.empty(); // guarded by applying
    /** The controller's change for each configuration the engine published lately, by identity. */
    private final Map<ThalassaConfig, Long> changeOf = new java.util.IdentityHashMap<>(); // guarded by itself
    private volatile boolean haproxyStarted;
    /** The two latest stats snapshots, for what split backends served in the last interval. */
    private final AtomicReference<StatsSnapshot[]> lastTwo =
            new AtomicReference<>(new StatsSnapshot[2]);

    /** {@code --bindAddress}: the host every frontend of this node listens on, or null for the binds' own. */
    private final String bindAddress;

    private StackBackplane(Registry registry, HaproxyController controller, List<ThalassaEvent> startEvents,
            String bindAddress) {
        this.registry = registry;
        this.bindAddress = bindAddress;
        this.controller = controller;
        this.startEvents = startEvents; // filled while start() runs, then fixed
        ThalassaEvent.Listener dispatch = this::dispatch;
        registry.addListener(dispatch);
        controller.addListener(dispatch);
        controller.addStatsListener(s -> lastTwo.getAndUpdate(p -> new StatsSnapshot[] {p[1], s}));
        this.engine = MembershipEngine.builder(registry, this::toHaproxy).listener(dispatch).build();
    }

    /** The engine's sink: the first configuration starts (or adopts) HAProxy, every later one is applied. */
    private void toHaproxy(ThalassaConfig config) {
        try {
            if (haproxyStarted) {
                long t0 = System.nanoTime();
                io.thalassa.haproxy.ApplyResult applied = controller.apply(local(config));
                java.util.function.BiConsumer<String, Duration> timing = applyTiming;
                if (timing != null) {
                    timing.accept(applied.kind().name().toLowerCase(java.util.Locale.ROOT),
                            Duration.ofNanos(System.nanoTime() - t0));
                }
                long id = applied.changeId();
                synchronized (changeOf) {
                    changeOf.put(config, id);
                }
            } else {
                controller.start(local(config));
                haproxyStarted = true;
            }
        } catch (ConfigRejectedException e) {
            throw new Rejected(e);
        }
    }

    /**
     * What this node's HAProxy runs of {@code config}: with {@code --bindAddress}, every frontend listens on that
     * address (the ports kept); the configuration the API shows and stores is the one given.
     */
    private ThalassaConfig local(ThalassaConfig config) {
        if (bindAddress == null) {
            return config;
        }
        ThalassaConfig c = config;
        for (io.thalassa.Frontend f : config.frontends().values()) {
            java.util.Set<Bind> binds = new java.util.LinkedHashSet<>();
            for (Bind b : f.binds()) {
                binds.add(new Bind(bindAddress, b.port()));
            }
            c = c.withFrontend(f.toBuilder().binds(binds).build());
        }
        return c;
    }

    /**
     * Checks {@code config} as this node's HAProxy would run it ({@code haproxy -c} and file descriptors), applying
     * nothing; listen addresses are not probed.
     *
     * @throws ConfigRejectedException when HAProxy refuses it
     */
    public void validate(ThalassaConfig config) throws ConfigRejectedException {
        controller.validate(local(config));
    }

    /**
     * Starts the stack the options describe: opens the registry, and starts HAProxy, or adopts the one a previous run
     * left serving (pid file and master socket), with the configuration of the {@code --persistence} file and the
     * registry's members of its dynamic backends as the first thing it gets. An adopted HAProxy that runs that
     * configuration already is not reloaded: a restart of the daemon drops no connection. Without a persistence file
     * (or with an empty one) HAProxy gets the empty configuration.
     *
     * @throws IllegalStateException naming the file when the persistence file cannot be read or HAProxy rejects what
     *                               it holds (the file is left untouched, an adopted HAProxy keeps serving)
     */
    public static StackBackplane start(DaemonOptions options) throws IOException {
        // read first: a file that cannot be read must not reach a running HAProxy
        ThalassaConfig saved = options.persistenceFile().flatMap(f -> ConfigStore.at(f).load())
                .orElse(ThalassaConfig.empty());
        Files.createDirectories(options.dbPath());
        Registry registry = options.serviceReg() == null
                ? EmbeddedRegistry.builder().stateFile(options.dbPath().resolve("registrations.state")).build()
                : ConsulRegistry.builder().agent(options.serviceReg(), options.serviceRegPort())
                        .datacenter(options.datacenter()).build();
        return start(options, saved, registry, "persistence file " + (options.persistence() == null ? ""
                : options.persistence().toAbsolutePath()));
    }

    /**
     * Starts the stack with {@code registry} and {@code initial} as the first configuration HAProxy gets (members of
     * its dynamic backends from the registry): what a fleet node does with what it read from the shared store.
     *
     * @param source names where {@code initial} came from, for the error when HAProxy rejects it
     */
    static StackBackplane start(DaemonOptions options, ThalassaConfig initial, Registry registry, String source)
            throws IOException {
        ThalassaConfig saved = initial;
        Files.createDirectories(options.dbPath());
        Path cfg = options.haproxyCfgPath().toAbsolutePath();
        boolean root = io.thalassa.http.internal.HaproxyUser.daemonIsRoot();
        var account = io.thalassa.http.internal.HaproxyUser.account(options.haproxyUser(), root,
                Path.of("/etc/passwd"), Path.of("/etc/group"));
        account.ifPresentOrElse(a -> LOG.info("haproxy - workers run as user {} group {} (the master stays root and"
                + " keeps the sockets)", a.user(), a.group()), () -> {
                    if (root) {
                        LOG.warn("haproxy - runs as root: no user {} and no --haproxyUser",
                                io.thalassa.http.internal.HaproxyUser.DEFAULT_USER);
                    }
                });
        String statsAuth = io.thalassa.http.internal.HaproxyUser.statsAuth(options.statsAuth(),
                options.dbPath().resolve("stats-auth"));
        HaproxySettings settings = HaproxySettings.builder()
                .runAs(account.map(a -> a.user()).orElse(null), account.map(a -> a.group()).orElse(null))
                .statsAuth(statsAuth)
                .statsSocket(options.haproxySocketPath().toAbsolutePath())
                .pidFile(options.haproxyPidPath().toAbsolutePath())
                .serverStateFile(cfg.resolveSibling(cfg.getFileName() + ".state"))
                .statsListener(Bind.parse("127.0.0.1:" + options.statsPort()))
                .logTarget(null)
                .build();
        List<ThalassaEvent> startEvents = new CopyOnWriteArrayList<>();
        AtomicBoolean starting = new AtomicBoolean(true);
        HaproxyController.Builder controller = HaproxyController.builder()
                .listener(e -> {
                    if (starting.get()) {
                        startEvents.add(e);
                    }
                })
                .binary(options.haproxyBinary())
                .configFile(cfg)
                .settings(settings)
                .reloadWindow(options.reloadWindow());
        if (options.haproxyMaxFiles() > 0) {
            controller.fileLimit(options.haproxyMaxFiles());
        }
        options.customTemplate().ifPresent(t -> controller.renderer(HaproxyConfigRenderer.fromTemplate(t)));
        StackBackplane stack = new StackBackplane(registry, controller.build(), startEvents, options.bindAddress());
        try {
            stack.commit(saved); // the engine's first publication (members included) starts or adopts HAProxy
            if (!stack.haproxyStarted) {
                stack.toHaproxy(ThalassaConfig.empty()); // nothing was published: the empty configuration
            }
        } catch (RuntimeException e) {
            stack.abort();
            ConfigRejectedException rejected = rejectedCause(e);
            if (rejected == null) {
                throw e;
            }
            if (saved.equals(ThalassaConfig.empty())) {
                throw new IOException("HAProxy rejected the empty configuration: " + rejected.haproxyMessage(), e);
            }
            throw new IllegalStateException(source + " cannot be applied (" + rejected.getMessage()
                    + "); fix or move it, it is left untouched", e);
        } finally {
            starting.set(false);
        }
        return stack;
    }

    @Override
    public ThalassaConfig config() {
        return engine.current();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Group commit: changes that arrive while another is being applied wait, then are applied together, each on
     * the result of the one before, with one validation ({@code haproxy -c}) and at most one reload for all. When
     * that combined configuration fails, they are applied again one by one, so every caller gets the answer to its
     * own change. A change that throws by itself fails alone and does not hold the others back.
     */
    @Override
    public ThalassaConfig update(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        return write(change).config();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The change is the controller's change that put the published configuration in use; when the engine found
     * nothing to publish (the write changed nothing HAProxy sees), the controller's latest change, which covers it.
     */
    @Override
    public Written write(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        ThalassaConfig config = group(change);
        Long id;
        synchronized (changeOf) {
            id = changeOf.get(config);
            if (changeOf.size() > 16) {
                changeOf.clear(); // only the latest publications are ever asked for
                if (id != null) {
                    changeOf.put(config, id);
                }
            }
        }
        ChangeStatus status = id == null ? controller.latestChange().orElse(null)
                : controller.change(id).orElse(null);
        return new Written(config, status);
    }

    @Override
    public Optional<ChangeStatus> change(long id) {
        return controller.change(id);
    }

    @Override
    public Optional<ChangeStatus> awaitChange(long id, java.time.Duration timeout) throws InterruptedException {
        return controller.awaitChange(id, timeout);
    }

    private ThalassaConfig group(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        Pending mine = new Pending(change);
        queue.add(mine);
        applying.lock();
        try {
            if (!mine.done) { // still queued: take it and everything queued behind it
                List<Pending> batch = new ArrayList<>();
                for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                    batch.add(p);
                }
                applyBatch(batch);
            }
        } finally {
            applying.unlock();
        }
        return mine.outcome();
    }

    private void applyBatch(List<Pending> batch) {
        try {
            if (batch.size() == 1) {
                applyAlone(batch.get(0));
                return;
            }
            ThalassaConfig combined = engine.current();
            List<Pending> accepted = new ArrayList<>();
            for (Pending p : batch) {
                try {
                    combined = p.change.apply(combined);
                    accepted.add(p);
                } catch (RuntimeException e) {
                    p.fail(e);
                }
            }
            if (accepted.size() <= 1) {
                accepted.forEach(this::applyAlone);
                return;
            }
            try {
                ThalassaConfig result = commit(combined);
                accepted.forEach(p -> p.succeed(result));
            } catch (RuntimeException e) {
                accepted.forEach(this::applyAlone); // find whose change it was
            }
        } finally {
            for (Pending p : batch) {
                if (!p.done) {
                    p.fail(new IllegalStateException("the update was abandoned"));
                }
            }
        }
    }

    private void applyAlone(Pending p) {
        try {
            p.succeed(commit(p.change.apply(engine.current())));
        } catch (RuntimeException e) {
            p.fail(e);
        }
    }

    /** Puts {@code next} in use through the engine; on any failure the previous base is restored. */
    private ThalassaConfig commit(ThalassaConfig next) {
        ThalassaConfig before = base;
        try {
            base = next; // the engine ignores dynamic members it is given
            return engine.update(next);
        } catch (Rejected e) {
            restore(before);
            throw e.rejected;
        } catch (RuntimeException e) {
            ConfigRejectedException rejected = rejectedCause(e);
            restore(before);
            if (rejected != null) {
                throw rejected;
            }
            throw e;
        }
    }

    private void restore(ThalassaConfig before) {
        base = before;
        try {
            engine.update(before);
        } catch (RuntimeException ignored) {
            // the controller still runs the previous configuration: nothing was applied
        }
    }

    private static ConfigRejectedException rejectedCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Rejected r) {
                return r.rejected;
            }
            if (t instanceof ConfigRejectedException c) {
                return c;
            }
        }
        return null;
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public String haproxyConfig() {
        return controller.configText();
    }

    @Override
    public Optional<Object> stats() {
        StatsSnapshot[] two = lastTwo.get();
        if (two[1] == null) {
            return controller.stats().map(s -> s);
        }
        return Optional.of(SplitShares.withSplits(two[0], two[1], config()));
    }

    /** HAProxy's stat rows, read on its stats socket now (the controller's own poll keeps its snapshot). */
    @Override
    public List<io.thalassa.haproxy.StatRow> statRows() {
        return controller.runtimeApi().showStat();
    }

    /** HAProxy's frontend and backend rows ({@code show stat -1 3 -1}), read now. */
    @Override
    public List<io.thalassa.haproxy.StatRow> proxyStatRows() {
        return controller.runtimeApi().showProxyStats();
    }

    /**
     * The server rows of {@code backends} ({@code show stat <backend id> 4 -1} each, on one connection: by id, as a
     * frontend may have the same name), read now.
     */
    @Override
    public List<io.thalassa.haproxy.StatRow> serverStatRows(List<io.thalassa.haproxy.StatRow> backends) {
        return controller.runtimeApi().showServerStats(
                backends.stream().map(io.thalassa.haproxy.RuntimeApi::proxyId).toList());
    }

    /** Adds {@code listener}; it first receives the events of the start (HAProxy started or adopted). */
    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        startEvents.forEach(listener::onEvent);
        listeners.add(listener);
    }

    @Override
    public void removeListener(ThalassaEvent.Listener listener) {
        listeners.remove(listener);
    }

    /**
     * HAProxy (master and worker pids, reloads, config file, whether it runs the accepted configuration, pending and
     * failed changes, file descriptors) and the registry (kind, health).
     */
    @Override
    public Map<String, Object> status() {
        ControllerStatus s = controller.status();
        Map<String, Object> haproxy = new LinkedHashMap<>();
        haproxy.put("runsDesired", s.runsDesired());
        haproxy.put("pending", s.pending().stream().map(ChangeView::of).toList());
        haproxy.put("failed", s.failed().map(ChangeView::of).orElse(null));
        haproxy.put("masterPid", controller.masterPid());
        haproxy.put("workerPids", controller.workerPids());
        haproxy.put("reloads", s.reloads());
        haproxy.put("failedReloads", s.failedReloads());
        haproxy.put("servers", s.servers());
        Map<String, Object> fds = new LinkedHashMap<>();
        fds.put("needed", s.fileDescriptors().needed());
        fds.put("available", s.fileDescriptors().available());
        fds.put("detail", s.fileDescriptors().detail());
        haproxy.put("fileDescriptors", fds);
        haproxy.put("configFile", controller.configFile().toString());
        haproxy.put("logFile", controller.logFile().toString());
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("kind", registry instanceof ConsulRegistry ? "consul" : "embedded");
        reg.put("health", registry.health());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("haproxy", haproxy);
        status.put("registry", reg);
        return status;
    }

    private volatile java.util.function.BiConsumer<String, Duration> applyTiming;

    @Override
    public void onApply(java.util.function.BiConsumer<String, Duration> listener) {
        applyTiming = listener;
    }

    @Override
    public Optional<java.nio.file.Path> haproxyLogFile() {
        return Optional.of(controller.logFile());
    }

    @Override
    public Optional<io.thalassa.haproxy.ChangeStatus> latestChange() {
        return controller.latestChange();
    }

    /** The controller, for embedding and tests. */
    public HaproxyController controller() {
        return controller;
    }

    /** Sends {@code event} to every listener, as the stack's own events are. */
    void emit(ThalassaEvent event) {
        dispatch(event);
    }

    private void dispatch(ThalassaEvent event) {
        for (ThalassaEvent.Listener l : listeners) {
            l.onEvent(event);
        }
    }

    /** Closes the engine, the registry and the controller; HAProxy keeps serving. */
    @Override
    public void close() {
        engine.close();
        registry.close();
        controller.close();
    }

    /**
     * Closes the stack after a daemon start that failed: a HAProxy this stack started is stopped, an adopted one
     * keeps serving.
     */
    public void abort() {
        close();
        if (haproxyStarted && !controller.adopted()) {
            controller.stopHaproxy();
        }
    }

    /** One caller's change waiting for the group commit; completed by whichever caller applies its batch. */
    private static final class Pending {
        final UnaryOperator<ThalassaConfig> change;
        volatile boolean done;
        private ThalassaConfig result;
        private RuntimeException failure;

        Pending(UnaryOperator<ThalassaConfig> change) {
            this.change = change;
        }

        void succeed(ThalassaConfig config) {
            result = config;
            done = true;
        }

        void fail(RuntimeException e) {
            failure = e;
            done = true;
        }

        ThalassaConfig outcome() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** Carries a rejection through the engine's sink. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConfigRejectedException rejected;

        Rejected(ConfigRejectedException rejected) {
            super(rejected.getMessage(), rejected, false, false);
            this.rejected = rejected;
        }
    }
}
