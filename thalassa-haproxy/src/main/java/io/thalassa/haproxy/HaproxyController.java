package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Member;
import io.thalassa.ReloadFailedException;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.internal.ChangeLog;
import io.thalassa.haproxy.internal.ConfigFileWriter;
import io.thalassa.haproxy.internal.ConfigValidator;
import io.thalassa.haproxy.internal.HaproxyProcess;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.haproxy.internal.ReloadScheduler;
import io.thalassa.haproxy.internal.RuntimeApplier;
import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import io.thalassa.haproxy.internal.StatsPoller;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Events;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * Thread-safe: changes are applied one at a time. This class decides and orchestrates; the parts it is made of,
 * each with one job, are in {@code io.thalassa.haproxy.internal}: {@code HaproxyProcess} (launch, adoption, reload,
 * limits, HAProxy's log), {@code SlotPlanner} (pure slot planning), {@code RuntimeApplier} (runtime commands and
 * drains), {@code ConfigValidator} (descriptors, listen addresses, {@code haproxy -c}), {@code ReloadScheduler}
 * (coalescing, and the last good configuration: what the worker runs), {@code ConfigFileWriter} (the coalesced file),
 * {@code StatsPoller}, {@code ChangeLog} (change ids) and {@code FileDescriptors} (HAProxy's descriptor
 * arithmetic).
 */
public final class HaproxyController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyController.class);
    private static final Duration FILE_WRITE_DELAY = Duration.ofSeconds(1);

    private final Path configFile;
    private final HaproxySettings settings;
    private final HaproxyConfigRenderer renderer;
    private final Duration statsInterval;
    private final Duration supervisionInterval;
    private final Duration reloadTimeout;
    private final boolean stopOnClose;
    private final RuntimeApi api;
    private final HaproxyProcess process;
    private final ConfigValidator validator;
    private final ReloadScheduler reloads;
    private final RuntimeApplier applier;
    private final StatsPoller stats;
    private final ConfigFileWriter file;
    private final ChangeLog changes = new ChangeLog(Clock.systemUTC(), 10_000);
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final ReentrantLock lock = new ReentrantLock();

    // guarded by lock
    private ThalassaConfig desired = ThalassaConfig.empty();
    private final Map<String, SlotTable> slots = new HashMap<>(); // a table is never changed once it is in the map
    private final Map<String, String> desiredFingerprints = new HashMap<>();
    private long totalSlots;
    private long version; // of what the file should hold
    private RenderedConfig accepted; // the rendering of the last structural change, for its reload
    private long acceptedVersion;
    private String adoptedText; // the file an adopted HAProxy runs, until the controller knows its structure
    private boolean fullCheckNext; // after an adoption: the first change is compared section by section
    private boolean started;
    private boolean adopted;
    private boolean restarting;

    private volatile boolean closed;

    private HaproxyController(Builder b) {
        this.configFile = b.configFile.toAbsolutePath();
        Path masterSocket = b.masterSocket != null ? b.masterSocket.toAbsolutePath() : sibling(".master.sock");
        // master-worker in the foreground (of its own session): its output goes to the log the controller reads
        HaproxySettings s = b.settings.toBuilder().masterWorker(true).daemon(false).build();
        if (s.pidFile() == null) {
            s = s.toBuilder().pidFile(sibling(".pid")).build();
        }
        this.settings = s;
        this.renderer = b.renderer;
        this.statsInterval = b.statsInterval;
        this.supervisionInterval = b.supervisionInterval;
        this.reloadTimeout = b.reloadTimeout;
        this.stopOnClose = b.stopOnClose;
        this.api = RuntimeApi.connect(settings.statsSocket(), b.commandTimeout);
        this.process = new HaproxyProcess(b.binary, b.sudo, configFile, masterSocket, settings.pidFile(),
                sibling(".log"), RuntimeApi.connect(masterSocket, b.commandTimeout), api, b.fileLimit);
        this.validator = new ConfigValidator(b.binary, b.sudo, configFile, settings,
                Runtime.getRuntime().availableProcessors(), message -> emit(Verb.CONFIG_REJECTED, "haproxy", message));
        this.listeners.addAll(b.listeners);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-haproxy");
            t.setDaemon(true);
            return t;
        });
        this.reloads = new ReloadScheduler(scheduler, b.reloadWindow, this::reloadNow, sibling(".fingerprints"));
        this.applier = new RuntimeApplier(api, scheduler, b.drainTimeout, this::drained);
        this.stats = new StatsPoller(api, (ok, detail) -> emit(Verb.STATS_FAILED, "haproxy", detail));
        this.file = new ConfigFileWriter(configFile, scheduler, FILE_WRITE_DELAY, this::fileJob);
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
                slots.putAll(SlotPlanner.fromServersState(api.showServersState(null)));
                Map<String, Integer> capacity = new HashMap<>();
                slots.forEach((k, t) -> capacity.put(k, t.capacity()));
                reloads.adopted(capacity);
                totalSlots = slotCount(slots);
                desiredFingerprints.putAll(reloads.fingerprints()); // what was accepted is unknown until apply
                fullCheckNext = true;
                started = true;
                emit(Verb.STARTED, "haproxy", "adopted running HAProxy, master pid " + process.pid());
                apply(initial);
            } else {
                for (Backend b : initial.backends().values()) {
                    slots.put(b.key(), SlotPlanner.plan(b.key(), null, SlotPlanner.endpoints(b),
                            b.balance().isDynamic()).table());
                }
                totalSlots = slotCount(slots);
                RenderedConfig rendered = renderer.render(initial, settings, layout(slots, null));
                validator.checkCapacity(initial, totalSlots, process.launchLimit());
                validator.checkBindsFree(initial, Set.of());
                validator.check(rendered.text());
                file.writeNow(++version, rendered.text());
                if (settings.serverStateFile() != null) {
                    Files.deleteIfExists(settings.serverStateFile()); // stale health state of another run
                }
                process.launch();
                desired = initial;
                desiredFingerprints.putAll(rendered.fingerprints());
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
        lock.lock();
        try {
            runReload();
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
     * Checks {@code config} as a structural change to it would be checked, without applying anything: HAProxy's own
     * check of the rendered file ({@code haproxy -c}) and the file descriptors it would need. Listen addresses are not
     * probed: this is the check of a configuration that other HAProxys (the nodes of a fleet) will run too.
     *
     * @throws ConfigRejectedException when HAProxy refuses it, or {@link CapacityExceededException}
     */
    public void validate(ThalassaConfig config) throws ConfigRejectedException {
        Checks.notNull("config", config);
        Map<String, SlotTable> tables = new HashMap<>();
        lock.lock();
        try {
            // planned on the slots HAProxy has, as apply would: the text checked is the text apply renders
            for (Backend b : config.backends().values()) {
                tables.put(b.key(), SlotPlanner.plan(b.key(), slots.get(b.key()), SlotPlanner.endpoints(b),
                        b.balance().isDynamic()).table());
            }
        } finally {
            lock.unlock();
        }
        validator.checkCapacity(config, slotCount(tables), process.fileLimit());
        validator.check(renderer.render(config, settings, layout(tables, null)).text());
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
        for (Backend b : next.backends().values()) {
            Backend before = current.backends().get(b.key());
            if (before == b || (before != null && before.equals(b) && slots.containsKey(b.key()))) {
                continue;
            }
            plans.put(b.key(), SlotPlanner.plan(b.key(), slots.get(b.key()), SlotPlanner.endpoints(b),
                    b.balance().isDynamic()));
        }
        Set<String> removed = new TreeSet<>();
        for (String k : current.backends().keySet()) {
            if (!next.backends().containsKey(k)) {
                removed.add(k);
            }
        }
        boolean structural = fullCheckNext || !removed.isEmpty() || !(current.frontends() == next.frontends()
                || current.frontends().equals(next.frontends()));
        // 2. structural? each planned backend's fingerprint against the accepted one
        Map<String, String> planned = new HashMap<>();
        Set<String> runtimeGrowth = new TreeSet<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            String k = e.getKey();
            SlotPlanner.Plan plan = e.getValue();
            Backend b = next.backends().get(k);
            String known = desiredFingerprints.get("backend " + k);
            String fp = renderer.backendFingerprint(b, layoutOf(plan.table(), Integer.MAX_VALUE));
            planned.put("backend " + k, fp);
            if (fp.equals(known)) {
                continue;
            }
            if (known != null && plan.growth() == SlotPlanner.Growth.RUNTIME && known.equals(renderer
                    .backendFingerprint(b, layoutOf(plan.table(), plan.capacityBefore())))) {
                runtimeGrowth.add(k); // only the slots `add server` adds differ
                continue;
            }
            structural = true;
        }
        if (!structural) {
            return applyMembership(next, plans, runtimeGrowth, planned);
        }
        // 3. structural: render everything, find what differs from what runs, check it before accepting it
        Map<String, SlotTable> nextSlots = new HashMap<>(slots);
        plans.forEach((k, p) -> nextSlots.put(k, p.table()));
        nextSlots.keySet().retainAll(next.backends().keySet());
        RenderedConfig rendered = renderer.render(next, settings, layout(nextSlots, null));
        SortedSet<String> differs = rendered.structuralDifferences(reloads.fingerprints());
        for (String k : runtimeGrowth) {
            differs.remove("backend " + k);
        }
        boolean refusedBefore = reloads.refusedBefore(differs, rendered.fingerprints());
        if (!differs.isEmpty() && !refusedBefore) {
            validator.checkCapacity(next, slotCount(nextSlots), process.fileLimit());
            validator.checkBindsFree(next, reloads.listen());
            validator.check(rendered.text());
        }
        // 4. accepted: runtime first (traffic moves at once), then the file, then a reload when the structure differs
        for (String k : removed) {
            if (!reloads.capacity().containsKey(k)) {
                slots.remove(k); // the worker does not have it: nothing to keep
            }
        }
        plans.forEach((k, p) -> slots.put(k, p.table()));
        totalSlots = slotCount(nextSlots);
        List<String> described = new ArrayList<>();
        boolean runtimeOk = sendRuntime(plans, runtimeGrowth, next, described);
        desired = next;
        desiredFingerprints.clear();
        desiredFingerprints.putAll(rendered.fingerprints());
        fullCheckNext = false;
        version++;
        if (refusedBefore) {
            writeFileNow(); // what the worker runs
        } else {
            file.writeNow(version, rendered.text());
            accepted = rendered;
            acceptedVersion = version;
        }
        if (differs.isEmpty() && runtimeOk) {
            // the structure is what runs (a change undone, or the first change after an adoption): no reload
            if (reloads.refusedChange() != null) {
                reloads.clearRefusal();
                emit(Verb.CONFIG_APPLIED, "haproxy", "HAProxy runs the accepted configuration again");
            }
            if (adoptedText != null) {
                markRunning(next, rendered);
            }
            ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, reloads.isPending());
            follow(c);
            return new ApplyResult(ApplyResult.Kind.RUNTIME, described, rendered.warnings(), outcome(c), c.id());
        }
        if (refusedBefore && runtimeOk) {
            ChangeStatus refused = reloads.refusedChange();
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            changes.failed(List.of(c.id()), "HAProxy refused this structure before (change " + refused.id() + "): "
                    + refused.message());
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(),
                    CompletableFuture.failedFuture(new ReloadFailedException(refused.message())), c.id());
        }
        described.add(0, "structural: " + describe(differs));
        emit(Verb.CONFIG_APPLIED, "haproxy", String.join("; ", described));
        ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
        return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(), reloads.schedule(c.id()),
                c.id());
    }

    /** A membership-only change: the planned tables swapped in, one batch of runtime commands, the file later. */
    private ApplyResult applyMembership(ThalassaConfig next, Map<String, SlotPlanner.Plan> plans,
            Set<String> runtimeGrowth, Map<String, String> planned) throws CapacityExceededException {
        boolean moves = false;
        for (SlotPlanner.Plan p : plans.values()) {
            moves |= !p.changes().isEmpty() || p.growth() != SlotPlanner.Growth.NONE;
        }
        if (!moves) { // e.g. a registry refreshed its members' lastKnown: nothing HAProxy sees
            plans.forEach((k, p) -> slots.put(k, p.table()));
            desired = next;
            ChangeStatus none = changes.open(ApplyResult.Kind.NOOP, List.of(), false);
            return new ApplyResult(ApplyResult.Kind.NOOP, List.of(), List.of(),
                    CompletableFuture.completedFuture(null), none.id());
        }
        long slotsAfter = totalSlots;
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            SlotTable old = slots.get(e.getKey());
            slotsAfter += e.getValue().table().capacity() - (old == null ? 0 : old.capacity());
        }
        if (slotsAfter > totalSlots) {
            validator.checkCapacity(next, slotsAfter, process.fileLimit()); // the next reload must still start
        }
        plans.forEach((k, p) -> slots.put(k, p.table()));
        totalSlots = slotsAfter;
        desiredFingerprints.putAll(planned); // the same, but for backends grown at run time
        desired = next;
        List<String> described = new ArrayList<>();
        boolean runtimeOk = sendRuntime(plans, runtimeGrowth, next, described);
        version++;
        file.stale();
        if (!runtimeOk) {
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            emit(Verb.CONFIG_APPLIED, "haproxy", "runtime API refused a change, reloading: "
                    + String.join("; ", described));
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, List.of(), reloads.schedule(c.id()), c.id());
        }
        boolean waits = false;
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            Integer cap = reloads.capacity().get(e.getKey());
            waits |= cap == null || e.getValue().table().capacity() > cap; // part of it comes with a reload
        }
        ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, waits
                && (reloads.isPending() || reloads.refusedChange() != null));
        follow(c);
        return new ApplyResult(ApplyResult.Kind.RUNTIME, described, List.of(), waits ? outcome(c)
                : CompletableFuture.completedFuture(null), c.id());
    }

    /** A change that waits for something else: the scheduled reload, or the refused one. */
    private void follow(ChangeStatus c) {
        if (c.isFinished()) {
            return;
        }
        if (reloads.isPending()) {
            reloads.attach(c.id());
        } else if (reloads.refusedChange() != null) {
            ChangeStatus refused = reloads.refusedChange();
            changes.failed(List.of(c.id()), "waits for change " + refused.id() + ", which HAProxy refused: "
                    + refused.message());
        } else {
            changes.applied(List.of(c.id()));
        }
    }

    private CompletableFuture<Void> outcome(ChangeStatus c) {
        CompletableFuture<Void> pending = reloads.pendingResult();
        return c.isFinished() || pending == null ? CompletableFuture.completedFuture(null) : pending;
    }

    /**
     * Sends the plans' runtime commands to the running worker as one batch: new slots of dynamic backends
     * ({@code add server}) first, then member changes of the slots it has.
     *
     * @return false when HAProxy refused a command (a reload then brings the file's state)
     */
    private boolean sendRuntime(Map<String, SlotPlanner.Plan> plans, Set<String> runtimeGrowth, ThalassaConfig next,
            List<String> described) {
        List<String> commands = new ArrayList<>();
        Map<String, Integer> capacity = new HashMap<>();
        for (String k : runtimeGrowth) {
            SlotPlanner.Plan p = plans.get(k);
            Integer cap = reloads.capacity().get(k);
            if (cap == null || cap != p.capacityBefore()) {
                continue; // the worker does not have this backend as planned: the next reload brings it
            }
            Backend b = next.backends().get(k);
            long inter = b.health() == null ? 2000 : b.health().intervalMillis();
            List<Slot> added = p.table().slots().subList(cap, p.table().capacity());
            commands.addAll(RuntimeApplier.growth(k, added, inter));
            capacity.put(k, p.table().capacity());
        }
        Map<String, List<SlotTable.Change>> sent = new LinkedHashMap<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plans.entrySet()) {
            List<SlotTable.Change> list = e.getValue().changes();
            if (list.isEmpty()) {
                continue;
            }
            described.add(describe(e.getKey(), list));
            Integer cap = capacity.getOrDefault(e.getKey(), reloads.capacity().get(e.getKey()));
            List<String> cmds = cap == null ? List.of() : RuntimeApplier.commands(e.getKey(), list, cap);
            if (!cmds.isEmpty()) {
                commands.addAll(cmds);
                sent.put(e.getKey(), list);
            }
        }
        try {
            applier.send(commands);
        } catch (RuntimeApiException ex) {
            LOG.warn("haproxy - runtime API change failed, a reload follows: {}", ex.getMessage());
            return false;
        }
        capacity.forEach((k, cap) -> {
            reloads.grew(k, cap, renderer.backendFingerprint(next.backends().get(k), layoutOf(plans.get(k).table(),
                    Integer.MAX_VALUE)));
            emit(Verb.RUNTIME_CHANGE, "backend/" + k, "added slots with add server, " + cap + " in all");
        });
        sent.forEach((k, list) -> {
            applier.watch(k, list, capacity.getOrDefault(k, reloads.capacity().get(k)));
            emit(Verb.RUNTIME_CHANGE, "backend/" + k, describe(k, list));
        });
        return true;
    }

    /** A draining slot has no session left (or its time is up): it is emptied, in the table and in HAProxy. */
    private void drained(String backend, String server, long generation, long millis, long left, boolean timedOut) {
        lock.lock();
        try {
            SlotTable table = slots.get(backend);
            Slot slot = table == null ? null : find(table, server);
            if (slot == null || slot.generation != generation || slot.state != SlotTable.State.DRAINING) {
                return;
            }
            SlotTable copy = table.copy();
            SlotTable.free(find(copy, server));
            slots.put(backend, copy);
            version++;
            file.stale();
            Integer cap = reloads.capacity().get(backend);
            if (cap != null && slot.index <= cap) {
                try {
                    applier.send(RuntimeApplier.emptySlot(backend, server));
                } catch (RuntimeApiException e) {
                    LOG.warn("haproxy - could not empty drained slot {}/{}: {}", backend, server, e.getMessage());
                }
            }
            emit(Verb.DRAIN, "backend/" + backend, slot.address() + " drained from " + server + " in " + millis
                    + " ms" + (timedOut ? " (drain timeout; " + left + " sessions left)" : ""));
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

    private String describe(Set<String> sections) {
        List<String> out = new ArrayList<>();
        for (String s : sections) {
            boolean runs = reloads.fingerprints().containsKey(s);
            boolean wanted = desiredFingerprints.containsKey(s);
            out.add(s + (runs && wanted ? " changed" : runs ? " removed" : " added"));
        }
        return String.join(", ", out);
    }

    // ---------------------------------------------------------------- reload

    /** The reload window is over: runs the reload, under the lock. */
    private void reloadNow() {
        lock.lock();
        try {
            runReload();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the scheduled reload, if any; called with the lock held. */
    private void runReload() {
        ReloadScheduler.Batch batch = reloads.take();
        if (batch == null) {
            return;
        }
        if (batch.coalesced() > 0) {
            emit(Verb.RELOAD_COALESCED, "haproxy", (batch.coalesced() + 1) + " changes in one reload");
        }
        // old workers finish their in-flight requests themselves: draining slots are free in the new worker
        Map<String, List<String>> released = releaseDrains();
        // what the accepting change rendered, unless something changed since
        RenderedConfig rendered = released.isEmpty() && accepted != null && acceptedVersion == version ? accepted
                : renderer.render(desired, settings, layout(slots, null));
        accepted = null;
        String refusal;
        try {
            file.writeNow(++version, rendered.text());
            saveServerState();
            HaproxyProcess.ReloadOutcome outcome = process.reload(reloadTimeout);
            refusal = outcome.done() ? null : outcome.message();
        } catch (IOException e) {
            refusal = "cannot write " + configFile + ": " + e.getMessage();
        }
        if (refusal == null) {
            markRunning(desired, rendered);
            reloads.done();
            emit(Verb.RELOAD_DONE, "haproxy", "reload " + reloads.reloads() + " done, worker pid " + workersQuietly());
            changes.applied(batch.ids());
            batch.result().complete(null);
            return;
        }
        refused(batch, released, refusal);
    }

    /** HAProxy refused the reload: the changes fail with its words, the file goes back to what the worker runs. */
    private void refused(ReloadScheduler.Batch batch, Map<String, List<String>> released, String refusal) {
        emit(Verb.RELOAD_FAILED, "haproxy", "HAProxy refused the reload (change " + batch.ids() + "), the previous "
                + "worker keeps serving and this structure is not tried again: " + refusal);
        changes.failed(batch.ids(), refusal);
        ChangeStatus failed = changes.get(batch.ids().get(batch.ids().size() - 1)).orElseGet(() -> new ChangeStatus(0,
                ChangeStatus.State.FAILED, ApplyResult.Kind.RELOAD, List.of(), refusal, Instant.now(), Instant.now()));
        reloads.refused(desiredFingerprints, failed);
        // the slots the running worker still has as draining: empty them there too
        List<String> commands = new ArrayList<>();
        released.forEach((backend, servers) -> {
            Integer cap = reloads.capacity().get(backend);
            for (String server : servers) {
                if (cap != null) {
                    commands.addAll(RuntimeApplier.emptySlot(backend, server));
                }
            }
        });
        try {
            applier.send(commands);
        } catch (RuntimeApiException e) {
            LOG.warn("haproxy - could not empty drained slots after the failed reload: {}", e.getMessage());
        }
        version++;
        writeFileNow(); // back to what the worker runs
        batch.result().completeExceptionally(new ReloadFailedException(refusal));
    }

    /** The worker runs {@code config} as rendered. */
    private void markRunning(ThalassaConfig config, RenderedConfig rendered) {
        adoptedText = null;
        Map<String, Integer> capacity = new HashMap<>();
        for (String k : config.backends().keySet()) {
            SlotTable t = slots.get(k);
            capacity.put(k, t == null ? 0 : t.capacity());
        }
        reloads.ran(config, rendered.fingerprints(), capacity, ConfigValidator.listenAddresses(config));
        slots.keySet().retainAll(config.backends().keySet());
        totalSlots = slotCount(slots);
    }

    private Map<String, List<String>> releaseDrains() {
        applier.forgetAll();
        return SlotPlanner.releaseDrains(slots);
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
        Map<String, SlotTable> tables = new HashMap<>(slots);
        if (reloads.refusedChange() != null && reloads.running() != null) {
            ThalassaConfig config = reloads.running();
            Map<String, Integer> capacity = new HashMap<>(reloads.capacity());
            return new ConfigFileWriter.Job(v, () -> renderer.render(config, settings, layout(tables, capacity))
                    .text());
        }
        if (reloads.refusedChange() != null && adoptedText != null) {
            String text = adoptedText;
            return new ConfigFileWriter.Job(v, () -> text);
        }
        ThalassaConfig config = desired;
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
            boolean runs = !reloads.isPending() && reloads.refusedChange() == null
                    && desiredFingerprints.equals(reloads.fingerprints());
            return new ControllerStatus(runs, changes.pending(), Optional.ofNullable(reloads.refusedChange()),
                    reloads.reloads(), reloads.failedReloads(), validator.budget(desired, totalSlots,
                    process.fileLimit()), totalSlots);
        } finally {
            lock.unlock();
        }
    }

    /** The pids of the current workers (not the old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return process.workerPids();
    }

    private List<Long> workersQuietly() {
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

    /**
     * Whether HAProxy's master process runs now, checked by its pid: false from a crash until the controller has
     * started it again (it looks every supervision interval).
     */
    public boolean running() {
        return io.thalassa.haproxy.internal.Processes.isRunning(masterPid());
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
            return reloads.reloads();
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
                    // what HAProxy refused is not started again: what the worker ran
                    boolean accepted = reloads.refusedChange() == null || reloads.running() == null;
                    ThalassaConfig config = accepted ? desired : reloads.running();
                    RenderedConfig rendered = renderer.render(config, settings,
                            layout(slots, accepted ? null : reloads.capacity()));
                    file.writeNow(++version, rendered.text());
                    process.launch();
                    markRunning(config, rendered);
                    ReloadScheduler.Batch batch = accepted ? reloads.take() : null;
                    if (batch != null) { // the new master runs what that reload would have brought
                        changes.applied(batch.ids());
                        batch.result().complete(null);
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
            return started && (adoptedText == null || reloads.running() != null) ? Optional.of(desired)
                    : Optional.empty();
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

    private static String describe(String backend, List<SlotTable.Change> changes) {
        StringBuilder sb = new StringBuilder(backend).append(':');
        for (SlotTable.Change c : changes) {
            Slot s = c.slot();
            switch (s.state) {
                case ACTIVE -> {
                    sb.append(c.fromState() == SlotTable.State.ACTIVE ? " ~" : " +").append(s.address());
                    if (s.weight != c.fromWeight()) {
                        sb.append(" (weight ").append(s.weight).append(')');
                    }
                }
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
