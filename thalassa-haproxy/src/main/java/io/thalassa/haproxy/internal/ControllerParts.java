package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RuntimeApi;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parts of one {@link io.thalassa.haproxy.HaproxyController}, made and wired together: each part's callbacks
 * (a drain over, a member's first check passed, the reload window over, the file to write) run here under the
 * controller's one lock. The controller is the facade that calls them.
 */
public final class ControllerParts {
    private static final Duration FILE_WRITE_DELAY = Duration.ofSeconds(1);
    private static final Duration RESTART_PAUSE = Duration.ofMillis(200);

    /**
     * What the controller's builder says.
     *
     * @param sections  the renderer's section fingerprints with the settings HAProxy runs
     * @param listeners receive every event from the start on
     */
    public record Options(String binary, List<String> sudo, Path configFile, Path masterSocket,
            HaproxySettings settings, HaproxyConfigRenderer renderer,
            Function<HaproxySettings, ChangePlanner.Sections> sections, Duration reloadWindow, Duration drainTimeout,
            Duration joinTimeout, Duration supervisionInterval, Duration livenessInterval, Duration commandTimeout,
            Duration reloadTimeout, long fileLimit, List<ThalassaEvent.Listener> listeners) {
    }

    public final ReentrantLock lock = new ReentrantLock();
    public final Path configFile;
    public final HaproxySettings settings;
    public final HaproxyConfigRenderer renderer;
    public final EventSink events;
    public final MemberRejections rejections;
    public final RuntimeApi api;
    public final HaproxyProcess process;
    public final ConfigValidator validator;
    public final ScheduledExecutorService scheduler;
    public final ReloadScheduler reloads;
    public final StatsPoller stats;
    public final ConfigFileWriter file;
    public final ControllerState state;
    public final ChangePlanner planner;
    public final Planning planning;
    public final ChangeLog changes = new ChangeLog(Clock.systemUTC(), 10_000);
    public final Joins joins;
    public final ChangeApplier applier;
    public final ReloadRunner reloader;
    public final Supervisor<ReloadRunner.Restart> supervisor;
    public final CertificateFiles certificates;

    public ControllerParts(Options o) {
        ControllerFiles files = ControllerFiles.of(o.configFile(), o.masterSocket());
        this.configFile = files.configFile();
        this.settings = files.settings(o.settings());
        this.renderer = o.renderer();
        this.events = new EventSink(o.listeners());
        this.rejections = new MemberRejections(events);
        this.api = RuntimeApi.connect(settings.statsSocket(), o.commandTimeout());
        this.process = new HaproxyProcess(o.binary(), o.sudo(), configFile, files.masterSocket(), settings.pidFile(),
                files.log(), RuntimeApi.connect(files.masterSocket(), o.commandTimeout()), api, o.fileLimit());
        this.validator = new ConfigValidator(o.binary(), o.sudo(), configFile, settings, Runtime.getRuntime()
                .availableProcessors(), message -> events.emit(Verb.CONFIG_REJECTED, "haproxy", message));
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-haproxy");
            t.setDaemon(true);
            return t;
        });
        this.reloads = new ReloadScheduler(scheduler, o.reloadWindow(), this::reloadNow, files.fingerprints());
        RuntimeApplier runtime = new RuntimeApplier(api, scheduler, o.drainTimeout(), this::drained);
        this.stats = new StatsPoller(api, (ok, detail) -> events.emit(Verb.STATS_FAILED, "haproxy", detail));
        this.file = new ConfigFileWriter(configFile, scheduler, FILE_WRITE_DELAY, this::fileJob);
        this.state = new ControllerState(renderer, settings, file, reloads, configFile);
        this.planner = new ChangePlanner(o.sections().apply(settings));
        this.planning = new Planning(lock, state, planner);
        this.joins = new Joins(state, reloads, runtime, new JoinGate(api, scheduler, new JoinGate.Listener() {
            @Override
            public void passed(String backend, String server, long generation, long waitedMillis) {
                locked(() -> joins.passed(backend, server, generation, waitedMillis));
            }

            @Override
            public void failed(String backend, String server, long generation, String checkStatus) {
                locked(() -> joins.failed(backend, server, generation, checkStatus));
            }
        }), changes, events, file, o.joinTimeout(), scheduler, this::settleJoins);
        this.applier = new ChangeApplier(state, reloads, runtime, changes, joins, validator, process, file, renderer,
                settings, events, configFile);
        this.reloader = new ReloadRunner(state, reloads, process, runtime, joins, changes, api, file, renderer,
                settings, o.reloadTimeout(), events, configFile, this::haproxyDown);
        this.supervisor = new Supervisor<>(scheduler, o.supervisionInterval(), o.livenessInterval(), RESTART_PAUSE,
                lock, reloader);
        process.onExit(supervisor::exited);
        this.certificates = new CertificateFiles(settings, api, events);
    }

    /** Runs {@code work} under the controller's lock. */
    public <T> T locked(Supplier<T> work) {
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} under the controller's lock. */
    public void locked(Runnable work) {
        lock.lock();
        try {
            work.run();
        } finally {
            lock.unlock();
        }
    }

    /** A draining slot has no session left (or its time is up): emptied under the lock. */
    private void drained(String backend, String server, long generation, long millis, long left, boolean timedOut) {
        locked(() -> applier.drained(backend, server, generation, millis, left, timedOut));
    }

    private void settleJoins() {
        locked(joins::settle);
    }

    /** The reload window is over: runs the reload, under the lock. */
    private void reloadNow() {
        locked(reloader::reload);
    }

    private boolean haproxyDown() {
        return supervisor.isDown();
    }

    /** What the file holds, as a snapshot taken under the lock (rendered outside it). */
    private ConfigFileWriter.Job fileJob() {
        return locked(state::fileJob);
    }
}
