package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.ConfigDiff;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Member;
import io.thalassa.ReloadFailedException;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.internal.ConfigCheck;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *     haproxy.apply(config.withFrontend(other));             // validated, written, one (coalesced) reload
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Every backend gets stable, pre-declared server slots ({@code <backend>_slot<n>}), so members joining and
 *       leaving and version switches are runtime API commands for every balance algorithm. When a backend runs out
 *       of slots, a backend with a dynamic algorithm gets more with {@code add server}; any other grows with one
 *       reload for the whole batch.</li>
 *   <li>A structural change is rendered, checked with {@code haproxy -c} (a failure changes nothing and carries
 *       HAProxy's message and line), written atomically, and applied by a reload on the master CLI after the
 *       coalescing window; the reload is confirmed with {@code show proc}, and a failed one restores the last good
 *       file.</li>
 *   <li>The file on disk always holds the current members, so any later reload or restart keeps them; the
 *       server-state file carries health state across reloads.</li>
 *   <li>A master that dies is noticed within the supervision interval and started again, with an event.</li>
 *   <li>{@link #start} adopts a HAProxy started earlier (pid file and master socket), so restarting the Java process
 *       never interrupts traffic; {@link #close()} leaves HAProxy running unless {@link Builder#stopOnClose}.</li>
 * </ul>
 * Thread-safe: changes are applied one at a time.
 */
public final class HaproxyController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyController.class);

    private final String binary;
    private final Path configFile;
    private final Path masterSocket;
    private final HaproxySettings settings;
    private final HaproxyConfigRenderer renderer;
    private final List<String> sudo;
    private final Duration reloadWindow;
    private final Duration drainTimeout;
    private final Duration statsInterval;
    private final Duration supervisionInterval;
    private final Duration reloadTimeout;
    private final boolean stopOnClose;
    private final RuntimeApi api;
    private final RuntimeApi master;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<StatsSnapshot>> statsListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private ThalassaConfig applied;
    private Map<String, SlotTable> slots = new TreeMap<>();
    private Set<String> runningServers = new HashSet<>();
    private String fileText = "";
    private String runningSignature = "";
    private String lastGoodText = "";
    private String lastRendered = "";
    private ScheduledFuture<?> pendingReload;
    private CompletableFuture<Void> pendingReloadResult;
    private int coalesced;
    private long masterPid = -1;
    private boolean started;
    private boolean adopted;
    private boolean restarting;
    private long reloadCount;

    private volatile StatsSnapshot lastStats;
    private volatile boolean statsFailing;
    private volatile boolean closed;

    private HaproxyController(Builder b) {
        this.binary = b.binary;
        this.configFile = b.configFile.toAbsolutePath();
        this.masterSocket = b.masterSocket != null ? b.masterSocket.toAbsolutePath()
                : configFile.resolveSibling(configFile.getFileName() + ".master.sock");
        HaproxySettings s = b.settings.toBuilder().masterWorker(true).daemon(true).build();
        if (s.pidFile() == null) {
            s = s.toBuilder().pidFile(configFile.resolveSibling(configFile.getFileName() + ".pid")).build();
        }
        this.settings = s;
        this.renderer = b.renderer;
        this.sudo = List.copyOf(b.sudo);
        this.reloadWindow = b.reloadWindow;
        this.drainTimeout = b.drainTimeout;
        this.statsInterval = b.statsInterval;
        this.supervisionInterval = b.supervisionInterval;
        this.reloadTimeout = b.reloadTimeout;
        this.stopOnClose = b.stopOnClose;
        this.api = RuntimeApi.connect(settings.statsSocket(), b.commandTimeout);
        this.master = RuntimeApi.connect(masterSocket, b.commandTimeout);
        this.listeners.addAll(b.listeners);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-haproxy");
            t.setDaemon(true);
            return t;
        });
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
     * @throws ConfigRejectedException when HAProxy rejects {@code initial}
     * @throws ThalassaException       when HAProxy cannot be started
     */
    public HaproxyController start(ThalassaConfig initial) throws ConfigRejectedException {
        Checks.notNull("initial", initial);
        lock.lock();
        try {
            if (started) {
                throw new IllegalStateException("already started");
            }
            long pid = Processes.readPid(settings.pidFile());
            if (pid > 0 && Processes.isRunning(pid) && Processes.commandLine(pid).contains("haproxy")
                    && answers(master, "show proc")) {
                masterPid = pid;
                adopted = true;
                fileText = Files.exists(configFile) ? Files.readString(configFile, StandardCharsets.UTF_8) : "";
                runningSignature = signature(fileText);
                lastGoodText = fileText;
                resyncFromRuntime();
                started = true;
                emit(Verb.STARTED, "haproxy", "adopted running HAProxy, master pid " + pid);
                apply(initial);
            } else {
                RenderedConfig rendered = renderFresh(initial);
                check(rendered.text());
                Processes.writeAtomically(configFile, rendered.text());
                fileText = rendered.text();
                if (settings.serverStateFile() != null) {
                    Files.deleteIfExists(settings.serverStateFile()); // stale health state of another run
                }
                launch();
                applied = initial;
                runningSignature = signature(fileText);
                lastGoodText = fileText;
                runningServers = serverNames(fileText);
                started = true;
                emit(Verb.STARTED, "haproxy", "started HAProxy, master pid " + masterPid);
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + configFile + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        long superviseMs = supervisionInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::supervise, superviseMs, superviseMs, TimeUnit.MILLISECONDS);
        long statsMs = statsInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::pollStats, 0, statsMs, TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Stops supervision, the stats poller and pending work. HAProxy keeps running (a later controller adopts it)
     * unless the builder said {@link Builder#stopOnClose}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock();
        try {
            if (pendingReload != null && pendingReload.cancel(false)) {
                runReload();
            }
        } finally {
            lock.unlock();
        }
        scheduler.shutdownNow();
        if (stopOnClose) {
            stopHaproxy();
        }
    }

    /** Stops HAProxy (SIGTERM to the master, SIGKILL after 5 s); the controller must not be used afterwards. */
    public void stopHaproxy() {
        closed = true;
        scheduler.shutdownNow();
        lock.lock();
        try {
            long pid = masterPid;
            if (pid > 0 && Processes.isRunning(pid)) {
                Processes.signal(sudo, pid, "TERM");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (Processes.isRunning(pid) && System.nanoTime() < deadline) {
                    sleep(20);
                }
                if (Processes.isRunning(pid)) {
                    Processes.signal(sudo, pid, "KILL");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void launch() {
        try {
            Files.deleteIfExists(settings.pidFile());
            List<String> cmd = Processes.prefixed(sudo, binary, "-W", "-S", masterSocket + ",mode,600",
                    "-f", configFile.toString());
            Processes.Outcome out = Processes.run(cmd, Duration.ofSeconds(30));
            if (out.exitCode() != 0) {
                throw new ThalassaException("HAProxy did not start (exit " + out.exitCode() + "): "
                        + ConfigCheck.rejected(out.output()).haproxyMessage());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                long pid = Processes.readPid(settings.pidFile());
                if (pid > 0 && Processes.isRunning(pid) && answers(master, "show proc") && answers(api, "show info")) {
                    masterPid = pid;
                    return;
                }
                sleep(10);
            }
            throw new ThalassaException("HAProxy started but its master socket " + masterSocket
                    + " and stats socket " + settings.statsSocket() + " did not answer within 10 s");
        } catch (IOException e) {
            throw new ThalassaException("cannot start HAProxy (" + binary + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThalassaException("interrupted while starting HAProxy", e);
        }
    }

    private static boolean answers(RuntimeApi socket, String command) {
        try {
            socket.execute(command);
            return true;
        } catch (RuntimeApiException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- apply

    /**
     * Makes HAProxy run {@code desired}. Members of existing backends and version switches go through the runtime
     * API; anything else is validated, written and reloaded (coalesced with other changes within the reload window).
     * Same bytes as now: nothing happens.
     *
     * @throws ConfigRejectedException when {@code haproxy -c} rejects the new configuration; nothing changed
     */
    public ApplyResult apply(ThalassaConfig desired) throws ConfigRejectedException {
        Checks.notNull("desired", desired);
        lock.lock();
        try {
            if (!started) {
                throw new IllegalStateException("start() first");
            }
            if (desired.equals(applied) && fileText.equals(lastRendered)) {
                return new ApplyResult(ApplyResult.Kind.NOOP, List.of(), List.of(), CompletableFuture.completedFuture(null));
            }
            // 1. plan slot contents on copies
            Map<String, SlotTable> next = new TreeMap<>();
            Map<String, List<SlotTable.Change>> changes = new LinkedHashMap<>();
            Map<String, Integer> runtimeGrowth = new TreeMap<>();
            boolean growthNeedsReload = false;
            for (Backend b : desired.backends().values()) {
                List<Endpoint> wanted = endpoints(b);
                SlotTable current = slots.get(b.key());
                SlotTable table = current == null ? new SlotTable(b.key(), SlotTable.capacityFor(wanted.size()))
                        : current.copy();
                List<SlotTable.Change> list = new ArrayList<>();
                List<Endpoint> homeless = table.assign(wanted, list);
                if (!homeless.isEmpty()) {
                    int before = table.capacity();
                    int busy = table.capacity() - freeCount(table);
                    boolean dynamic = b.balance().isDynamic() && current != null;
                    int grown = dynamic ? before + homeless.size()
                            : Math.max(before * 2, SlotTable.capacityFor(busy + homeless.size()));
                    table.ensureCapacity(grown);
                    List<Endpoint> still = table.assign(wanted, list);
                    if (!still.isEmpty()) {
                        throw new IllegalStateException("slot planning failed for backend " + b.key());
                    }
                    if (dynamic) {
                        runtimeGrowth.put(b.key(), before);
                    } else {
                        growthNeedsReload = true;
                    }
                }
                next.put(b.key(), table);
                if (!list.isEmpty()) {
                    changes.put(b.key(), list);
                }
            }
            // 2. render; structural when the section/server-name skeleton differs from what the worker runs
            RenderedConfig rendered = renderer.render(desired, settings, layoutOf(next));
            String text = rendered.text();
            String sig = signature(text);
            boolean structural = !sig.equals(runningSignature);
            if (structural && !growthNeedsReload && !runtimeGrowth.isEmpty()) {
                // the only difference may be the slots a dynamic backend gets through `add server`
                Map<String, SlotTable> trimmed = new TreeMap<>(next);
                runtimeGrowth.forEach((key, before) -> {
                    SlotTable t = new SlotTable(key, 0);
                    t.slots().addAll(next.get(key).slots().subList(0, before));
                    trimmed.put(key, t);
                });
                String trimmedSig = signature(renderer.render(desired, settings, layoutOf(trimmed)).text());
                structural = !trimmedSig.equals(runningSignature);
            }
            if (structural) {
                check(text);
            }
            if (!structural && text.equals(fileText) && changes.isEmpty()) {
                applied = desired;
                lastRendered = text;
                return new ApplyResult(ApplyResult.Kind.NOOP, List.of(), rendered.warnings(),
                        CompletableFuture.completedFuture(null));
            }
            // 3. commit the plan: runtime first (traffic moves at once), then the file; both under the lock, so a
            // restart or reload always sees the file that matches the runtime
            Map<String, SlotTable> previous = slots;
            ThalassaConfig previousConfig = applied;
            slots = next;
            applied = desired;
            List<String> described = new ArrayList<>();
            boolean runtimeFailed = false;
            if (!structural) {
                try {
                    growRuntime(runtimeGrowth, desired);
                } catch (RuntimeApiException e) {
                    runtimeFailed = true;
                    LOG.warn("add server failed, falling back to a reload: {}", e.getMessage());
                }
            }
            for (Map.Entry<String, List<SlotTable.Change>> e : changes.entrySet()) {
                String summary = describe(e.getKey(), e.getValue());
                described.add(summary);
                try {
                    if (applyRuntime(e.getKey(), e.getValue()) > 0) {
                        emit(Verb.RUNTIME_CHANGE, "backend/" + e.getKey(), summary);
                    }
                } catch (RuntimeApiException ex) {
                    runtimeFailed = true;
                    LOG.warn("runtime API change of backend {} failed, falling back to a reload: {}", e.getKey(),
                            ex.getMessage());
                }
            }
            Processes.writeAtomically(configFile, text);
            fileText = text;
            lastRendered = text;
            if (!structural && !runtimeFailed) {
                runningSignature = sig;
                lastGoodText = text;
                return new ApplyResult(ApplyResult.Kind.RUNTIME, described, rendered.warnings(),
                        CompletableFuture.completedFuture(null));
            }
            if (structural) {
                described.add(0, "structural: " + describeStructure(previousConfig, desired, previous, next));
            }
            emit(Verb.CONFIG_APPLIED, "haproxy", String.join("; ", described));
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(), scheduleReload());
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + configFile + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static int freeCount(SlotTable t) {
        int n = 0;
        for (Slot s : t.slots()) {
            if (s.state == SlotTable.State.FREE) {
                n++;
            }
        }
        return n;
    }

    /** What a structural change is, for the event: the sections that changed (after an adoption: "sections"). */
    private static String describeStructure(ThalassaConfig before, ThalassaConfig after,
            Map<String, SlotTable> beforeSlots, Map<String, SlotTable> afterSlots) {
        List<String> parts = new ArrayList<>(before == null ? List.of()
                : ConfigDiff.between(before, after).structuralChanges());
        afterSlots.forEach((k, t) -> {
            SlotTable old = beforeSlots.get(k);
            if (old != null && old.capacity() < t.capacity()) {
                parts.add("backend " + k + " grows to " + t.capacity() + " slots");
            }
        });
        return parts.isEmpty() ? "sections changed" : String.join(", ", parts);
    }

    private void growRuntime(Map<String, Integer> growth, ThalassaConfig desired) {
        for (Map.Entry<String, Integer> e : growth.entrySet()) {
            SlotTable table = slots.get(e.getKey());
            Backend b = desired.backends().get(e.getKey());
            long inter = b.health() == null ? 2000 : b.health().intervalMillis();
            for (Slot s : table.slots().subList(e.getValue(), table.capacity())) {
                String server = e.getKey() + "/" + s.name;
                if (runningServers.contains(server)) {
                    continue;
                }
                api.addServer(e.getKey(), s.name, SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT,
                        List.of("check", "inter", Long.toString(inter)));
                runningServers.add(server);
                api.enableHealth(e.getKey(), s.name); // dynamic servers start with checks off; applyRuntime fills it
                emit(Verb.RUNTIME_CHANGE, "backend/" + e.getKey(), "added slot " + s.name + " (add server)");
            }
        }
    }

    /** Sends the runtime commands for slot changes of one backend, to the servers the running worker has. */
    /** @return how many slots changed through the runtime API (the others come with the next reload) */
    private int applyRuntime(String backend, List<SlotTable.Change> changes) {
        // members that join first, then those that leave: the backend never has no server in between
        List<SlotTable.Change> ordered = new ArrayList<>(changes);
        ordered.sort(java.util.Comparator.comparing(c -> c.slot().state != SlotTable.State.ACTIVE));
        int applied = 0;
        for (SlotTable.Change c : ordered) {
            Slot s = c.slot();
            if (!runningServers.contains(backend + "/" + s.name)) {
                continue; // comes with the reload
            }
            applied++;
            switch (s.state) {
                case ACTIVE -> {
                    if (c.fromState() == SlotTable.State.FREE) {
                        api.setServerAddress(backend, s.name, s.ip, s.port);
                    }
                    api.setServerState(backend, s.name, RuntimeApi.ServerState.READY);
                }
                case DRAINING -> {
                    api.setServerState(backend, s.name, RuntimeApi.ServerState.DRAIN);
                    watchDrain(backend, s.name, s.generation, System.nanoTime());
                }
                case FREE -> {
                    api.setServerState(backend, s.name, RuntimeApi.ServerState.MAINT);
                    api.setServerAddress(backend, s.name, SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT);
                }
                default -> throw new IllegalStateException();
            }
        }
        return applied;
    }

    private void watchDrain(String backend, String server, long generation, long startedNanos) {
        scheduler.schedule(() -> {
            long sessions;
            try {
                sessions = api.currentSessions(backend, server);
            } catch (RuntimeApiException e) {
                sessions = -1;
            }
            boolean timedOut = System.nanoTime() - startedNanos > drainTimeout.toNanos();
            if (sessions > 0 && !timedOut) {
                watchDrain(backend, server, generation, startedNanos);
                return;
            }
            lock.lock();
            try {
                SlotTable table = slots.get(backend);
                Slot slot = table == null ? null : findSlot(table, server);
                if (slot == null || slot.generation != generation || slot.state != SlotTable.State.DRAINING) {
                    return;
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                String address = slot.address();
                SlotTable.free(slot);
                try {
                    if (runningServers.contains(backend + "/" + server)) {
                        api.setServerState(backend, server, RuntimeApi.ServerState.MAINT);
                        api.setServerAddress(backend, server, SlotTable.PLACEHOLDER_IP, SlotTable.PLACEHOLDER_PORT);
                    }
                } catch (RuntimeApiException e) {
                    LOG.warn("could not empty drained slot {}/{}: {}", backend, server, e.getMessage());
                }
                emit(Verb.DRAIN, "backend/" + backend, address + " drained from " + server + " in " + ms + " ms"
                        + (timedOut ? " (drain timeout; " + sessions + " sessions left)" : ""));
            } finally {
                lock.unlock();
            }
        }, 25, TimeUnit.MILLISECONDS);
    }

    private static Slot findSlot(SlotTable table, String server) {
        for (Slot s : table.slots()) {
            if (s.name.equals(server)) {
                return s;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- reload

    private CompletableFuture<Void> scheduleReload() {
        if (pendingReload != null) {
            coalesced++;
            return pendingReloadResult;
        }
        pendingReloadResult = new CompletableFuture<>();
        coalesced = 0;
        pendingReload = scheduler.schedule(() -> {
            lock.lock();
            try {
                if (pendingReload != null) {
                    runReload();
                }
            } finally {
                lock.unlock();
            }
        }, reloadWindow.toMillis(), TimeUnit.MILLISECONDS);
        return pendingReloadResult;
    }

    /** Runs the pending reload now; called with the lock held. */
    private void runReload() {
        CompletableFuture<Void> result = pendingReloadResult;
        int merged = coalesced;
        pendingReload = null;
        pendingReloadResult = null;
        if (merged > 0) {
            emit(Verb.RELOAD_COALESCED, "haproxy", (merged + 1) + " changes in one reload");
        }
        try {
            finishDrainsForReload();
            saveServerState();
            reload();
            runningSignature = signature(fileText);
            runningServers = serverNames(fileText);
            lastGoodText = fileText;
            reloadCount++;
            emit(Verb.RELOAD_DONE, "haproxy", "reload " + reloadCount + " done, worker pid " + workerPids());
            result.complete(null);
        } catch (ReloadFailedException e) {
            emit(Verb.RELOAD_FAILED, "haproxy", e.getMessage());
            restoreLastGood();
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            emit(Verb.RELOAD_FAILED, "haproxy", String.valueOf(e.getMessage()));
            restoreLastGood();
            result.completeExceptionally(new ReloadFailedException("reload failed: " + e.getMessage(), e));
        }
    }

    /** Old workers finish their in-flight requests themselves: draining slots become free in the new worker. */
    private void finishDrainsForReload() {
        for (SlotTable table : slots.values()) {
            for (Slot s : table.slots()) {
                if (s.state == SlotTable.State.DRAINING) {
                    SlotTable.free(s);
                    if (runningServers.contains(table.backend() + "/" + s.name)) {
                        try {
                            api.setServerState(table.backend(), s.name, RuntimeApi.ServerState.MAINT);
                            api.setServerAddress(table.backend(), s.name, SlotTable.PLACEHOLDER_IP,
                                    SlotTable.PLACEHOLDER_PORT);
                        } catch (RuntimeApiException e) {
                            LOG.debug("slot {} not emptied before reload: {}", s.name, e.getMessage());
                        }
                    }
                }
            }
        }
    }

    private void saveServerState() {
        if (settings.serverStateFile() == null) {
            return;
        }
        try {
            Processes.writeAtomically(settings.serverStateFile(), api.serversStateFile());
        } catch (IOException | RuntimeApiException e) {
            LOG.warn("server state not saved before reload: {}", e.getMessage());
        }
    }

    /** Reload on the master CLI, confirmed by show proc. */
    private void reload() {
        ProcState before = procState();
        master.execute("reload");
        long deadline = System.nanoTime() + reloadTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            sleep(10);
            ProcState now;
            try {
                now = procState();
            } catch (RuntimeApiException e) {
                continue; // the master is re-executing
            }
            if (now.failed > before.failed) {
                throw new ReloadFailedException("HAProxy refused the reload (failed reloads: " + now.failed
                        + "); the previous worker keeps serving");
            }
            if (now.reloads > before.reloads && !now.workers.isEmpty()
                    && !before.workers.containsAll(now.workers) && answers(api, "show info")) {
                return;
            }
        }
        throw new ReloadFailedException("no new HAProxy worker within " + reloadTimeout.toMillis() + " ms");
    }

    private void restoreLastGood() {
        try {
            Processes.writeAtomically(configFile, lastGoodText);
            fileText = lastGoodText;
            lastRendered = "";
            if (Processes.isRunning(masterPid)) {
                try {
                    reload(); // leaves the master's wait mode
                } catch (ReloadFailedException | RuntimeApiException e) {
                    LOG.warn("reload of the last good configuration failed: {}", e.getMessage());
                }
            }
            runningSignature = signature(lastGoodText);
            runningServers = serverNames(lastGoodText);
            resyncFromRuntime();
        } catch (IOException | RuntimeApiException e) {
            LOG.error("cannot restore the last good configuration: {}", e.getMessage());
        }
        applied = null;
    }

    private record ProcState(long reloads, long failed, List<Long> workers) {
    }

    private ProcState procState() {
        String answer = master.execute("show proc");
        long reloads = -1;
        long failed = 0;
        List<Long> workers = new ArrayList<>();
        String section = "master";
        for (String line : answer.split("\n")) {
            if (line.startsWith("# workers")) {
                section = "workers";
                continue;
            }
            if (line.startsWith("#")) {
                section = line.startsWith("#<") ? "master" : "other";
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length < 3 || !f[0].chars().allMatch(Character::isDigit)) {
                continue;
            }
            if (f[1].equals("master")) {
                reloads = Long.parseLong(f[2]);
                int i = line.indexOf("failed:");
                if (i >= 0) {
                    String rest = line.substring(i + 7).strip();
                    int end = 0;
                    while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
                        end++;
                    }
                    failed = end == 0 ? 0 : Long.parseLong(rest.substring(0, end));
                }
            } else if (section.equals("workers") && f[1].equals("worker")) {
                workers.add(Long.parseLong(f[0]));
            }
        }
        if (reloads < 0) {
            throw new RuntimeApiException("unexpected answer to 'show proc': " + answer.strip());
        }
        return new ProcState(reloads, failed, workers);
    }

    /** The pids of the current workers (not the old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return procState().workers();
    }

    /** The master's pid. */
    public long masterPid() {
        lock.lock();
        try {
            return masterPid;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #start} adopted a HAProxy that was running already, rather than starting one. */
    public boolean adopted() {
        lock.lock();
        try {
            return adopted;
        } finally {
            lock.unlock();
        }
    }

    /** Reloads done by this controller since it started. */
    public long reloadCount() {
        lock.lock();
        try {
            return reloadCount;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- supervision

    private void supervise() {
        if (closed) {
            return;
        }
        long pid;
        lock.lock();
        try {
            pid = masterPid;
            if (restarting || Processes.isRunning(pid)) {
                return;
            }
            restarting = true;
        } finally {
            lock.unlock();
        }
        lock.lock();
        try {
            LOG.warn("HAProxy master {} is gone; starting it again", pid);
            for (int attempt = 1; attempt <= 5 && !closed; attempt++) {
                try {
                    if (settings.serverStateFile() != null) {
                        Files.deleteIfExists(settings.serverStateFile());
                    }
                    for (SlotTable t : slots.values()) {
                        t.releaseDraining();
                    }
                    String text = renderer.render(applied == null ? ThalassaConfig.empty() : applied, settings,
                            layoutOf(slots)).text();
                    if (applied != null) {
                        Processes.writeAtomically(configFile, text);
                        fileText = text;
                    }
                    launch();
                    runningSignature = signature(fileText);
                    runningServers = serverNames(fileText);
                    lastGoodText = fileText;
                    if (pendingReload != null) {
                        pendingReload.cancel(false);
                        pendingReload = null;
                        pendingReloadResult.complete(null);
                        pendingReloadResult = null;
                    }
                    emit(Verb.HAPROXY_RESTARTED, "haproxy", "master pid " + pid + " was gone; started again, "
                            + "master pid " + masterPid);
                    return;
                } catch (ThalassaException | IOException e) {
                    LOG.warn("restart attempt {} failed: {}", attempt, e.getMessage());
                    sleep(200L * attempt);
                }
            }
            emit(Verb.RELOAD_FAILED, "haproxy", "HAProxy could not be started again after master pid " + pid
                    + " died");
        } finally {
            restarting = false;
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- stats

    private void pollStats() {
        if (closed) {
            return;
        }
        try {
            List<StatRow> rows = api.showStat();
            StatsSnapshot snapshot = StatsSnapshot.of(Instant.now(), rows,
                    r -> (SlotTable.PLACEHOLDER_IP + ":" + SlotTable.PLACEHOLDER_PORT).equals(r.fields().get("addr")));
            lastStats = snapshot;
            if (statsFailing) {
                statsFailing = false;
                emit(Verb.STATS_FAILED, "haproxy", "stats readable again");
            }
            for (Consumer<StatsSnapshot> l : statsListeners) {
                try {
                    l.accept(snapshot);
                } catch (RuntimeException e) {
                    LOG.warn("stats listener failed", e);
                }
            }
        } catch (RuntimeException e) {
            if (!statsFailing) {
                statsFailing = true;
                emit(Verb.STATS_FAILED, "haproxy", "cannot read stats: " + e.getMessage());
            }
        }
    }

    /** The latest stats snapshot, if one was read yet. */
    public java.util.Optional<StatsSnapshot> stats() {
        return java.util.Optional.ofNullable(lastStats);
    }

    /** Receives every stats snapshot (every stats interval); must be quick. */
    public HaproxyController addStatsListener(Consumer<StatsSnapshot> listener) {
        statsListeners.add(Checks.notNull("listener", listener));
        return this;
    }

    /** Receives every event; must be quick and must not throw. */
    public HaproxyController addListener(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
        return this;
    }

    /** The runtime API client on this HAProxy's stats socket. */
    public RuntimeApi runtimeApi() {
        return api;
    }

    /** The configuration file text HAProxy runs now (members included). */
    public String configText() {
        lock.lock();
        try {
            return fileText;
        } finally {
            lock.unlock();
        }
    }

    /** The configuration last applied, or empty after an adoption or a failed reload until the next apply. */
    public java.util.Optional<ThalassaConfig> applied() {
        lock.lock();
        try {
            return java.util.Optional.ofNullable(applied);
        } finally {
            lock.unlock();
        }
    }

    public Path configFile() {
        return configFile;
    }

    public HaproxySettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- helpers

    private void emit(Verb verb, String object, String detail) {
        ThalassaEvent event = ThalassaEvent.now(verb, object, detail);
        LOG.info("{} {} {}", verb.wireName(), object, detail);
        Events.deliver(listeners, event, LOG, "haproxy");
    }

    private RenderedConfig renderFresh(ThalassaConfig config) {
        Map<String, SlotTable> fresh = new TreeMap<>();
        for (Backend b : config.backends().values()) {
            List<Endpoint> wanted = endpoints(b);
            SlotTable t = new SlotTable(b.key(), SlotTable.capacityFor(wanted.size()));
            t.assign(wanted, new ArrayList<>());
            fresh.put(b.key(), t);
        }
        slots = fresh;
        RenderedConfig rendered = renderer.render(config, settings, layoutOf(fresh));
        lastRendered = rendered.text();
        return rendered;
    }

    private static ServerLayout layoutOf(Map<String, SlotTable> tables) {
        return backend -> {
            SlotTable t = tables.get(backend.key());
            return t == null ? List.of() : t.lines();
        };
    }

    private List<Endpoint> endpoints(Backend b) {
        List<Endpoint> list = new ArrayList<>(b.members().size());
        Set<String> seen = new HashSet<>();
        for (Member m : b.members()) {
            Endpoint e = new Endpoint(resolve(m.host()), m.port());
            if (seen.add(e.address())) {
                list.add(e);
            }
        }
        return list;
    }

    private static String resolve(String host) {
        if (Checks.isIpv4(host) || Checks.isIpv6(host)) {
            return host;
        }
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("member host cannot be resolved: " + Checks.quote(host), e);
        }
    }

    private void check(String text) throws ConfigRejectedException {
        Path tmp = null;
        try {
            Files.createDirectories(configFile.getParent());
            tmp = Files.createTempFile(configFile.getParent(), "." + configFile.getFileName() + ".check.", ".cfg");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Processes.Outcome out = Processes.run(Processes.prefixed(sudo, binary, "-c", "-f", tmp.toString()),
                    Duration.ofSeconds(60));
            if (out.exitCode() != 0) {
                ConfigRejectedException rejected = ConfigCheck.rejected(out.output().replace(tmp.toString(),
                        configFile.getFileName().toString()));
                emit(Verb.CONFIG_REJECTED, "haproxy", rejected.haproxyMessage());
                throw rejected;
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot run " + binary + " -c: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThalassaException("interrupted while checking the configuration", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /** Rebuilds the slot tables from what the running worker reports (after an adoption or a failed reload). */
    private void resyncFromRuntime() {
        Map<String, SlotTable> tables = new TreeMap<>();
        Set<String> names = new HashSet<>();
        for (RuntimeApi.ServerStateRow row : api.showServersState(null)) {
            names.add(row.backend() + "/" + row.server());
            Object[] parsed = SlotTable.parseSlotName(row.server());
            if (parsed == null || !parsed[0].equals(row.backend())) {
                continue;
            }
            SlotTable t = tables.computeIfAbsent(row.backend(), k -> new SlotTable(k, 0));
            Slot s = t.slot((Integer) parsed[1]);
            boolean placeholder = SlotTable.PLACEHOLDER_IP.equals(row.address())
                    && row.port() == SlotTable.PLACEHOLDER_PORT;
            if (!row.inMaintenance() && !placeholder) {
                s.state = SlotTable.State.ACTIVE;
                s.ip = row.address();
                s.port = row.port();
            }
        }
        slots = tables;
        runningServers = names;
    }

    /** The text with every server line cut to its name: equal signatures mean the runtime API can do the rest. */
    static String signature(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("server ")) {
                int end = t.indexOf(' ', 7);
                sb.append("server ").append(end < 0 ? t.substring(7) : t.substring(7, end));
            } else {
                sb.append(line);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** {@code backend/server} of every server line, by section. */
    static Set<String> serverNames(String text) {
        Set<String> names = new HashSet<>();
        String section = null;
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (!line.startsWith(" ") && !line.startsWith("\t") && !t.isEmpty()) {
                String[] f = t.split("\\s+");
                section = f.length > 1 && (f[0].equals("backend") || f[0].equals("listen")) ? f[1] : null;
            } else if (section != null && t.startsWith("server ")) {
                String[] f = t.split("\\s+");
                if (f.length > 1) {
                    names.add(section + "/" + f[1]);
                }
            }
        }
        return names;
    }

    private static String describe(String backend, List<SlotTable.Change> changes) {
        StringBuilder sb = new StringBuilder(backend).append(':');
        for (SlotTable.Change c : changes) {
            Slot s = c.slot();
            switch (s.state) {
                case ACTIVE -> sb.append(" +").append(s.address());
                case DRAINING -> sb.append(" -").append(s.address()).append(" (draining)");
                case FREE -> sb.append(" -").append(c.fromIp()).append(':').append(c.fromPort());
                default -> {
                }
            }
        }
        return sb.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
