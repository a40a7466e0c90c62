package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Bind;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.ControllerStatus.FileDescriptorBudget;
import io.thalassa.haproxy.internal.ChangeLog;
import io.thalassa.haproxy.internal.ConfigCheck;
import io.thalassa.haproxy.internal.ConfigFileWriter;
import io.thalassa.haproxy.internal.FileDescriptors;
import io.thalassa.haproxy.internal.HaproxyProcess;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.haproxy.internal.RuntimeApplier;
import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import io.thalassa.haproxy.internal.StatsPoller;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
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
 *     ApplyResult r = haproxy.apply(config.withFrontend(other)); // validated, written, one (coalesced) reload
 *     haproxy.awaitChange(r.changeId(), Duration.ofSeconds(10)); // applied, or failed with HAProxy's words
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>One truth about structure.</b> The renderer gives every section a structural fingerprint
 *       ({@link RenderedConfig#fingerprints()}); the controller keeps the fingerprints of what the worker runs and of
 *       what was accepted, and a change needs a reload exactly when a fingerprint differs. Nothing is parsed back
 *       from rendered text.</li>
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
 * Thread-safe: changes are applied one at a time. The parts it is made of, each with one job, are in
 * {@code io.thalassa.haproxy.internal}: {@code HaproxyProcess} (launch, adoption, reload, limits),
 * {@code SlotPlanner} (pure slot planning), {@code RuntimeApplier} (runtime commands and drains),
 * {@code ConfigFileWriter} (the coalesced file), {@code StatsPoller}, {@code ChangeLog} (change ids) and
 * {@code FileDescriptors} (HAProxy's descriptor arithmetic).
 */
public final class HaproxyController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyController.class);
    private static final Duration FILE_WRITE_DELAY = Duration.ofSeconds(1);

    private final String binary;
    private final Path configFile;
    private final Path fingerprintFile;
    private final HaproxySettings settings;
    private final HaproxyConfigRenderer renderer;
    private final List<String> sudo;
    private final Duration reloadWindow;
    private final Duration statsInterval;
    private final Duration supervisionInterval;
    private final Duration reloadTimeout;
    private final boolean stopOnClose;
    private final int threads;
    private final RuntimeApi api;
    private final HaproxyProcess process;
    private final RuntimeApplier applier;
    private final StatsPoller stats;
    private final ConfigFileWriter file;
    private final ChangeLog changes = new ChangeLog(Clock.systemUTC(), 10_000);
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private ThalassaConfig desired = ThalassaConfig.empty();
    private final Map<String, SlotTable> slots = new HashMap<>(); // tables are never changed once in the map
    private Map<String, String> desiredFingerprints = new HashMap<>(); // changed in place on the membership path
    private Map<String, String> runningFingerprints = Map.of();
    private Map<String, Integer> runningCapacity = Map.of();
    private ThalassaConfig running; // the structure the worker runs; null after an adoption until a change runs
    private Set<String> runningListen; // the addresses the worker listens on; null when unknown
    private boolean fullCheckNext; // after an adoption: the first change is compared section by section
    private String adoptedText; // the file an adopted HAProxy runs, until the controller knows its structure
    private Map<String, String> failedFingerprints; // the structure HAProxy refused, while it does not run
    private ChangeStatus failedChange;
    private final List<Long> pendingIds = new ArrayList<>();
    private ScheduledFuture<?> pendingReload;
    private CompletableFuture<Void> pendingReloadResult;
    private int coalesced;
    private long version;
    private long totalSlots;
    private boolean started;
    private boolean adopted;
    private boolean restarting;
    private long reloadCount;
    private long failedReloads;

    private volatile boolean closed;

    private HaproxyController(Builder b) {
        this.binary = b.binary;
        this.configFile = b.configFile.toAbsolutePath();
        this.fingerprintFile = configFile.resolveSibling(configFile.getFileName() + ".fingerprints");
        Path masterSocket = b.masterSocket != null ? b.masterSocket.toAbsolutePath()
                : configFile.resolveSibling(configFile.getFileName() + ".master.sock");
        // master-worker in the foreground (of its own session): its output goes to the log the controller reads
        HaproxySettings s = b.settings.toBuilder().masterWorker(true).daemon(false).build();
        if (s.pidFile() == null) {
            s = s.toBuilder().pidFile(configFile.resolveSibling(configFile.getFileName() + ".pid")).build();
        }
        this.settings = s;
        this.renderer = b.renderer;
        this.sudo = List.copyOf(b.sudo);
        this.reloadWindow = b.reloadWindow;
        this.statsInterval = b.statsInterval;
        this.supervisionInterval = b.supervisionInterval;
        this.reloadTimeout = b.reloadTimeout;
        this.stopOnClose = b.stopOnClose;
        this.threads = Runtime.getRuntime().availableProcessors();
        this.api = RuntimeApi.connect(settings.statsSocket(), b.commandTimeout);
        RuntimeApi master = RuntimeApi.connect(masterSocket, b.commandTimeout);
        this.process = new HaproxyProcess(binary, sudo, configFile, masterSocket, settings.pidFile(),
                configFile.resolveSibling(configFile.getFileName() + ".log"), master, api, b.fileLimit);
        this.listeners.addAll(b.listeners);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-haproxy");
            t.setDaemon(true);
            return t;
        });
        this.applier = new RuntimeApplier(api, scheduler, b.drainTimeout, this::drained);
        this.stats = new StatsPoller(api, (ok, detail) -> emit(Verb.STATS_FAILED, "haproxy", detail));
        this.file = new ConfigFileWriter(configFile, scheduler, FILE_WRITE_DELAY, this::fileJob);
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
     * @throws ConfigRejectedException when HAProxy rejects {@code initial}, or it needs more file descriptors than
     *                                 HAProxy may have ({@link CapacityExceededException})
     * @throws ThalassaException       when HAProxy cannot be started (with HAProxy's message)
     */
    public HaproxyController start(ThalassaConfig initial) throws ConfigRejectedException {
        Checks.notNull("initial", initial);
        lock.lock();
        try {
            if (started) {
                throw new IllegalStateException("already started");
            }
            if (process.adopt()) {
                adopted = true;
                adoptedText = Files.exists(configFile) ? Files.readString(configFile, StandardCharsets.UTF_8) : "";
                file.adopt(adoptedText);
                runningFingerprints = readFingerprints();
                fullCheckNext = true;
                resyncFromRuntime();
                started = true;
                emit(Verb.STARTED, "haproxy", "adopted running HAProxy, master pid " + process.pid());
                apply(initial);
            } else {
                Map<String, SlotPlanner.Plan> plans = new HashMap<>();
                for (Backend b : initial.backends().values()) {
                    plans.put(b.key(), SlotPlanner.plan(b.key(), null, endpoints(b), b.balance().isDynamic()));
                }
                plans.forEach((k, p) -> slots.put(k, p.table()));
                RenderedConfig rendered = renderer.render(initial, settings, layout(slots, null));
                long limit = process.launchLimit();
                checkCapacity(initial, slotCount(slots), limit);
                checkBindsFree(initial, Set.of());
                check(rendered.text());
                file.writeNow(++version, rendered.text());
                if (settings.serverStateFile() != null) {
                    Files.deleteIfExists(settings.serverStateFile()); // stale health state of another run
                }
                process.launch();
                desired = initial;
                desiredFingerprints = new HashMap<>(rendered.fingerprints());
                markRunning(initial, rendered);
                started = true;
                emit(Verb.STARTED, "haproxy", "started HAProxy, master pid " + process.pid()
                        + ", file descriptor limit " + process.fileLimit());
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
     * Stops supervision, the stats poller and pending work (a pending reload runs first). HAProxy keeps running (a
     * later controller adopts it) unless the builder said {@link Builder#stopOnClose}.
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
            if (started) {
                writeFileNow();
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
            process.stop();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- apply

    /**
     * Makes HAProxy run {@code desired}. Members of existing backends and version switches go through the runtime
     * API; anything else is checked, written and reloaded (coalesced with other changes within the reload window).
     * Same configuration as now: nothing happens.
     *
     * @return what was done, with the change's id
     * @throws ConfigRejectedException when the new configuration is refused: {@code haproxy -c} fails, a new listen
     *                                 address is taken, or it needs more file descriptors than HAProxy may have
     *                                 ({@link CapacityExceededException}); nothing changed
     */
    public ApplyResult apply(ThalassaConfig next) throws ConfigRejectedException {
        Checks.notNull("desired", next);
        lock.lock();
        try {
            if (!started) {
                throw new IllegalStateException("start() first");
            }
            return applyLocked(next);
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + configFile + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private ApplyResult applyLocked(ThalassaConfig next) throws ConfigRejectedException, IOException {
        ThalassaConfig current = desired;
        // 1. plan the backends that changed, and only those
        Map<String, SlotPlanner.Plan> plans = new TreeMap<>();
        Set<String> removed = new TreeSet<>();
        boolean structural = !sameFrontends(current, next);
        for (Backend b : next.backends().values()) {
            Backend before = current.backends().get(b.key());
            if (before == b || (before != null && before.equals(b) && slots.containsKey(b.key()))) {
                continue;
            }
            plans.put(b.key(), SlotPlanner.plan(b.key(), slots.get(b.key()), endpoints(b), b.balance().isDynamic()));
        }
        for (String k : current.backends().keySet()) {
            if (!next.backends().containsKey(k)) {
                removed.add(k);
            }
        }
        structural |= !removed.isEmpty() || fullCheckNext;
        // 2. is the change structural? each planned backend's fingerprint against the accepted one
        Map<String, String> nextFingerprints = new HashMap<>();
        Set<String> runtimeGrowth = new TreeSet<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            String k = e.getKey();
            SlotPlanner.Plan plan = e.getValue();
            Backend b = next.backends().get(k);
            String known = desiredFingerprints.get("backend " + k);
            String fp = renderer.backendFingerprint(b, layoutOf(plan.table(), Integer.MAX_VALUE));
            nextFingerprints.put("backend " + k, fp);
            if (fp.equals(known)) {
                continue;
            }
            if (known != null && plan.growth() == SlotPlanner.Growth.RUNTIME && known.equals(renderer
                    .backendFingerprint(b, layoutOf(plan.table(), plan.capacityBefore())))) {
                runtimeGrowth.add(k); // only the slots added with `add server` differ
                continue;
            }
            structural = true;
        }
        long slotsAfter = totalSlots;
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            SlotTable old = slots.get(e.getKey());
            slotsAfter += e.getValue().table().capacity() - (old == null ? 0 : old.capacity());
        }
        for (String k : removed) {
            slotsAfter -= slots.get(k) == null ? 0 : slots.get(k).capacity();
        }
        if (!structural) {
            if (plans.isEmpty() && runtimeGrowth.isEmpty()) {
                desired = next;
                ChangeStatus none = changes.open(ApplyResult.Kind.NOOP, List.of(), false);
                return new ApplyResult(ApplyResult.Kind.NOOP, List.of(), List.of(),
                        CompletableFuture.completedFuture(null), none.id());
            }
            if (!runtimeGrowth.isEmpty()) {
                checkCapacity(next, slotsAfter, process.fileLimit());
            }
            return commitMembership(next, plans, runtimeGrowth, nextFingerprints, slotsAfter);
        }
        // 3. structural: render all, find what differs from what runs, check it before accepting it
        Map<String, SlotTable> nextSlots = new HashMap<>(slots);
        plans.forEach((k, p) -> nextSlots.put(k, p.table()));
        nextSlots.keySet().retainAll(next.backends().keySet());
        RenderedConfig rendered = renderer.render(next, settings, layout(nextSlots, null));
        Map<String, String> fingerprints = rendered.fingerprints();
        SortedSet<String> differs = rendered.structuralDifferences(runningFingerprints);
        for (String k : runtimeGrowth) {
            differs.remove("backend " + k);
        }
        boolean refusedBefore = failedFingerprints != null && !differs.isEmpty() && sameAs(differs, fingerprints,
                failedFingerprints);
        if (!differs.isEmpty() && !refusedBefore) {
            checkCapacity(next, slotCount(nextSlots), process.fileLimit());
            checkBindsFree(next, runningListen);
            check(rendered.text());
        }
        // 4. accepted: runtime first (traffic moves at once), then the file; a reload when the structure differs
        for (String k : removed) {
            if (!runningCapacity.containsKey(k)) {
                slots.remove(k); // never ran: nothing to keep for the running worker
            }
        }
        plans.forEach((k, p) -> slots.put(k, p.table()));
        totalSlots = slotCount(nextSlots);
        List<String> described = new ArrayList<>();
        boolean runtimeFailed = !sendRuntime(plans, runtimeGrowth, next, described);
        desired = next;
        desiredFingerprints = new HashMap<>(fingerprints);
        fullCheckNext = false;
        if (refusedBefore) {
            version++;
            writeFileNow(); // what the worker runs
        } else {
            file.writeNow(++version, rendered.text());
        }
        if (differs.isEmpty() && !runtimeFailed) {
            // the structure is what runs (a change undone, or the file of an adoption): no reload
            clearFailure();
            if (adoptedText != null) {
                markRunning(next, rendered);
            }
            ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, !pendingIds.isEmpty());
            attachToPendingReload(c);
            return new ApplyResult(ApplyResult.Kind.RUNTIME, described, rendered.warnings(),
                    pendingReloadResult == null ? CompletableFuture.completedFuture(null) : pendingReloadResult,
                    c.id());
        }
        if (refusedBefore && !runtimeFailed) {
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            changes.failed(List.of(c.id()), "HAProxy refused this structure before (change " + failedChange.id()
                    + "): " + failedChange.message());
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(),
                    CompletableFuture.failedFuture(new io.thalassa.ReloadFailedException(failedChange.message())),
                    c.id());
        }
        described.add(0, "structural: " + describe(differs));
        emit(Verb.CONFIG_APPLIED, "haproxy", String.join("; ", described));
        ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
        CompletableFuture<Void> reload = scheduleReload(c.id());
        return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(), reload, c.id());
    }

    /** A membership-only change: the planned tables swapped in, one batch of runtime commands, the file later. */
    private ApplyResult commitMembership(ThalassaConfig next, Map<String, SlotPlanner.Plan> plans,
            Set<String> runtimeGrowth, Map<String, String> nextFingerprints, long slotsAfter) {
        plans.forEach((k, p) -> slots.put(k, p.table()));
        totalSlots = slotsAfter;
        desiredFingerprints.putAll(nextFingerprints); // the same values but for backends grown at run time
        desired = next;
        List<String> described = new ArrayList<>();
        boolean ok = sendRuntime(plans, runtimeGrowth, next, described);
        version++;
        file.stale();
        if (!ok) {
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            emit(Verb.CONFIG_APPLIED, "haproxy", "runtime API refused a change, reloading: "
                    + String.join("; ", described));
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, List.of(), scheduleReload(c.id()), c.id());
        }
        boolean waits = false;
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            Integer cap = runningCapacity.get(e.getKey());
            if (cap == null || e.getValue().table().capacity() > cap) {
                waits = true; // part of it comes with a reload that is pending (or failed)
            }
        }
        ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, waits && (pendingReload != null
                || failedChange != null));
        attachToPendingReload(c);
        return new ApplyResult(ApplyResult.Kind.RUNTIME, described, List.of(),
                waits && pendingReloadResult != null ? pendingReloadResult : CompletableFuture.completedFuture(null),
                c.id());
    }

    private void attachToPendingReload(ChangeStatus c) {
        if (c.isFinished()) {
            return;
        }
        if (pendingReload != null) {
            pendingIds.add(c.id());
        } else if (failedChange != null) {
            changes.failed(List.of(c.id()), "waits for change " + failedChange.id() + ", which HAProxy refused: "
                    + failedChange.message());
        } else {
            changes.applied(List.of(c.id()));
        }
    }

    /**
     * Sends the runtime commands of the plans to the running worker, as one batch: new slots of dynamic backends
     * ({@code add server}) first, then member changes of the slots it has.
     *
     * @return false when HAProxy refused a command (a reload then brings the file's state)
     */
    private boolean sendRuntime(Map<String, SlotPlanner.Plan> plans, Set<String> runtimeGrowth, ThalassaConfig next,
            List<String> described) {
        List<String> commands = new ArrayList<>();
        Map<String, Integer> capacity = new HashMap<>(runningCapacity);
        for (String k : runtimeGrowth) {
            SlotPlanner.Plan p = plans.get(k);
            Integer cap = capacity.get(k);
            if (cap == null || cap != p.capacityBefore()) {
                continue; // the worker does not have this backend as planned: the next reload brings it
            }
            Backend b = next.backends().get(k);
            long inter = b.health() == null ? 2000 : b.health().intervalMillis();
            List<Slot> added = p.table().slots().subList(cap, p.table().capacity());
            commands.addAll(RuntimeApplier.growth(k, added, inter));
            capacity.put(k, p.table().capacity());
            emit(Verb.RUNTIME_CHANGE, "backend/" + k, "added " + added.size() + " slots (add server), "
                    + p.table().capacity() + " in all");
        }
        Map<String, List<SlotTable.Change>> sent = new LinkedHashMap<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            if (e.getValue().changes().isEmpty()) {
                continue;
            }
            described.add(describe(e.getKey(), e.getValue().changes()));
            Integer cap = capacity.get(e.getKey());
            if (cap != null) {
                List<String> cmds = RuntimeApplier.commands(e.getKey(), e.getValue().changes(), cap);
                if (!cmds.isEmpty()) {
                    commands.addAll(cmds);
                    sent.put(e.getKey(), e.getValue().changes());
                }
            }
        }
        try {
            applier.send(commands);
        } catch (RuntimeApiException ex) {
            LOG.warn("haproxy - runtime API change failed, a reload follows: {}", ex.getMessage());
            return false;
        }
        for (String k : runtimeGrowth) {
            if (capacity.get(k) != null && !capacity.get(k).equals(runningCapacity.get(k))) {
                Map<String, Integer> caps = new HashMap<>(runningCapacity);
                caps.put(k, capacity.get(k));
                runningCapacity = caps;
                Map<String, String> fps = new HashMap<>(runningFingerprints);
                fps.put("backend " + k, renderer.backendFingerprint(next.backends().get(k),
                        layoutOf(plans.get(k).table(), Integer.MAX_VALUE)));
                runningFingerprints = fps;
            }
        }
        sent.forEach((k, list) -> {
            applier.watch(k, list, capacity.get(k));
            emit(Verb.RUNTIME_CHANGE, "backend/" + k, describe(k, list));
        });
        return true;
    }

    private void drained(String backend, String server, long generation, long millis, long left, boolean timedOut) {
        lock.lock();
        try {
            SlotTable table = slots.get(backend);
            Slot slot = table == null ? null : find(table, server);
            if (slot == null || slot.generation != generation || slot.state != SlotTable.State.DRAINING) {
                return;
            }
            String address = slot.address();
            SlotTable copy = table.copy();
            SlotTable.free(find(copy, server));
            slots.put(backend, copy);
            version++;
            file.stale();
            Integer cap = runningCapacity.get(backend);
            if (cap != null && slot.index <= cap) {
                try {
                    applier.send(RuntimeApplier.emptySlot(backend, server));
                } catch (RuntimeApiException e) {
                    LOG.warn("haproxy - could not empty drained slot {}/{}: {}", backend, server, e.getMessage());
                }
            }
            emit(Verb.DRAIN, "backend/" + backend, address + " drained from " + server + " in " + millis + " ms"
                    + (timedOut ? " (drain timeout; " + left + " sessions left)" : ""));
        } finally {
            lock.unlock();
        }
    }

    private static Slot find(SlotTable table, String server) {
        for (Slot s : table.slots()) {
            if (s.name.equals(server)) {
                return s;
            }
        }
        return null;
    }

    private static boolean sameFrontends(ThalassaConfig a, ThalassaConfig b) {
        return a.frontends() == b.frontends() || a.frontends().equals(b.frontends());
    }

    /** Whether every differing section is exactly as in the structure HAProxy refused. */
    private static boolean sameAs(Set<String> sections, Map<String, String> fingerprints, Map<String, String> failed) {
        for (String s : sections) {
            if (!java.util.Objects.equals(fingerprints.get(s), failed.get(s))) {
                return false;
            }
        }
        return true;
    }

    private String describe(Set<String> sections) {
        List<String> out = new ArrayList<>();
        for (String s : sections) {
            boolean runs = runningFingerprints.containsKey(s);
            boolean wanted = desiredFingerprints.containsKey(s);
            out.add(s + (runs && wanted ? " changed" : runs ? " removed" : " added"));
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- capacity and checks

    private void checkCapacity(ThalassaConfig config, long servers, long limit) throws CapacityExceededException {
        FileDescriptorBudget budget = budget(config, servers, limit);
        if (!budget.fits()) {
            CapacityExceededException e = new CapacityExceededException(budget.needed(), budget.available(),
                    budget.detail());
            emit(Verb.CONFIG_REJECTED, "haproxy", e.getMessage());
            throw e;
        }
    }

    private FileDescriptorBudget budget(ThalassaConfig config, long servers, long limit) {
        return FileDescriptors.budget(settings.globalMaxconn(), threads, listenAddresses(config).size()
                + (settings.statsListener() == null ? 0 : 1), 1, servers, limit);
    }

    private static Set<String> listenAddresses(ThalassaConfig config) {
        Set<String> out = new HashSet<>();
        for (Frontend f : config.frontends().values()) {
            for (Bind b : f.binds()) {
                out.add(b.toString());
            }
        }
        return out;
    }

    /**
     * New listen addresses (not held by the running worker) must be free: HAProxy could not bind them. Not checked
     * when what the worker holds is unknown ({@code runningAddresses} null, an adoption without a fingerprint file).
     */
    private void checkBindsFree(ThalassaConfig config, Set<String> runningAddresses) throws ConfigRejectedException {
        if (runningAddresses == null) {
            return;
        }
        for (Frontend f : config.frontends().values()) {
            for (Bind b : f.binds()) {
                if (runningAddresses.contains(b.toString()) || b.host().equals("*") || b.port() == 0) {
                    continue;
                }
                try (ServerSocket probe = new ServerSocket()) {
                    probe.setReuseAddress(true);
                    probe.bind(new InetSocketAddress(InetAddress.getByName(b.host()), b.port()));
                } catch (IOException e) {
                    ConfigRejectedException rejected = new ConfigRejectedException("frontend " + f.key()
                            + ": cannot bind " + b + ": " + e.getMessage() + " (another process listens there)", 0);
                    emit(Verb.CONFIG_REJECTED, "haproxy", rejected.haproxyMessage());
                    throw rejected;
                }
            }
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

    // ---------------------------------------------------------------- reload

    private CompletableFuture<Void> scheduleReload(long changeId) {
        pendingIds.add(changeId);
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
        List<Long> ids = List.copyOf(pendingIds);
        int merged = coalesced;
        pendingReload = null;
        pendingReloadResult = null;
        pendingIds.clear();
        if (merged > 0) {
            emit(Verb.RELOAD_COALESCED, "haproxy", (merged + 1) + " changes in one reload");
        }
        // old workers finish their in-flight requests themselves: draining slots are free in the new worker
        Map<String, List<String>> released = releaseDrains();
        RenderedConfig rendered = renderer.render(desired, settings, layout(slots, null));
        try {
            file.writeNow(++version, rendered.text());
        } catch (IOException e) {
            fail(ids, result, "cannot write " + configFile + ": " + e.getMessage(), released);
            return;
        }
        saveServerState();
        HaproxyProcess.ReloadOutcome outcome = process.reload(reloadTimeout);
        if (outcome.done()) {
            markRunning(desired, rendered);
            reloadCount++;
            emit(Verb.RELOAD_DONE, "haproxy", "reload " + reloadCount + " done, worker pid " + workerPidsQuietly());
            changes.applied(ids);
            result.complete(null);
        } else {
            fail(ids, result, outcome.message(), released);
        }
    }

    private void fail(List<Long> ids, CompletableFuture<Void> result, String message,
            Map<String, List<String>> released) {
        failedReloads++;
        failedFingerprints = Map.copyOf(desiredFingerprints);
        emit(Verb.RELOAD_FAILED, "haproxy", "HAProxy refused the reload (change " + ids + "), the previous worker "
                + "keeps serving and this structure is not tried again: " + message);
        // the slots the running worker still has as draining: empty them there too
        List<String> commands = new ArrayList<>();
        released.forEach((backend, servers) -> {
            Integer cap = runningCapacity.get(backend);
            for (String s : servers) {
                if (cap != null) {
                    commands.addAll(RuntimeApplier.emptySlot(backend, s));
                }
            }
        });
        try {
            applier.send(commands);
        } catch (RuntimeApiException e) {
            LOG.warn("haproxy - could not empty drained slots after the failed reload: {}", e.getMessage());
        }
        changes.failed(ids, message);
        failedChange = ids.isEmpty() ? null : changes.get(ids.get(ids.size() - 1)).orElse(null);
        if (failedChange == null) {
            failedChange = new ChangeStatus(0, ChangeStatus.State.FAILED, ApplyResult.Kind.RELOAD, List.of(), message,
                    java.time.Instant.now(), java.time.Instant.now());
        }
        version++;
        writeFileNow(); // back to what the worker runs
        result.completeExceptionally(new io.thalassa.ReloadFailedException(message));
    }

    private void clearFailure() {
        failedFingerprints = null;
        failedChange = null;
    }

    /** The worker runs {@code config} as rendered: its fingerprints and slot counts are the running ones. */
    private void markRunning(ThalassaConfig config, RenderedConfig rendered) {
        running = config;
        adoptedText = null;
        runningFingerprints = rendered.fingerprints();
        runningListen = listenAddresses(config);
        Map<String, Integer> caps = new HashMap<>();
        for (String k : config.backends().keySet()) {
            SlotTable t = slots.get(k);
            caps.put(k, t == null ? 0 : t.capacity());
        }
        runningCapacity = caps;
        slots.keySet().retainAll(config.backends().keySet());
        totalSlots = slotCount(slots);
        if (desired == config) {
            clearFailure();
        }
        try {
            StringBuilder sb = new StringBuilder();
            runningFingerprints.forEach((section, fp) -> sb.append(fp).append(' ').append(section).append('\n'));
            for (String address : new TreeSet<>(runningListen)) {
                sb.append("listen ").append(address).append('\n');
            }
            Processes.writeAtomically(fingerprintFile, sb.toString());
        } catch (IOException e) {
            LOG.warn("haproxy - cannot write {}: {}", fingerprintFile, e.getMessage());
        }
    }

    /** The fingerprints and listen addresses of what an adopted worker runs, as its controller wrote them. */
    private Map<String, String> readFingerprints() {
        Map<String, String> fps = new LinkedHashMap<>();
        try {
            if (Files.exists(fingerprintFile)) {
                Set<String> listen = new HashSet<>();
                for (String line : Files.readAllLines(fingerprintFile, StandardCharsets.UTF_8)) {
                    int space = line.indexOf(' ');
                    if (line.startsWith("listen ")) {
                        listen.add(line.substring(7));
                    } else if (space > 0) {
                        fps.put(line.substring(space + 1), line.substring(0, space));
                    }
                }
                runningListen = listen;
            }
        } catch (IOException e) {
            LOG.warn("haproxy - cannot read {}: {}; the first change reloads", fingerprintFile, e.getMessage());
        }
        return fps;
    }

    private Map<String, List<String>> releaseDrains() {
        applier.forgetAll();
        Map<String, List<String>> released = new HashMap<>();
        for (Map.Entry<String, SlotTable> e : new ArrayList<>(slots.entrySet())) {
            boolean draining = false;
            for (Slot s : e.getValue().slots()) {
                draining |= s.state == SlotTable.State.DRAINING;
            }
            if (draining) {
                SlotTable copy = e.getValue().copy();
                List<String> names = new ArrayList<>();
                for (Slot s : copy.releaseDraining()) {
                    names.add(s.name);
                }
                released.put(e.getKey(), names);
                slots.put(e.getKey(), copy);
            }
        }
        return released;
    }

    private void saveServerState() {
        if (settings.serverStateFile() == null) {
            return;
        }
        try {
            Processes.writeAtomically(settings.serverStateFile(), api.serversStateFile());
        } catch (IOException | RuntimeApiException e) {
            LOG.warn("haproxy - server state not saved before reload: {}", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the file

    /** What the file holds: the accepted configuration, or, while HAProxy refuses it, what the worker runs. */
    private ConfigFileWriter.Job fileJob() {
        lock.lock();
        try {
            return snapshotJob();
        } finally {
            lock.unlock();
        }
    }

    private ConfigFileWriter.Job snapshotJob() {
        long v = version;
        if (failedChange != null && running != null) {
            ThalassaConfig config = running;
            Map<String, SlotTable> tables = new HashMap<>(slots);
            Map<String, Integer> caps = runningCapacity;
            return new ConfigFileWriter.Job(v, () -> renderer.render(config, settings, layout(tables, caps)).text());
        }
        if (failedChange != null && adoptedText != null) {
            String text = adoptedText;
            return new ConfigFileWriter.Job(v, () -> text);
        }
        ThalassaConfig config = desired;
        Map<String, SlotTable> tables = new HashMap<>(slots);
        return new ConfigFileWriter.Job(v, () -> renderer.render(config, settings, layout(tables, null)).text());
    }

    private void writeFileNow() {
        ConfigFileWriter.Job job = snapshotJob();
        try {
            file.writeNow(job.version(), job.text().get());
        } catch (IOException e) {
            LOG.warn("haproxy - cannot write {}: {}", configFile, e.getMessage());
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
        lock.lock();
        try {
            boolean runs = pendingReload == null && failedChange == null
                    && desiredFingerprints.equals(runningFingerprints);
            return new ControllerStatus(runs, changes.pending(), Optional.ofNullable(failedChange), reloadCount,
                    failedReloads, budget(desired, totalSlots, process.fileLimit()), totalSlots);
        } finally {
            lock.unlock();
        }
    }

    /** The pids of the current workers (not the old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return process.workerPids();
    }

    private List<Long> workerPidsQuietly() {
        try {
            return process.workerPids();
        } catch (RuntimeApiException e) {
            return List.of();
        }
    }

    /** The master's pid. */
    public long masterPid() {
        lock.lock();
        try {
            return process.pid();
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

    /** The hard file-descriptor limit of the HAProxy process (what every reload gets). */
    public long fileLimit() {
        lock.lock();
        try {
            return process.fileLimit();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- supervision

    private void supervise() {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            long pid = process.pid();
            if (restarting || process.isRunning()) {
                return;
            }
            restarting = true;
            LOG.warn("haproxy - master {} is gone; starting it again", pid);
            for (int attempt = 1; attempt <= 5 && !closed; attempt++) {
                try {
                    if (settings.serverStateFile() != null) {
                        Files.deleteIfExists(settings.serverStateFile());
                    }
                    releaseDrains();
                    boolean desiredRuns = failedChange == null || running == null;
                    ThalassaConfig config = desiredRuns ? desired : running;
                    RenderedConfig rendered = renderer.render(config, settings,
                            layout(slots, desiredRuns ? null : runningCapacity));
                    file.writeNow(++version, rendered.text());
                    process.launch();
                    markRunning(config, rendered);
                    if (pendingReload != null && desiredRuns) {
                        pendingReload.cancel(false);
                        pendingReload = null;
                        changes.applied(List.copyOf(pendingIds));
                        pendingIds.clear();
                        pendingReloadResult.complete(null);
                        pendingReloadResult = null;
                    }
                    emit(Verb.HAPROXY_RESTARTED, "haproxy", "master pid " + pid + " was gone; started again, "
                            + "master pid " + process.pid());
                    return;
                } catch (ThalassaException | IOException e) {
                    LOG.warn("haproxy - restart attempt {} failed: {}", attempt, e.getMessage());
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
        listeners.add(Checks.notNull("listener", listener));
        return this;
    }

    /** The runtime API client on this HAProxy's stats socket. */
    public RuntimeApi runtimeApi() {
        return api;
    }

    /** The configuration file text as it is now (members included), brought up to date first if it is stale. */
    public String configText() {
        lock.lock();
        try {
            if (file.writtenVersion() < version) {
                writeFileNow();
            }
            return file.writtenText();
        } finally {
            lock.unlock();
        }
    }

    /** The configuration last accepted, or empty before the first change after an adoption. */
    public Optional<ThalassaConfig> applied() {
        lock.lock();
        try {
            return started && adoptedText == null || running != null ? Optional.of(desired) : Optional.empty();
        } finally {
            lock.unlock();
        }
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

    // ---------------------------------------------------------------- helpers

    private void emit(Verb verb, String object, String detail) {
        ThalassaEvent event = ThalassaEvent.now(verb, object, detail);
        if (verb == Verb.RELOAD_FAILED || verb == Verb.CONFIG_REJECTED) {
            LOG.warn("{} {} {}", verb.wireName(), object, detail);
        } else {
            LOG.info("{} {} {}", verb.wireName(), object, detail);
        }
        Events.deliver(listeners, event, LOG, "haproxy");
    }

    /** Server lines from the tables; {@code capacities} (may be null) cuts each backend to what a worker has. */
    private static ServerLayout layout(Map<String, SlotTable> tables, Map<String, Integer> capacities) {
        return backend -> {
            SlotTable t = tables.get(backend.key());
            if (t == null) {
                return List.of();
            }
            return capacities == null ? t.lines() : t.lines(capacities.getOrDefault(backend.key(), 0));
        };
    }

    private static ServerLayout layoutOf(SlotTable table, int capacity) {
        return backend -> table.lines(capacity);
    }

    private static long slotCount(Map<String, SlotTable> tables) {
        long n = 0;
        for (SlotTable t : tables.values()) {
            n += t.capacity();
        }
        return n;
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

    /** Rebuilds the slot tables from what the running worker reports (after an adoption). */
    private void resyncFromRuntime() {
        Map<String, SlotTable> tables = new TreeMap<>();
        for (RuntimeApi.ServerStateRow row : api.showServersState(null)) {
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
        slots.clear();
        slots.putAll(tables);
        Map<String, Integer> caps = new HashMap<>();
        tables.forEach((k, t) -> caps.put(k, t.capacity()));
        runningCapacity = caps;
        totalSlots = slotCount(slots);
        // the accepted structure is unknown until the first apply: every known section as it runs
        desiredFingerprints = new HashMap<>(runningFingerprints);
        desired = ThalassaConfig.empty();
    }

    private static String describe(String backend, List<SlotTable.Change> changes) {
        StringBuilder sb = new StringBuilder(backend).append(':');
        for (SlotTable.Change c : changes) {
            Slot s = c.slot();
            switch (s.state) {
                case ACTIVE -> sb.append(" +").append(s.address());
                case DRAINING -> sb.append(" -").append(s.address()).append(" (draining)");
                case FREE -> sb.append(" -").append(Member.addressOf(c.fromIp(), c.fromPort()));
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
