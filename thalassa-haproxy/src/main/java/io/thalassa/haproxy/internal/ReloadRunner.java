package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.ReloadFailedException;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RenderedConfig;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.ServerLayout;
import io.thalassa.haproxy.ServerLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings HAProxy to what was accepted. Starts it the first time, checked before. Runs the reload the {@link ReloadScheduler} fires: the file and the server
 * state are written, HAProxy reloads through its master CLI, and what runs is recorded, or the refusal with HAProxy's
 * own words. And starts HAProxy again when its master is gone ({@link Supervisor.Restarts}): the file is prepared and
 * the outcome recorded under the controller's lock, HAProxy is launched (and waited for) outside it.
 */
public final class ReloadRunner implements Supervisor.Restarts<ReloadRunner.Restart> {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadRunner.class);

    /** A restart being made: what the new master runs, rendered as file version {@code version}. */
    public record Restart(long deadPid, ThalassaConfig config, RenderedConfig rendered, boolean accepted,
            long version) {
    }

    private final ControllerState state;
    private final ReloadScheduler reloads;
    private final HaproxyProcess process;
    private final RuntimeApplier runtime;
    private final Joins joins;
    private final ChangeLog changes;
    private final RuntimeApi api;
    private final ConfigFileWriter file;
    private final HaproxyConfigRenderer renderer;
    private final HaproxySettings settings;
    private final Duration reloadTimeout;
    private final EventSink events;
    private final Path configFile;
    private final BooleanSupplier restarting;
    private volatile boolean reloading; // a reload runs: the master re-executes itself, and may not answer
    private volatile String killed; // why supervision killed HAProxy, until it runs again

    /** @param restarting whether HAProxy's master is gone and not started again yet (a reload then waits for it) */
    public ReloadRunner(ControllerState state, ReloadScheduler reloads, HaproxyProcess process, RuntimeApplier runtime,
            Joins joins, ChangeLog changes, RuntimeApi api, ConfigFileWriter file, HaproxyConfigRenderer renderer,
            HaproxySettings settings, Duration reloadTimeout, EventSink events, Path configFile,
            BooleanSupplier restarting) {
        this.state = state;
        this.reloads = reloads;
        this.process = process;
        this.runtime = runtime;
        this.joins = joins;
        this.changes = changes;
        this.api = api;
        this.file = file;
        this.renderer = renderer;
        this.settings = settings;
        this.reloadTimeout = reloadTimeout;
        this.events = events;
        this.configFile = configFile;
        this.restarting = restarting;
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts HAProxy with {@code initial}, checked first: the file descriptors it needs, the stats listener and every
     * listen address free, {@code haproxy -c}. Called under the controller's lock.
     *
     * @throws io.thalassa.ConfigRejectedException when a check refuses it
     * @throws io.thalassa.ThalassaException       when HAProxy does not start (with its words)
     */
    public void launchFirst(ThalassaConfig initial, Endpoints endpoints, ConfigValidator validator)
            throws IOException {
        for (Backend b : initial.backends().values()) {
            state.slots().put(b.key(), SlotPlanner.plan(b.key(), null, endpoints.of(b.key()),
                    DefaultServer.growsAtRunTime(b)).table());
        }
        SlotPlanner.trustKnown(state.slots(), knownStates()); // the rest join after their first check
        state.totalSlots(ControllerState.slotCount(state.slots()));
        RenderedConfig rendered = renderer.render(initial, settings, ControllerState.layout(state.slots(), null));
        validator.checkCapacity(initial, state.totalSlots(), process.launchLimit());
        validator.checkStatsListenerFree();
        validator.checkBindsFree(initial, Set.of());
        validator.check(rendered.text());
        file.writeNow(state.nextVersion(), rendered.text());
        keepConsistentState(initial, ControllerState.layout(state.slots(), null)); // a previous run's
        process.launch();
        state.desired(initial);
        state.fingerprints().putAll(rendered.fingerprints());
        state.markRunning(initial, rendered);
        joins.restarted(List.of());
    }

    // ---------------------------------------------------------------- reload

    /**
     * Runs the scheduled reload, if any; called under the controller's lock. While HAProxy is being started again the
     * reload stays scheduled: the restart brings it, or runs it when it is done.
     */
    public void reload() {
        if (restarting.getAsBoolean()) {
            return;
        }
        ReloadScheduler.Batch batch = reloads.take();
        if (batch == null) {
            return;
        }
        reloading = true;
        try {
            reload(batch);
        } finally {
            reloading = false;
        }
    }

    private void reload(ReloadScheduler.Batch batch) {
        if (batch.coalesced() > 0) {
            events.emit(Verb.RELOAD_COALESCED, "haproxy", (batch.coalesced() + 1) + " changes in one reload");
        }
        // old workers finish their in-flight requests themselves: draining slots are free in the new worker
        Map<String, List<String>> released = state.releaseDrains(runtime);
        // what the accepting change rendered, unless something changed since
        RenderedConfig rendered = state.takeAccepted(released.isEmpty());
        if (rendered == null) {
            rendered = renderer.render(state.desired(), settings, ControllerState.layout(state.slots(), null));
        }
        String refusal;
        try {
            file.writeNow(state.nextVersion(), rendered.text());
            saveServerState(ControllerState.serverLines(state.desired(), ControllerState.layout(state.slots(),
                    null)));
            HaproxyProcess.ReloadOutcome outcome = process.reload(reloadTimeout);
            refusal = outcome.done() ? null : outcome.message();
        } catch (IOException e) {
            refusal = "cannot write " + configFile + ": " + e.getMessage();
        }
        if (refusal == null) {
            state.markRunning(state.desired(), rendered);
            reloads.done();
            events.emit(Verb.RELOAD_DONE, "haproxy", "reload " + reloads.reloads() + " done, worker pid "
                    + workersQuietly());
            joins.restarted(batch.ids()); // applied once the joining members are in service
            batch.result().complete(null);
            return;
        }
        refused(batch, released, refusal);
    }

    /** HAProxy refused the reload: the changes fail with its words, the file goes back to what the worker runs. */
    private void refused(ReloadScheduler.Batch batch, Map<String, List<String>> released, String refusal) {
        events.emit(Verb.RELOAD_FAILED, "haproxy", "HAProxy refused the reload (change " + batch.ids() + "), the "
                + "previous worker keeps serving and this structure is not tried again: " + refusal);
        changes.failed(batch.ids(), refusal);
        ChangeStatus failed = changes.get(batch.ids().get(batch.ids().size() - 1)).orElseGet(() -> new ChangeStatus(0,
                ChangeStatus.State.FAILED, ApplyResult.Kind.RELOAD, List.of(), refusal, Instant.now(), Instant.now()));
        reloads.refused(state.fingerprints(), failed);
        // the slots the running worker still has as draining: empty them there too
        List<ServerCommands> commands = new ArrayList<>();
        released.forEach((backend, servers) -> {
            if (reloads.capacity().get(backend) != null) {
                for (String server : servers) {
                    commands.add(ServerCommands.emptySlot(backend, server));
                }
            }
        });
        try {
            List<ServerCommands.Refusal> refusedCommands = runtime.send(commands);
            if (!refusedCommands.isEmpty()) {
                LOG.warn("haproxy - could not empty drained slots after the failed reload: {}",
                        ChangeApplier.refusals(refusedCommands));
            }
        } catch (RuntimeApiException e) {
            LOG.warn("haproxy - could not empty drained slots after the failed reload: {}", e.getMessage());
        }
        state.nextVersion();
        state.writeFileNow(); // back to what the worker runs
        batch.result().completeExceptionally(new ReloadFailedException(refusal));
    }

    /**
     * The running worker's server states, kept to the rows that agree with {@code servers} (what the new worker's file
     * says), for the new worker to load.
     */
    private void saveServerState(Map<String, List<ServerLine>> servers) {
        if (settings.serverStateFile() == null) {
            return;
        }
        try {
            Processes.writeAtomically(settings.serverStateFile(), ServerStateFile.consistent(api.serversStateFile(),
                    servers));
        } catch (IOException | RuntimeApiException e) {
            LOG.warn("haproxy - server state not saved before reload: {}", e.getMessage());
            deleteServerState(); // rather none than an older one
        }
    }

    /** The server-state file left by a previous HAProxy, kept to the rows that agree with what starts now. */
    private void keepConsistentState(ThalassaConfig config, ServerLayout layout) {
        if (settings.serverStateFile() == null) {
            return;
        }
        try {
            ServerStateFile.keepConsistent(settings.serverStateFile(), ControllerState.serverLines(config, layout));
        } catch (IOException e) {
            LOG.warn("haproxy - cannot read {}: {}; HAProxy starts without server states", settings.serverStateFile(),
                    e.getMessage());
            deleteServerState();
        }
    }

    /** The server states the server-state file holds now (a previous HAProxy's), or none. */
    private List<RuntimeApi.ServerStateRow> knownStates() {
        if (settings.serverStateFile() == null || !Files.exists(settings.serverStateFile())) {
            return List.of();
        }
        try {
            return RuntimeApi.ServerStateRow.parse(Files.readString(settings.serverStateFile()));
        } catch (IOException e) {
            return List.of();
        }
    }

    private void deleteServerState() {
        try {
            Files.deleteIfExists(settings.serverStateFile());
        } catch (IOException e) {
            LOG.warn("haproxy - cannot delete {}: {}", settings.serverStateFile(), e.getMessage());
        }
    }

    private List<Long> workersQuietly() {
        try {
            return process.workerPids();
        } catch (RuntimeApiException e) {
            return List.of();
        }
    }

    // ---------------------------------------------------------------- restart

    @Override
    public boolean alive() {
        return process.isRunning();
    }

    @Override
    public boolean answers() {
        // a reload under way before or after the probe: the master re-executes itself and may not answer
        return reloading || process.answers() || reloading;
    }

    @Override
    public void kill(String why) {
        killed = why;
        LOG.warn("haproxy - master {} hangs ({}): killing it to start it again", process.pid(), why);
        process.kill();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    /** Under the lock: the file the new master starts with (what the worker ran, if HAProxy refused the accepted). */
    @Override
    public Restart prepare(long deadPid) throws IOException {
        state.releaseDrains(runtime);
        // what HAProxy refused is not started again: what the worker ran
        boolean accepted = reloads.refusedChange() == null || reloads.running() == null;
        ThalassaConfig config = accepted ? state.desired() : reloads.running();
        ServerLayout layout = ControllerState.layout(state.slots(), accepted ? null : reloads.capacity());
        RenderedConfig rendered = renderer.render(config, settings, layout);
        keepConsistentState(config, layout); // as of the last reload: a member found DOWN then starts DOWN
        long version = state.nextVersion();
        file.writeNow(version, rendered.text());
        return new Restart(deadPid, config, rendered, accepted, version);
    }

    /** Without the lock: starts HAProxy on the file and waits until its sockets answer. */
    @Override
    public void launch(Restart restart) {
        process.launch();
    }

    /**
     * Under the lock: HAProxy runs the restart's file. A scheduled reload whose changes that file holds is done; one
     * with changes accepted since runs now.
     */
    @Override
    public void started(Restart r) {
        state.markRunning(r.config(), r.rendered());
        List<Long> carried = List.of();
        if (r.accepted() && r.version() == state.version()) {
            ReloadScheduler.Batch batch = reloads.take();
            if (batch != null) { // the new master runs what that reload would have brought
                carried = batch.ids();
                batch.result().complete(null);
            }
        }
        joins.restarted(carried);
        String why = killed;
        killed = null;
        events.emit(Verb.HAPROXY_RESTARTED, "haproxy", "master pid " + r.deadPid() + (why == null ? " was gone"
                : " was killed: " + why) + "; started again, master pid " + process.pid());
        if (reloads.isPending()) {
            reload();
        }
    }

    /**
     * Under the lock: no attempt of this round started HAProxy; the next round follows at the next check. Scheduled
     * reloads wait for it (a reload cannot work without a master, and is not a refusal of the structure).
     */
    @Override
    public void gaveUp(long deadPid) {
        events.emit(Verb.RELOAD_FAILED, "haproxy", "HAProxy could not be started again after master pid " + deadPid
                + " died");
    }
}
