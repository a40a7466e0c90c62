package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.ReloadFailedException;
import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RenderedConfig;
import io.thalassa.haproxy.internal.SlotTable.Slot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link ChangePlan}, under the controller's lock. A structural change is checked before it is
 * accepted (file descriptors, new listen addresses, {@code haproxy -c}); then the planned slot tables are swapped in,
 * the runtime commands go to the worker as one batch, the file is written (at once for a structural change, coalesced
 * for membership) and a reload is scheduled when the structure differs from what runs. Every change gets its status
 * in the {@link ChangeLog}. Also empties a slot whose drain is over.
 */
public final class ChangeApplier {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeApplier.class);

    private final ControllerState state;
    private final ReloadScheduler reloads;
    private final RuntimeApplier runtime;
    private final ChangeLog changes;
    private final Joins joins;
    private final ConfigValidator validator;
    private final HaproxyProcess process;
    private final ConfigFileWriter file;
    private final HaproxyConfigRenderer renderer;
    private final HaproxySettings settings;
    private final EventSink events;
    private final Path configFile;

    public ChangeApplier(ControllerState state, ReloadScheduler reloads, RuntimeApplier runtime, ChangeLog changes,
            Joins joins, ConfigValidator validator, HaproxyProcess process, ConfigFileWriter file,
            HaproxyConfigRenderer renderer, HaproxySettings settings, EventSink events, Path configFile) {
        this.state = state;
        this.reloads = reloads;
        this.runtime = runtime;
        this.changes = changes;
        this.joins = joins;
        this.validator = validator;
        this.process = process;
        this.file = file;
        this.renderer = renderer;
        this.settings = settings;
        this.events = events;
        this.configFile = configFile;
    }

    /**
     * Applies {@code plan}, made on the current state.
     *
     * @throws io.thalassa.ConfigRejectedException when a structural change is refused; nothing changed
     */
    public ApplyResult apply(ChangePlan plan) {
        try {
            return plan.structural() ? structural(plan) : membership(plan);
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + configFile + ": " + e.getMessage(), e);
        }
    }

    /** A membership-only change: the planned tables swapped in, one batch of runtime commands, the file later. */
    private ApplyResult membership(ChangePlan plan) {
        ThalassaConfig next = plan.next();
        Map<String, SlotTable> slots = state.slots();
        if (!plan.moves()) { // e.g. a registry refreshed its members' lastKnown: nothing HAProxy sees
            plan.backends().forEach((k, p) -> slots.put(k, p.table()));
            state.desired(next);
            ChangeStatus none = changes.open(ApplyResult.Kind.NOOP, List.of(), false);
            return new ApplyResult(ApplyResult.Kind.NOOP, List.of(), List.of(),
                    CompletableFuture.completedFuture(null), none.id());
        }
        long slotsAfter = state.totalSlots();
        for (Map.Entry<String, SlotPlanner.Plan> e : plan.backends().entrySet()) {
            SlotTable old = slots.get(e.getKey());
            slotsAfter += e.getValue().table().capacity() - (old == null ? 0 : old.capacity());
        }
        if (slotsAfter > state.totalSlots()) {
            validator.checkCapacity(next, slotsAfter, process.fileLimit()); // the next reload must still start
        }
        plan.backends().forEach((k, p) -> slots.put(k, p.table()));
        state.totalSlots(slotsAfter);
        state.fingerprints().putAll(plan.planned()); // the same, but for backends grown at run time
        state.desired(next);
        List<String> described = new ArrayList<>();
        Sent sent = sendRuntime(plan, described);
        boolean runtimeOk = sent != null;
        state.nextVersion();
        file.stale();
        if (!runtimeOk) {
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            events.emit(Verb.CONFIG_APPLIED, "haproxy", "the runtime API did not take all of a change, reloading: "
                    + String.join("; ", described));
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, List.of(), reloads.schedule(c.id()), c.id());
        }
        boolean waits = false;
        for (Map.Entry<String, SlotPlanner.Plan> e : plan.backends().entrySet()) {
            Integer cap = reloads.capacity().get(e.getKey());
            waits |= cap == null || e.getValue().table().capacity() > cap; // part of it comes with a reload
        }
        boolean waitsReload = waits && (reloads.isPending() || reloads.refusedChange() != null);
        boolean joining = joins.waits() && Joins.joining(sent.commands(), sent.capacity());
        ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, waitsReload || joining);
        joins.sent(waitsReload ? 0 : c.id(), sent.commands(), sent.capacity());
        if (waitsReload || !joining) {
            follow(c);
        }
        return new ApplyResult(ApplyResult.Kind.RUNTIME, described, List.of(), waits ? outcome(c)
                : CompletableFuture.completedFuture(null), c.id());
    }

    /** A structural change: rendered and checked before it is accepted, then written and reloaded when it differs. */
    private ApplyResult structural(ChangePlan plan) throws IOException {
        ThalassaConfig next = plan.next();
        Map<String, SlotTable> nextSlots = plan.tables(state.slots());
        RenderedConfig rendered = renderer.render(next, settings, ControllerState.layout(nextSlots, null));
        SortedSet<String> differs = plan.differs();
        if (!differs.isEmpty() && !plan.refusedBefore()) {
            validator.checkCapacity(next, ControllerState.slotCount(nextSlots), process.fileLimit());
            validator.checkBindsFree(next, reloads.listen());
            validator.check(rendered.text());
        }
        // accepted: runtime first (traffic moves at once), then the file, then a reload when the structure differs
        for (String k : plan.removed()) {
            if (!reloads.capacity().containsKey(k)) {
                state.slots().remove(k); // the worker does not have it: nothing to keep
            }
        }
        plan.backends().forEach((k, p) -> state.slots().put(k, p.table()));
        state.totalSlots(ControllerState.slotCount(nextSlots));
        List<String> described = new ArrayList<>();
        Sent sent = sendRuntime(plan, described);
        boolean runtimeOk = sent != null;
        state.desired(next);
        state.fingerprints().clear();
        state.fingerprints().putAll(rendered.fingerprints());
        state.fullCheckNext(false);
        long version = state.nextVersion();
        if (plan.refusedBefore()) {
            state.writeFileNow(); // what the worker runs
        } else {
            file.writeNow(version, rendered.text());
            state.accept(rendered);
        }
        if (differs.isEmpty() && runtimeOk) {
            // the structure is what runs (a change undone, or the first change after an adoption): no reload
            if (reloads.refusedChange() != null) {
                reloads.clearRefusal();
                events.emit(Verb.CONFIG_APPLIED, "haproxy", "HAProxy runs the accepted configuration again");
            }
            if (state.adoptedText() != null) {
                state.markRunning(next, rendered);
            }
            boolean joining = !reloads.isPending() && joins.waits()
                    && Joins.joining(sent.commands(), sent.capacity());
            ChangeStatus c = changes.open(ApplyResult.Kind.RUNTIME, described, reloads.isPending() || joining);
            joins.sent(joining ? c.id() : 0, sent.commands(), sent.capacity());
            if (!joining) {
                follow(c);
            }
            return new ApplyResult(ApplyResult.Kind.RUNTIME, described, rendered.warnings(), outcome(c), c.id());
        }
        if (plan.refusedBefore() && runtimeOk) {
            ChangeStatus refused = reloads.refusedChange();
            ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
            changes.failed(List.of(c.id()), "HAProxy refused this structure before (change " + refused.id() + "): "
                    + refused.message());
            return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(),
                    CompletableFuture.failedFuture(new ReloadFailedException(refused.message())), c.id());
        }
        if (runtimeOk) {
            joins.sent(0, sent.commands(), sent.capacity()); // the reload's change waits for them after it
        }
        described.add(0, "structural: " + describe(differs));
        events.emit(Verb.CONFIG_APPLIED, "haproxy", String.join("; ", described));
        ChangeStatus c = changes.open(ApplyResult.Kind.RELOAD, described, true);
        return new ApplyResult(ApplyResult.Kind.RELOAD, described, rendered.warnings(), reloads.schedule(c.id()),
                c.id());
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
     * Sends the plan's runtime commands to the running worker: new slots of dynamic backends ({@code add server})
     * first, then member changes of the slots it has, each server's commands stopping at the first HAProxy refuses.
     *
     * @return what was sent, or null when HAProxy refused a command (named in {@code described}; a reload then brings
     *         the file's state)
     */
    private Sent sendRuntime(ChangePlan plan, List<String> described) {
        ThalassaConfig next = plan.next();
        List<ServerCommands> commands = new ArrayList<>();
        Map<String, Integer> capacity = new HashMap<>();
        for (String k : plan.runtimeGrowth()) {
            SlotPlanner.Plan p = plan.backends().get(k);
            Integer cap = reloads.capacity().get(k);
            if (cap == null || cap != p.capacityBefore()) {
                continue; // the worker does not have this backend as planned: the next reload brings it
            }
            List<Slot> added = p.table().slots().subList(cap, p.table().capacity());
            commands.addAll(ServerCommands.growth(k, added, DefaultServer.addServerArgs(next.backends().get(k))));
            capacity.put(k, p.table().capacity());
        }
        Map<String, List<SlotTable.Change>> sent = new LinkedHashMap<>();
        for (Map.Entry<String, SlotPlanner.Plan> e : plan.backends().entrySet()) {
            List<SlotTable.Change> list = e.getValue().changes();
            if (list.isEmpty()) {
                continue;
            }
            described.add(describe(e.getKey(), list));
            Integer cap = capacity.getOrDefault(e.getKey(), reloads.capacity().get(e.getKey()));
            List<ServerCommands> cmds = cap == null ? List.of() : ServerCommands.of(e.getKey(), list, cap);
            // a member now held while it leaves needs no command (it serves on), but the joins must hold it
            if (!cmds.isEmpty() || cap != null && holdsLeaver(list, cap)) {
                commands.addAll(cmds);
                sent.put(e.getKey(), list);
            }
        }
        List<ServerCommands.Refusal> refused;
        try {
            refused = runtime.send(ServerCommands.merged(commands));
        } catch (RuntimeApiException ex) {
            refused = List.of(new ServerCommands.Refusal("", "", "", ex.getMessage()));
        }
        if (!refused.isEmpty()) {
            String which = refusals(refused);
            LOG.warn("haproxy - {}; a reload follows", which);
            described.add(which + "; the reload that follows brings the rest of the change");
            return null;
        }
        capacity.forEach((k, cap) -> {
            reloads.grew(k, cap, plan.planned().get(RenderedConfig.backendSection(k)));
            events.emit(Verb.RUNTIME_CHANGE, Backend.idOf(k), "added slots with add server, " + cap + " in all");
        });
        Map<String, Integer> caps = new HashMap<>();
        sent.forEach((k, list) -> {
            int cap = capacity.getOrDefault(k, reloads.capacity().get(k));
            caps.put(k, cap);
            runtime.watch(k, list, cap);
            events.emit(Verb.RUNTIME_CHANGE, Backend.idOf(k), describe(k, list));
        });
        return new Sent(sent, caps);
    }

    /** Whether {@code changes} make a slot the worker has hold its member while it leaves. */
    private static boolean holdsLeaver(List<SlotTable.Change> changes, int capacity) {
        for (SlotTable.Change c : changes) {
            if (c.slot().state == SlotTable.State.LEAVING && c.slot().index <= capacity) {
                return true;
            }
        }
        return false;
    }

    /** The slot changes sent to the worker, by backend, and the slots it has in each. */
    private record Sent(Map<String, List<SlotTable.Change>> commands, Map<String, Integer> capacity) {
    }

    /** What HAProxy refused, command by command, in one sentence. */
    static String refusals(List<ServerCommands.Refusal> refused) {
        List<String> parts = new ArrayList<>();
        for (ServerCommands.Refusal r : refused) {
            parts.add(r.command().isEmpty() ? "the runtime API failed: " + r.answer()
                    : r + " (" + r.server() + "'s later commands not sent)");
        }
        return "HAProxy refused " + String.join("; ", parts);
    }

    /**
     * A draining slot has no session left (or its time is up): it is emptied, in the table and in HAProxy. Called
     * under the controller's lock.
     */
    public void drained(String backend, String server, long generation, long millis, long left, boolean timedOut) {
        SlotTable table = state.slots().get(backend);
        Slot slot = table == null ? null : find(table, server);
        if (slot == null || slot.generation != generation || slot.state != SlotTable.State.DRAINING) {
            return;
        }
        SlotTable copy = table.copy();
        SlotTable.free(find(copy, server));
        state.slots().put(backend, copy);
        state.nextVersion();
        file.stale();
        Integer cap = reloads.capacity().get(backend);
        if (cap != null && slot.index <= cap) {
            try {
                List<ServerCommands.Refusal> refused = runtime.send(List.of(ServerCommands.emptySlot(backend, server)));
                if (!refused.isEmpty()) {
                    LOG.warn("haproxy - could not empty drained slot {}/{}: {}", backend, server, refusals(refused));
                }
            } catch (RuntimeApiException e) {
                LOG.warn("haproxy - could not empty drained slot {}/{}: {}", backend, server, e.getMessage());
            }
        }
        events.emit(Verb.DRAIN, Backend.idOf(backend), slot.address() + " drained from " + server + " in " + millis
                + " ms" + (timedOut ? " (drain timeout; " + left + " sessions left)" : ""));
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
            boolean wanted = state.fingerprints().containsKey(s);
            out.add(s + (runs && wanted ? " changed" : runs ? " removed" : " added"));
        }
        return String.join(", ", out);
    }

    static String describe(String backend, List<SlotTable.Change> changes) {
        StringBuilder sb = new StringBuilder(backend).append(':');
        for (SlotTable.Change c : changes) {
            Slot s = c.slot();
            switch (s.state) {
                case JOINING, ACTIVE -> {
                    sb.append(c.fromState() == s.state ? " ~" : " +").append(s.address());
                    if (s.weight != c.fromWeight()) {
                        sb.append(" (weight ").append(s.weight).append(')');
                    }
                    if (s.state == SlotTable.State.JOINING && c.fromState() != s.state) {
                        sb.append(" (in service once its first check passes)");
                    }
                }
                case LEAVING -> sb.append(" -").append(s.address()).append(" (serves until a joining member"
                        + " passes its first check)");
                case DRAINING -> sb.append(" -").append(s.address()).append(" (draining)");
                case FREE -> sb.append(" -").append(Member.addressOf(c.fromIp(), c.fromPort()));
                default -> {
                }
            }
        }
        return sb.toString();
    }
}
