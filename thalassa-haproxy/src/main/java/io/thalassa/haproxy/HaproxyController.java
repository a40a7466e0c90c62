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
import io.thalassa.haproxy.internal.ControllerParts;
import io.thalassa.haproxy.internal.CrtLists;
import io.thalassa.haproxy.internal.ControllerState;
import io.thalassa.haproxy.internal.Endpoints;
import io.thalassa.haproxy.internal.EventSink;
import io.thalassa.haproxy.internal.HaproxyProcess;
import io.thalassa.haproxy.internal.JoinGate;
import io.thalassa.haproxy.internal.Joins;
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
 *   <li><b>One truth about structure</b>: every section has a fingerprint ({@link RenderedConfig#fingerprints()}); a
 *       change reloads exactly when one differs from what the worker runs ({@link #needsReload} asks).</li>
 *   <li><b>Membership costs what changed</b>: stable server slots per backend, runtime commands for the backends
 *       that changed, {@code add server} to grow where HAProxy takes it, the file written later.</li>
 *   <li><b>No traffic before a member's first check passes</b>: it joins in drain and is made ready (then ramps up
 *       over the backend's slowstart) once its check passed; a version switch keeps the old members serving until
 *       then, at most the join timeout. Server states and stick tables survive reloads.</li>
 *   <li><b>Nothing is accepted that HAProxy would refuse</b> (file descriptors, listen addresses,
 *       {@code haproxy -c}); <b>a failed reload is a failed change</b> with HAProxy's words, and the previous worker
 *       keeps serving. Every change can be followed ({@link #change(long)}, {@link #awaitChange}).</li>
 *   <li>A HAProxy that exits or stops answering is started again, with an event. {@link #start} adopts one started
 *       earlier; {@link #close()} leaves it running unless {@link Builder#stopOnClose}.</li>
 * </ul>
 * Thread-safe: changes are applied one at a time, under one lock; members' host names are resolved before it is
 * taken. A facade over parts with one job each in {@code io.thalassa.haproxy.internal} (see docs/controller.md).
 */
public final class HaproxyController implements AutoCloseable {
    private final ControllerParts p;
    private final Duration statsInterval;
    private final boolean stopOnClose;

    // guarded by the lock
    private boolean started;
    private boolean adopted;

    private volatile boolean closed;

    private HaproxyController(Builder b) {
        this.p = new ControllerParts(new ControllerParts.Options(b.binary, b.sudo, b.configFile, b.masterSocket,
                b.settings, b.renderer, b.renderer::sections, b.reloadWindow, b.drainTimeout, b.joinTimeout, b.supervisionInterval,
                b.livenessInterval, b.commandTimeout, b.reloadTimeout, b.fileLimit, b.listeners));
        this.statsInterval = b.statsInterval;
        this.stopOnClose = b.stopOnClose;
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
     *                                 too) is taken by another p.process, or it needs more file descriptors than
     *                                 HAProxy may have ({@link CapacityExceededException})
     * @throws ThalassaException       when HAProxy cannot be started (with HAProxy's message)
     */
    public HaproxyController start(ThalassaConfig initial) {
        Checks.notNull("initial", initial);
        writeCrtLists(initial);
        Endpoints endpoints = Endpoints.resolve(initial, null); // host names, before the lock
        p.lock.lock();
        try {
            if (started) {
                throw new IllegalStateException("already started");
            }
            if (p.process.adopt()) {
                adopted = true;
                String text = Files.exists(p.configFile) ? Files.readString(p.configFile, StandardCharsets.UTF_8) : "";
                p.file.adopt(text);
                p.state.adopted(text, SlotPlanner.fromServersState(p.api.showServersState(null)));
                started = true;
                p.events.emit(Verb.STARTED, "haproxy", "adopted running HAProxy, master pid " + p.process.pid());
                p.applier.apply(p.planner.plan(p.state.basis(), initial, endpoints));
                p.joins.restarted(List.of()); // members it had waiting for their first check
                p.rejections.accepted(initial, endpoints);
            } else {
                p.reloader.launchFirst(initial, endpoints, p.validator);
                p.rejections.accepted(initial, endpoints);
                started = true;
                p.events.emit(Verb.STARTED, "haproxy", "started HAProxy, master pid " + p.process.pid()
                        + ", file descriptor limit " + p.process.fileLimit());
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + p.configFile + ": " + e.getMessage(), e);
        } finally {
            p.lock.unlock();
        }
        p.supervisor.start();
        p.scheduler.scheduleWithFixedDelay(this::pollStats, 0, statsInterval.toMillis(), TimeUnit.MILLISECONDS);
        awaitJoins(); // outside the lock: the gate takes it to make members ready
        return this;
    }

    /** Until the members waiting for their first check are in service, at most the join timeout. */
    private void awaitJoins() {
        long deadline = System.nanoTime() + p.joins.timeout().toNanos();
        while (!p.joins.idle() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
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
        p.supervisor.close();
        locked(() -> {
            p.reloader.reload();
            if (started) {
                p.state.writeFileNow();
            }
            return null;
        });
        p.scheduler.shutdownNow();
        if (stopOnClose) {
            stopHaproxy();
        }
    }

    /** Stops HAProxy (SIGTERM to the master, SIGKILL after 5 s); the controller must not be used afterwards. */
    public void stopHaproxy() {
        closed = true;
        p.supervisor.close();
        p.scheduler.shutdownNow();
        try {
            p.scheduler.awaitTermination(5, TimeUnit.SECONDS); // a restart launching outside the lock gives up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        locked(() -> {
            p.process.stop();
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
        writeCrtLists(config);
        Checked c = p.planning.plan(config, () -> { }, plan -> new Checked(plan.structural(), plan.tables(p.state.slots())));
        p.validator.checkCapacity(config, ControllerState.slotCount(c.tables()), p.process.fileLimit());
        if (c.structural()) {
            p.validator.check(p.renderer.render(config, p.settings, ControllerState.layout(c.tables(), null)).text());
        }
    }

    /** What {@link #validate} checks outside the lock: whether it is structural, and the slots it would have. */
    private record Checked(boolean structural, Map<String, SlotTable> tables) { }

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
        return p.planning.plan(next, () -> { }, ChangePlan::reloads);
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
        writeCrtLists(next);
        return p.planning.plan(next, this::mustBeStarted, p.applier::apply, p.rejections);
    }

    private void mustBeStarted() {
        if (!started) {
            throw new IllegalStateException("start() first");
        }
    }

    /** The crt-lists of {@code config}'s TLS frontends, before anything checks or loads it (see CrtLists). */
    private void writeCrtLists(ThalassaConfig config) {
        try {
            CrtLists.write(config, p.settings);
        } catch (IOException e) {
            throw new ThalassaException("cannot write the crt-lists in " + p.settings.certificateDir() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Stores certificate {@code name} ({@code <certificateDir>/<name>.pem}, mode 600): the PEM as HAProxy reads it,
     * the chain then the key, checked by the caller. When the running worker serves it, it is replaced there too
     * ({@code set ssl cert}, {@code commit ssl cert}): the next TLS connection gets it, no reload.
     *
     * @return whether the running worker had it and serves the new one now
     * @throws RuntimeApiException when the worker has it and refuses the new one (the file is put back)
     * @throws ThalassaException   when the file cannot be written
     */
    public boolean replaceCertificate(String name, String pem) {
        Checks.notNull("pem", pem);
        return locked(() -> p.certificates.replace(name, pem));
    }

    /**
     * Deletes certificate {@code name}'s file; what HAProxy runs still has it until the next reload.
     *
     * @throws ThalassaException when the file cannot be deleted
     */
    public void deleteCertificate(String name) {
        p.locked(() -> p.certificates.delete(name));
    }

    private <T> T locked(Supplier<T> work) {
        return p.locked(work);
    }

    // ---------------------------------------------------------------- state

    /** The change with this id, while the controller keeps it (the latest 10,000, and every pending one). */
    public Optional<ChangeStatus> change(long id) {
        return p.changes.get(id);
    }

    /**
     * Waits until the change is applied or failed, at most {@code timeout}; its status then (pending when the time
     * ran out), or empty for an unknown id.
     */
    public Optional<ChangeStatus> awaitChange(long id, Duration timeout) throws InterruptedException {
        Checks.notNull("timeout", timeout);
        return p.changes.await(id, timeout);
    }

    /** The latest change, if any. */
    public Optional<ChangeStatus> latestChange() {
        return p.changes.latest();
    }

    /** Whether HAProxy runs what was accepted, what is pending or failed, and the file-descriptor budget. */
    public ControllerStatus status() {
        return locked(() -> new ControllerStatus(!p.reloads.isPending() && p.reloads.refusedChange() == null
                && p.state.fingerprints().equals(p.reloads.fingerprints()), p.changes.pending(),
                Optional.ofNullable(p.reloads.refusedChange()), p.reloads.reloads(), p.reloads.failedReloads(),
                p.validator.budget(p.state.desired(), p.state.totalSlots(), p.process.fileLimit()), p.state.totalSlots()));
    }

    /** Registered members left out now because they cannot be planned (a {@code memberRejected} event each). */
    public Map<String, Map<String, String>> rejectedMembers() { // backend -> member id -> reason
        return locked(p.rejections::current);
    }

    /** The pids of the current workers (not the old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return p.process.workerPids();
    }

    /** The master's pid. */
    public long masterPid() {
        return p.process.pid();
    }

    /**
     * Whether HAProxy's master process runs now, checked by its pid: false from a crash until the controller has
     * started it again (it looks every supervision interval).
     */
    public boolean running() {
        return io.thalassa.haproxy.internal.Processes.isRunning(masterPid());
    }

    /** Whether {@link #start} adopted a HAProxy that was running already, rather than starting one. */
    public boolean adopted() {
        return locked(() -> adopted);
    }

    /** Reloads done by this controller since it started. */
    public long reloadCount() {
        return locked(p.reloads::reloads);
    }

    /** The hard file-descriptor limit of the HAProxy process (what every reload gets). */
    public long fileLimit() {
        return p.process.fileLimit();
    }

    // ---------------------------------------------------------------- stats and events

    private void pollStats() {
        if (!closed) {
            p.stats.poll();
        }
    }

    /** The latest stats snapshot, if one was read yet. */
    public Optional<StatsSnapshot> stats() {
        return p.stats.last();
    }

    /** Receives every stats snapshot (every stats interval); must be quick. */
    public HaproxyController addStatsListener(Consumer<StatsSnapshot> listener) {
        p.stats.addListener(Checks.notNull("listener", listener));
        return this;
    }

    /** Receives every event; must be quick and must not throw. */
    public HaproxyController addListener(ThalassaEvent.Listener listener) {
        p.events.add(Checks.notNull("listener", listener));
        return this;
    }

    /** The runtime API client on this HAProxy's stats socket. */
    public RuntimeApi runtimeApi() {
        return p.api;
    }

    /** The configuration file text as it is now (members included), brought up to date first if it is stale. */
    public String configText() {
        return locked(() -> {
            p.state.bringFileUpToDate();
            return p.file.writtenText();
        });
    }

    /** The configuration last accepted, or empty before the first change after an adoption. */
    public Optional<ThalassaConfig> applied() {
        return locked(() -> started && (p.state.adoptedText() == null || p.reloads.running() != null)
                ? Optional.of(p.state.desired()) : Optional.<ThalassaConfig>empty());
    }

    public Path configFile() {
        return p.configFile;
    }

    /** Where HAProxy's master writes what it says (start-up and reload messages). */
    public Path logFile() {
        return p.process.logFile();
    }

    public HaproxySettings settings() {
        return p.settings;
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
        private Duration joinTimeout = Duration.ofSeconds(10);
        private Duration statsInterval = Duration.ofSeconds(2);
        private Duration supervisionInterval = Duration.ofMillis(500);
        private Duration livenessInterval = Duration.ofSeconds(5);
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

        /**
         * How long a change waits for its joining members' first check before it reports applied anyway (saying which
         * did not pass; they join once they do), {@link #start} for the first members, and members that leave keep
         * serving when no other would (a version switch); 0..10 min, default 10 s.
         */
        public Builder joinTimeout(Duration timeout) {
            this.joinTimeout = Checks.duration("joinTimeout", timeout, Duration.ZERO, Duration.ofMinutes(10));
            return this;
        }

        /** How often stats are read; default 2 s. */
        public Builder statsInterval(Duration interval) {
            this.statsInterval = Checks.duration("statsInterval", interval, Duration.ofMillis(50), Duration.ofHours(1));
            return this;
        }

        /**
         * How often HAProxy is asked whether it answers ({@code show info} from the worker within the command
         * timeout, a worker in the master's {@code show proc}); after three failures in a row it is killed and started
         * again. 0 for never; default 5 s.
         */
        public Builder livenessInterval(Duration interval) {
            this.livenessInterval = Checks.notNull("livenessInterval", interval).isZero() ? interval
                    : Checks.duration("livenessInterval", interval, Duration.ofMillis(50), Duration.ofHours(1));
            return this;
        }

        /**
         * How often an adopted master is checked to be alive (one this controller launched reports its exit at once);
         * default 500 ms.
         */
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
