package io.thalassa.haproxy;

import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.internal.ChangeApplier;
import io.thalassa.haproxy.internal.ChangeLog;
import io.thalassa.haproxy.internal.ChangePlan;
import io.thalassa.haproxy.internal.ChangePlanner;
import io.thalassa.haproxy.internal.ConfigFileWriter;
import io.thalassa.haproxy.internal.ConfigValidator;
import io.thalassa.haproxy.internal.ControllerState;
import io.thalassa.haproxy.internal.Endpoints;
import io.thalassa.haproxy.internal.EventSink;
import io.thalassa.haproxy.internal.HaproxyProcess;
import io.thalassa.haproxy.internal.Planning;
import io.thalassa.haproxy.internal.ReloadRunner;
import io.thalassa.haproxy.internal.ReloadScheduler;
import io.thalassa.haproxy.internal.RuntimeApplier;
import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.StatsPoller;
import io.thalassa.haproxy.internal.Supervisor;
import io.thalassa.internal.Checks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Owns one HAProxy process in master-worker mode and keeps it running the configuration it is given, without
 * dropping a connection.
 *
 * <pre>{@code
 * try (HaproxyController haproxy = HaproxyController.builder()
 *         .configFile(Path.of("/var/lib/thalassa/haproxy.cfg"))
 *         .settings(HaproxySettings.defaults())
 *         .build()
 *         .start(config)) {
 *     haproxy.apply(config.withMembers("live", members));   // runtime API, no reload
 *     ApplyResult r = haproxy.apply(config.withFrontend(other)); // validated, written, one (coalesced) reload
 *     haproxy.awaitChange(r.changeId(), Duration.ofSeconds(10)); // applied, or failed with HAProxy's words
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>One truth about structure.</b> The renderer gives every section a structural fingerprint
 *       ({@link RenderedConfig#fingerprints()}); the controller keeps the fingerprints of what the worker runs and of
 *       what was accepted, and a change needs a reload exactly when a fingerprint differs, slot growth included.
 *       {@link #needsReload} asks without applying. Nothing is parsed back from rendered text.</li>
 *   <li><b>Membership costs what changed.</b> Every backend has stable, pre-declared server slots
 *       ({@code <backend>_slot<n>}); members joining and leaving and version switches plan only the backends that
 *       changed, go to HAProxy as one batch of runtime commands over one connection, and leave the file to a
 *       coalesced background write. A backend with a dynamic balance algorithm that runs out of slots gets more
 *       with {@code add server}; any other grows with one reload.</li>
 *   <li><b>Nothing is accepted that HAProxy would refuse.</b> A structural change is rendered and checked before it
 *       is accepted: the file descriptors it needs against the limit of the HAProxy process (HAProxy's own
 *       {@code maxsock} arithmetic, which {@code haproxy -c} does not check), new listen addresses against ports
 *       taken by other processes, and {@code haproxy -c}. A refusal throws and changes nothing.</li>
 *   <li><b>A failed reload is a failed change, and it stops.</b> HAProxy's own words (its alerts, from the log its
 *       master writes) go into the event, the log and the change's status; the previous worker keeps serving, the
 *       file goes back to what it runs, the same structure is not tried again, and membership changes keep going
 *       through the runtime API. {@link #status()} says whether HAProxy runs what was accepted.</li>
 *   <li><b>Every change can be followed.</b> {@link ApplyResult#changeId()}, {@link #change(long)},
 *       {@link #awaitChange(long, Duration)}.</li>
 *   <li>A master that dies is noticed within the supervision interval and started again, with an event.
 *       {@link #start} adopts a HAProxy started earlier (pid file and master socket), so restarting the Java process
 *       never interrupts traffic; {@link #close()} leaves HAProxy running unless {@link Builder#stopOnClose}.</li>
 * </ul>
 * Thread-safe: changes are applied one at a time, under one lock; members' host names are resolved before it is
 * taken. This class is the facade over parts with one job each ({@code io.thalassa.haproxy.internal}):
 * {@code ChangePlanner} (pure: what a change is, and whether it is structural), {@code ChangeApplier} (checks and
 * carries out a plan), {@code ReloadRunner} (start, reloads, restarts), {@code Supervisor} (a dead master, backing
 * off outside the lock), {@code ControllerState} (what was accepted, and its file), {@code HaproxyProcess},
 * {@code SlotPlanner}, {@code RuntimeApplier}, {@code ConfigValidator}, {@code ReloadScheduler},
 * {@code ConfigFileWriter}, {@code StatsPoller}, {@code ChangeLog} and {@code FileDescriptors}.
 */
public final class HaproxyController implements AutoCloseable {
    private static final Duration FILE_WRITE_DELAY = Duration.ofSeconds(1);
    private static final Duration RESTART_PAUSE = Duration.ofMillis(200);

    private final Path configFile;
    private final HaproxySettings settings;
    private final HaproxyConfigRenderer renderer;
    private final Duration statsInterval;
    private final boolean stopOnClose;
    private final RuntimeApi api;
    private final HaproxyProcess process;
    private final ConfigValidator validator;
    private final ReloadScheduler reloads;
    private final StatsPoller stats;
    private final ConfigFileWriter file;
    private final ControllerState state;
    private final ChangePlanner planner;
    private final Planning planning;
    private final ChangeApplier applier;
    private final ReloadRunner reloader;
    private final Supervisor<ReloadRunner.Restart> supervisor;
    private final ChangeLog changes = new ChangeLog(Clock.systemUTC(), 10_000);
    private final EventSink events;
    private final ScheduledExecutorService scheduler;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private boolean started;
    private boolean adopted;

    private volatile boolean closed;

    private HaproxyController(Builder b) {
        this.configFile = b.configFile.toAbsolutePath();
        Path masterSocket = b.masterSocket != null ? b.masterSocket.toAbsolutePath() : sibling(".master.sock");
        // master-worker in the foreground (of its own session): its output goes to the log the controller reads
        HaproxySettings s = b.settings.toBuilder().masterWorker(true).daemon(false).build();
        if (s.pidFile() == null) {
            s = s.toBuilder().pidFile(sibling(".pid")).build();
        }
        if (s.peersSocket() == null && s.peersListener() == null) { // stick tables survive reloads
            s = s.toBuilder().peersSocket(sibling(".peers.sock")).build();
        }
        if (s.serverStateFile() == null && s.keepServerState()) { // so do members' states
            s = s.toBuilder().serverStateFile(sibling(".state")).build();
        }
        this.settings = s;
        this.renderer = b.renderer;
        this.statsInterval = b.statsInterval;
        this.stopOnClose = b.stopOnClose;
        this.events = new EventSink(b.listeners);
        this.api = RuntimeApi.connect(settings.statsSocket(), b.commandTimeout);
        this.process = new HaproxyProcess(b.binary, b.sudo, configFile, masterSocket, settings.pidFile(),
                sibling(".log"), RuntimeApi.connect(masterSocket, b.commandTimeout), api, b.fileLimit);
        this.validator = new ConfigValidator(b.binary, b.sudo, configFile, settings, Runtime.getRuntime()
                .availableProcessors(), message -> events.emit(Verb.CONFIG_REJECTED, "haproxy", message));
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-haproxy");
            t.setDaemon(true);
            return t;
        });
        this.reloads = new ReloadScheduler(scheduler, b.reloadWindow, this::reloadNow, sibling(".fingerprints"));
        RuntimeApplier runtime = new RuntimeApplier(api, scheduler, b.drainTimeout, this::drained);
        this.stats = new StatsPoller(api, (ok, detail) -> events.emit(Verb.STATS_FAILED, "haproxy", detail));
        this.file = new ConfigFileWriter(configFile, scheduler, FILE_WRITE_DELAY, this::fileJob);
        this.state = new ControllerState(renderer, settings, file, reloads, configFile);
        this.planner = new ChangePlanner(renderer.sections(settings));
        this.planning = new Planning(lock, state, planner);
        this.applier = new ChangeApplier(state, reloads, runtime, changes, validator, process, file, renderer,
                settings, events, configFile);
        this.reloader = new ReloadRunner(state, reloads, process, runtime, changes, api, file, renderer, settings,
                b.reloadTimeout, events, configFile, this::haproxyDown);
        this.supervisor = new Supervisor<>(scheduler, b.supervisionInterval, RESTART_PAUSE, lock, reloader);
    }

    private Path sibling(String suffix) {
        return configFile.resolveSibling(configFile.getFileName() + suffix);
    }

    /** A controller to configure; nothing starts until {@link #start}. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Adopts the HAProxy this controller's pid file and master socket point to, or starts one with {@code initial};
     * then applies {@code initial}. Starts supervision and the stats poller.
     *
     * @throws ConfigRejectedException when HAProxy rejects {@code initial}, a listen address (the stats listener's
     *                                 too) is taken by another process, or it needs more file descriptors than
     *                                 HAProxy may have ({@link CapacityExceededException})
     * @throws ThalassaException       when HAProxy cannot be started (with HAProxy's message)
     */
    public HaproxyController start(ThalassaConfig initial) {
        Checks.notNull("initial", initial);
        Endpoints endpoints = Endpoints.resolve(initial, null); // host names, before the lock
        lock.lock();
        try {
            if (started) {
                throw new IllegalStateException("already started");
            }
            if (process.adopt()) {
                adopted = true;
                String text = Files.exists(configFile) ? Files.readString(configFile, StandardCharsets.UTF_8) : "";
                file.adopt(text);
                state.adopted(text, SlotPlanner.fromServersState(api.showServersState(null)));
                started = true;
                events.emit(Verb.STARTED, "haproxy", "adopted running HAProxy, master pid " + process.pid());
                applier.apply(planner.plan(state.basis(), initial, endpoints));
            } else {
                reloader.launchFirst(initial, endpoints, validator);
                started = true;
                events.emit(Verb.STARTED, "haproxy", "started HAProxy, master pid " + process.pid()
                        + ", file descriptor limit " + process.fileLimit());
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + configFile + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        supervisor.start();
        scheduler.scheduleWithFixedDelay(this::pollStats, 0, statsInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Stops supervision, the stats poller and pending work (a pending reload runs first, the file is written).
     * HAProxy keeps running (a later controller adopts it) unless the builder said {@link Builder#stopOnClose}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        supervisor.close();
        locked(() -> {
            reloader.reload();
            if (started) {
                state.writeFileNow();
            }
            return null;
        });
        scheduler.shutdownNow();
        if (stopOnClose) {
            stopHaproxy();
        }
    }

    /** Stops HAProxy (SIGTERM to the master, SIGKILL after 5 s); the controller must not be used afterwards. */
    public void stopHaproxy() {
        closed = true;
        supervisor.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS); // a restart launching outside the lock gives up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        locked(() -> {
            process.stop();
            return null;
        });
    }

    // ---------------------------------------------------------------- changes

    /**
     * Checks {@code config} as applying it now would check it, without applying anything: the file descriptors it
     * would need and, when the change is structural, HAProxy's own check of the rendered file ({@code haproxy -c});
     * a membership change (members, weights, versions) has nothing for {@code haproxy -c} to check. Listen addresses
     * are not probed: this is the check of a configuration that other HAProxys (the nodes of a fleet) will run too.
     *
     * @throws ConfigRejectedException when HAProxy refuses it, or {@link CapacityExceededException}
     */
    public void validate(ThalassaConfig config) {
        Checks.notNull("config", config);
        Checked c = planning.plan(config, () -> { }, plan -> new Checked(plan.structural(), plan.tables(state.slots())));
        validator.checkCapacity(config, ControllerState.slotCount(c.tables()), process.fileLimit());
        if (c.structural()) {
            validator.check(renderer.render(config, settings, ControllerState.layout(c.tables(), null)).text());
        }
    }

    /** What {@link #validate} checks outside the lock: whether it is structural, and the slots it would have. */
    private record Checked(boolean structural, Map<String, SlotTable> tables) {
    }

    /**
     * Whether applying {@code next} now would reload HAProxy: its structure differs from what the worker runs
     * (frontends, a backend's settings, backends added or removed, a backend outgrowing its slots where the balance
     * algorithm takes no servers at run time), as {@link #apply} decides it, without applying anything. Members,
     * weights, version switches and splits, and growth with {@code add server} need none. A structure HAProxy refused
     * before counts too ({@link #apply} then fails it at once). Before {@link #start}: whether it differs from
     * nothing.
     */
    public boolean needsReload(ThalassaConfig next) {
        Checks.notNull("next", next);
        return planning.plan(next, () -> { }, ChangePlan::reloads);
    }

    /**
     * Makes HAProxy run {@code next}. Members of existing backends and version switches go through the runtime API;
     * anything else is checked, accepted and reloaded (coalesced with other changes within the reload window). The
     * same configuration as now: nothing happens.
     *
     * @return what was done, with the change's id
     * @throws ConfigRejectedException when the new configuration is refused: {@code haproxy -c} fails, a new listen
     *                                 address is taken, or it needs more file descriptors than HAProxy may have
     *                                 ({@link CapacityExceededException}); nothing changed
     */
    public ApplyResult apply(ThalassaConfig next) {
        Checks.notNull("desired", next);
        return planning.plan(next, this::mustBeStarted, applier::apply);
    }

    private void mustBeStarted() {
        if (!started) {
            throw new IllegalStateException("start() first");
        }
    }

    /** A draining slot has no session left (or its time is up): emptied under the lock. */
    private void drained(String backend, String server, long generation, long millis, long left, boolean timedOut) {
        locked(() -> {
            applier.drained(backend, server, generation, millis, left, timedOut);
            return null;
        });
    }

    /** The reload window is over: runs the reload, under the lock. */
    private void reloadNow() {
        locked(() -> {
            reloader.reload();
            return null;
        });
    }

    private boolean haproxyDown() {
        return supervisor.isDown();
    }

    /** What the file holds, as a snapshot taken under the lock (rendered outside it). */
    private ConfigFileWriter.Job fileJob() {
        return locked(state::fileJob);
    }

    private <T> T locked(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- state

    /** The change with this id, while the controller keeps it (the latest 10,000, and every pending one). */
    public Optional<ChangeStatus> change(long id) {
        return changes.get(id);
    }

    /**
     * Waits until the change is applied or failed, at most {@code timeout}; its status then (pending when the time
     * ran out), or empty for an unknown id.
     */
    public Optional<ChangeStatus> awaitChange(long id, Duration timeout) throws InterruptedException {
        Checks.notNull("timeout", timeout);
        return changes.await(id, timeout);
    }

    /** The latest change, if any. */
    public Optional<ChangeStatus> latestChange() {
        return changes.latest();
    }

    /** Whether HAProxy runs what was accepted, what is pending or failed, and the file-descriptor budget. */
    public ControllerStatus status() {
        return locked(() -> new ControllerStatus(!reloads.isPending() && reloads.refusedChange() == null
                && state.fingerprints().equals(reloads.fingerprints()), changes.pending(),
                Optional.ofNullable(reloads.refusedChange()), reloads.reloads(), reloads.failedReloads(),
                validator.budget(state.desired(), state.totalSlots(), process.fileLimit()), state.totalSlots()));
    }

    /** The pids of the current workers (not the old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return process.workerPids();
    }

    /** The master's pid. */
    public long masterPid() {
        return process.pid();
    }

    /** Whether {@link #start} adopted a HAProxy that was running already, rather than starting one. */
    public boolean adopted() {
        return locked(() -> adopted);
    }

    /** Reloads done by this controller since it started. */
    public long reloadCount() {
        return locked(reloads::reloads);
    }

    /** The hard file-descriptor limit of the HAProxy process (what every reload gets). */
    public long fileLimit() {
        return process.fileLimit();
    }

    // ---------------------------------------------------------------- stats and events

    private void pollStats() {
        if (!closed) {
            stats.poll();
        }
    }

    /** The latest stats snapshot, if one was read yet. */
    public Optional<StatsSnapshot> stats() {
        return stats.last();
    }

    /** Receives every stats snapshot (every stats interval); must be quick. */
    public HaproxyController addStatsListener(Consumer<StatsSnapshot> listener) {
        stats.addListener(Checks.notNull("listener", listener));
        return this;
    }

    /** Receives every event; must be quick and must not throw. */
    public HaproxyController addListener(ThalassaEvent.Listener listener) {
        events.add(Checks.notNull("listener", listener));
        return this;
    }

    /** The runtime API client on this HAProxy's stats socket. */
    public RuntimeApi runtimeApi() {
        return api;
    }

    /** The configuration file text as it is now (members included), brought up to date first if it is stale. */
    public String configText() {
        return locked(() -> {
            state.bringFileUpToDate();
            return file.writtenText();
        });
    }

    /** The configuration last accepted, or empty before the first change after an adoption. */
    public Optional<ThalassaConfig> applied() {
        return locked(() -> started && (state.adoptedText() == null || reloads.running() != null)
                ? Optional.of(state.desired()) : Optional.<ThalassaConfig>empty());
    }

    public Path configFile() {
        return configFile;
    }

    /** Where HAProxy's master writes what it says (start-up and reload messages). */
    public Path logFile() {
        return process.logFile();
    }

    public HaproxySettings settings() {
        return settings;
    }

    /** Configures a controller. */
    public static final class Builder {
        private String binary = "haproxy";
        private Path configFile = Path.of("/tmp/thalassa/haproxy.cfg");
        private Path masterSocket;
        private HaproxySettings settings = HaproxySettings.defaults();
        private HaproxyConfigRenderer renderer;
        private List<String> sudo = List.of();
        private Duration reloadWindow = Duration.ofMillis(200);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration statsInterval = Duration.ofSeconds(2);
        private Duration supervisionInterval = Duration.ofMillis(500);
        private Duration commandTimeout = Duration.ofSeconds(2);
        private Duration reloadTimeout = Duration.ofSeconds(15);
        private boolean stopOnClose;
        private long fileLimit;
        private final List<ThalassaEvent.Listener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** The HAProxy program, a path or a name on PATH; default {@code haproxy}. */
        public Builder binary(String binary) {
            this.binary = Checks.noControl("binary", Checks.notNull("binary", binary));
            return this;
        }

        /** Where haproxy.cfg is written; default {@code /tmp/thalassa/haproxy.cfg}. */
        public Builder configFile(Path file) {
            this.configFile = Checks.notNull("configFile", file);
            return this;
        }

        /** The master CLI socket; default {@code <configFile>.master.sock}. */
        public Builder masterSocket(Path socket) {
            this.masterSocket = Checks.notNull("masterSocket", socket);
            return this;
        }

        /**
         * Rendering settings: stats socket, pid file, server-state file, stats listener... Master-worker and daemon
         * mode are always on; a missing pid file becomes {@code <configFile>.pid}.
         */
        public Builder settings(HaproxySettings settings) {
            this.settings = Checks.notNull("settings", settings);
            return this;
        }

        /** The template; default {@link HaproxyConfigRenderer#defaultTemplate()}. */
        public Builder renderer(HaproxyConfigRenderer renderer) {
            this.renderer = Checks.notNull("renderer", renderer);
            return this;
        }

        /** A prefix for the commands run ({@code haproxy}, {@code kill}), e.g. {@code sudo -n}. */
        public Builder sudo(List<String> prefix) {
            for (String word : Checks.notNull("sudo", prefix)) {
                Checks.noControl("sudo", word);
            }
            this.sudo = List.copyOf(prefix);
            return this;
        }

        /** Structural changes within this window become one reload; 0..60 s, default 200 ms. */
        public Builder reloadWindow(Duration window) {
            this.reloadWindow = Checks.duration("reloadWindow", window, Duration.ZERO, Duration.ofSeconds(60));
            return this;
        }

        /** How long a leaving member may finish its requests before its slot is emptied; default 10 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Checks.duration("drainTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /** How often stats are read; default 2 s. */
        public Builder statsInterval(Duration interval) {
            this.statsInterval = Checks.duration("statsInterval", interval, Duration.ofMillis(50), Duration.ofHours(1));
            return this;
        }

        /** How often the master is checked to be alive; default 500 ms. */
        public Builder supervisionInterval(Duration interval) {
            this.supervisionInterval = Checks.duration("supervisionInterval", interval, Duration.ofMillis(20),
                    Duration.ofMinutes(10));
            return this;
        }

        /** Bound of each runtime API call; default 2 s. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Checks.duration("commandTimeout", timeout, Duration.ofMillis(10),
                    Duration.ofMinutes(5));
            return this;
        }

        /** How long a reload may take to show a new worker; default 15 s. */
        public Builder reloadTimeout(Duration timeout) {
            this.reloadTimeout = Checks.duration("reloadTimeout", timeout, Duration.ofMillis(100),
                    Duration.ofMinutes(10));
            return this;
        }

        /**
         * The hard file-descriptor limit HAProxy is started with (HAProxy itself raises its soft limit up to it).
         * Default: as high as the system allows ({@code /proc/sys/fs/nr_open}, at most 1,048,576) where this process
         * may raise it, else the limit this process has. A configuration needing more is refused before it is
         * accepted ({@link CapacityExceededException}). Lower limits are always possible (tests use them).
         */
        public Builder fileLimit(long limit) {
            if (limit < 64 || limit > 1L << 30) {
                throw new IllegalArgumentException("fileLimit must be in 64..1073741824: " + limit);
            }
            this.fileLimit = limit;
            return this;
        }

        /** Whether {@link #close()} stops HAProxy too; default false, HAProxy keeps serving. */
        public Builder stopOnClose(boolean stop) {
            this.stopOnClose = stop;
            return this;
        }

        /** Receives every event from the start on. */
        public Builder listener(ThalassaEvent.Listener listener) {
            listeners.add(Checks.notNull("listener", listener));
            return this;
        }

        public HaproxyController build() {
            if (renderer == null) {
                renderer = HaproxyConfigRenderer.defaultTemplate();
            }
            return new HaproxyController(this);
        }
    }
}
