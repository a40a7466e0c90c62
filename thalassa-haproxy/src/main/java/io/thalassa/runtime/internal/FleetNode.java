package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.runtime.Edit;
import io.thalassa.runtime.ItemVersions;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.ConfigStore.Item;
import io.thalassa.spi.ConfigStore.Snapshot;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a fleet: its own HAProxy (a {@link LocalNode}) running the configuration that every node shares in a
 * {@link ConfigStore} (Consul's KV store).
 *
 * <ul>
 *   <li><b>Writes</b> read the store, apply the change to what it holds (so a precondition is judged against the
 *       newest version of the item, whichever node wrote it), check the result as this node's HAProxy would run it,
 *       and write the items that changed with check-and-set on their versions. A write that lost a race is done again
 *       on the newer state. The answer comes once the store has the write, and this node runs it.</li>
 *   <li><b>Every node watches</b> the store and applies each new revision to its own HAProxy, with the same split
 *       between runtime changes and reloads. A revision this node cannot apply (a bind address it cannot open) is
 *       reported as this node's failure; it keeps serving what it ran, and the others are not affected.</li>
 *   <li><b>State.</b> Each node publishes what it runs (the revision, failures, whether HAProxy runs it) to the store
 *       ({@link FleetState}).</li>
 *   <li><b>History.</b> Every revision of the store this node sees is a revision of its {@link Revisions history},
 *       numbered by the store's index, so the numbers and items agree on every node (who wrote it and the change
 *       that carried it are known on the node that took the write). An item's version is the store's.</li>
 *   <li><b>Faults.</b> Writes while the store is unreachable fail with {@link StoreUnavailableException}; HAProxy
 *       keeps serving. A cache file ({@link FleetCache}) lets a node start while the store is down: it then serves
 *       the cached revision, marked stale, until the store answers again.</li>
 * </ul>
 */
public final class FleetNode implements Node {
    private static final Logger LOG = LoggerFactory.getLogger(FleetNode.class);
    private static final int WRITE_ATTEMPTS = 20;
    private static final Duration PUBLISH_PERIOD = Duration.ofSeconds(1);

    private final ConfigStore store;
    private final String storeName;
    private final FleetState state;
    private final FleetCache cache;
    private final ThalassaEvent.Listener events;
    /** Serializes this node's applies and writes, so revisions are applied in order. */
    private final Object lock = new Object();
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thalassa-fleet");
        t.setDaemon(true);
        return t;
    });
    private LocalNode stack; // set once at start
    private long lastWatched; // guarded by lock
    private ConfigStore.Watch watch;
    private final Revisions history;
    /**
     * The snapshot of the store this node runs: the items' versions, set once HAProxy took it, so a version read
     * before the configuration is never newer than it (an If-Match from a read can only be refused, never win a
     * write over a change it did not see).
     */
    private volatile Snapshot seen = new Snapshot(Map.of(), 0);
    /** Who wrote the revision this node is writing (its own write), for the history; guarded by lock. */
    private String writing;

    /** An item of the store, parsed once per version. */
    private record Parsed(long version, Object item) {
    }

    private FleetNode(ConfigStore store, String node, String api, Path cacheFile, ThalassaEvent.Listener events,
            Revisions history) {
        this.history = history;
        this.store = store;
        this.storeName = store.name();
        this.state = new FleetState(store, node, api);
        this.cache = new FleetCache(cacheFile);
        this.events = events;
    }

    /**
     * Starts a fleet node: reads the store (or, when it cannot be reached, the cache of an earlier run, marked
     * stale), starts or adopts HAProxy with it, so the node serves the newest configuration from its first request,
     * then watches the store. When HAProxy refuses the store's newest revision on this node (a bind address taken on
     * this machine), the node starts with the revision of its cache, the last it ran, and reports the newer one as
     * its failure.
     *
     * @param settle how long to wait for HAProxy to run the starting revision
     * @throws IllegalStateException when neither the store nor a cache can be read, or HAProxy rejects what they hold
     */
    public static FleetNode start(ConfigStore store, Registry registry, Supplier<HaproxyController> controllers,
            ThalassaEvent.Listener events, String node, String api, Path stateDir, String bindAddress,
            UnaryOperator<MembershipEngine.Builder> engine, Duration settle, Revisions history) throws IOException {
        Files.createDirectories(stateDir);
        FleetNode fleet = new FleetNode(store, node, api, stateDir.resolve("fleet-cache.json"), events, history);
        Snapshot initial;
        boolean stale = false;
        try {
            initial = store.readAll();
        } catch (StoreUnavailableException e) {
            Optional<Snapshot> cached = fleet.cache.read();
            if (cached.isEmpty()) {
                throw new IllegalStateException("cannot read the configuration store (" + e.getMessage()
                        + ") and there is no cache " + fleet.cache.file() + " of an earlier run: start once with the"
                        + " store reachable", e);
            }
            initial = cached.get();
            stale = true;
            LOG.warn("fleet - {} cannot be read ({}); serving the cached revision {} from {}, marked stale, until it"
                    + " answers", fleet.storeName, e.getMessage(), initial.index(), fleet.cache.file());
        }
        FleetState.Failure refused = null;
        Snapshot running = initial;
        try {
            fleet.stack = LocalNode.start(registry, controllers, null, bindAddress, events, engine,
                    fleet.configOf(initial), fleet.storeName + " revision " + initial.index(), false, null);
        } catch (IllegalStateException e) {
            Optional<Snapshot> cached = stale ? Optional.empty() : fleet.cache.read();
            if (cached.isEmpty() || cached.get().index() >= initial.index()) {
                throw e;
            }
            refused = new FleetState.Failure(initial.index(), e.getMessage(), Instant.now());
            running = cached.get();
            LOG.warn("fleet - node {} cannot run revision {} ({}); starting with revision {}, the last it ran", node,
                    initial.index(), e.getMessage(), running.index());
            fleet.stack = LocalNode.start(registry, controllers, null, bindAddress, events, engine,
                    fleet.configOf(running), "the cache " + fleet.cache.file() + " (revision " + running.index()
                            + ")", false, null);
        }
        awaitRunning(fleet.stack, settle);
        LocalNode started = fleet.stack;
        fleet.state.controller(started::controller);
        fleet.state.appliedRevision = running.index();
        fleet.state.latestRevision = initial.index();
        fleet.state.failure = refused;
        fleet.state.stale = stale;
        fleet.seen = initial;
        history.record(documentsOf(initial), initial.index(), "start", 0);
        if (!stale && refused == null) {
            fleet.cache.offer(initial);
        }
        started.controller().addListener(e -> {
            if (e.verb() == Verb.RELOAD_DONE || e.verb() == Verb.RELOAD_FAILED || e.verb() == Verb.HAPROXY_RESTARTED
                    || e.verb() == Verb.MEMBER_CHECK || e.verb() == Verb.DRAIN) {
                fleet.publishSoon(); // whether HAProxy serves the revision (joins judged) is part of the node's state
            }
        });
        fleet.watch = store.watch(stale ? 0 : initial.index(), fleet::onSnapshot, fleet::onHealth);
        fleet.background.scheduleWithFixedDelay(fleet::publish, 0, PUBLISH_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("fleet - node {} runs revision {} of {}{}", node, running.index(), fleet.storeName,
                stale ? " (stale: from the cache)" : "");
        return fleet;
    }

    /**
     * Waits until HAProxy runs what the stack was started with (an adopted HAProxy that missed revisions reloads), so
     * the node serves the newest revision from its first request; a failure is reported, not fatal.
     */
    private static void awaitRunning(LocalNode stack, Duration timeout) {
        Optional<ChangeStatus> latest = stack.controller().latestChange();
        if (latest.isEmpty() || latest.get().isFinished()) {
            return;
        }
        try {
            Optional<ChangeStatus> done = stack.controller().awaitChange(latest.get().id(), timeout);
            if (done.isPresent() && done.get().state() == ChangeStatus.State.FAILED) {
                LOG.warn("fleet - HAProxy refused the starting revision: {}", done.get().message());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- applying the store

    private void onSnapshot(Snapshot s) {
        state.stale = false;
        synchronized (lock) {
            if (s.index() < lastWatched) {
                // the watch went back: Consul's index was reset (a restored snapshot, a new cluster); start over
                LOG.warn("fleet - {} went back from index {} to {}; applying what it holds now", storeName,
                        lastWatched, s.index());
                state.appliedRevision = 0;
                state.latestRevision = 0;
            }
            lastWatched = s.index();
            apply(s);
        }
    }

    private void onHealth(RegistryHealth h) {
        boolean was = state.storeHealth.isConnected();
        state.storeHealth = h;
        if (was && !h.isConnected()) {
            emit(Verb.STORE_UNAVAILABLE, storeName + " cannot be reached (" + h.detail() + "); this node"
                    + " keeps serving revision " + state.appliedRevision);
        } else if (!was && h.isConnected()) {
            emit(Verb.STORE_RECOVERED, storeName + " answers again");
        }
    }

    /** Applies {@code s} unless this node runs it or a newer one already; the write that carries it, or null. */
    private Written apply(Snapshot s) {
        synchronized (lock) {
            state.latestRevision = Math.max(state.latestRevision, s.index());
            if (s.index() <= state.appliedRevision) {
                return null;
            }
            long change = 0;
            try {
                ThalassaConfig next = configOf(s);
                Written w = stack.write((c, v) -> next, null);
                change = w.change() == null ? 0 : w.change().id();
                state.appliedRevision = s.index();
                seen = s;
                state.failure = null;
                cache.offer(s);
                emit(Verb.STORE_APPLIED, "revision " + s.index() + " of " + storeName);
                return w;
            } catch (RuntimeException e) {
                String message = e instanceof ConfigRejectedException r ? r.haproxyMessage() : String.valueOf(
                        e.getMessage());
                state.failure = new FleetState.Failure(s.index(), message, Instant.now());
                LOG.warn("fleet - node {} cannot apply revision {} of {}, keeps serving revision {}: {}",
                        state.node(), s.index(), storeName, state.appliedRevision, message);
                emit(Verb.STORE_APPLY_FAILED, "revision " + s.index() + ": " + message + "; this node keeps serving"
                        + " revision " + state.appliedRevision);
                return null;
            } finally {
                history.record(documentsOf(s), s.index(), writing, change);
                publishSoon();
            }
        }
    }

    /** The documents of {@code s}'s items, by id. */
    private static Map<String, String> documentsOf(Snapshot s) {
        Map<String, String> out = new TreeMap<>();
        s.items().forEach((id, item) -> out.put(id, item.json()));
        return out;
    }

    @Override
    public long version(String id) {
        Item item = seen.items().get(id);
        return item == null ? ItemVersions.ABSENT : item.version();
    }

    @Override
    public Revisions history() {
        return history;
    }

    @Override
    public void validate(ThalassaConfig config) {
        stack.validate(config);
    }

    /** In a fleet, rollouts are kept in the store, each driven by the node that holds its lock. */
    @Override
    public RolloutBook rollouts(Path stateDir) {
        return new FleetRolloutBook(store, state);
    }

    /**
     * The version of item {@code id} in {@code c}, a configuration made from {@code s} by a write: the store's version
     * when it is the item {@code s} holds, {@link ItemVersions#UNSAVED} when the write changed it already.
     */
    private long versionOf(Snapshot s, ThalassaConfig c, String id) {
        String key = Documents.keyOf(id);
        Object item = id.startsWith("frontend/") ? c.frontends().get(key) : c.backends().get(key);
        if (item == null) {
            return ItemVersions.ABSENT;
        }
        Item stored = s.items().get(id);
        if (stored == null) {
            return ItemVersions.UNSAVED;
        }
        Object parsed;
        try {
            parsed = parse(stored);
        } catch (RuntimeException e) {
            return ItemVersions.UNSAVED;
        }
        boolean same = item instanceof Backend b ? parsed instanceof Backend p
                && Documents.stored(p).equals(Documents.stored(b)) : parsed.equals(item);
        return same ? stored.version() : ItemVersions.UNSAVED;
    }

    /**
     * The configuration the items of {@code s} describe. An item that cannot be read, or a frontend whose address
     * another frontend of the store took first (two nodes each accepted one of them at the same moment), is left out
     * and reported as skipped: every node leaves out the same ones, since the older version wins.
     */
    private ThalassaConfig configOf(Snapshot s) {
        List<Item> frontends = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        Map<String, String> left = new TreeMap<>();
        for (Item item : s.items().values()) {
            try {
                Object value = parse(item);
                if (value instanceof Backend b) {
                    backends.add(b);
                } else {
                    frontends.add(item);
                }
            } catch (RuntimeException e) {
                left.put(item.id(), "version " + item.version() + " cannot be read: " + e.getMessage());
            }
        }
        ThalassaConfig config = ThalassaConfig.of(List.of(), backends);
        frontends.sort(java.util.Comparator.comparingLong(Item::version).thenComparing(Item::id));
        for (Item item : frontends) {
            try {
                config = config.withFrontend((Frontend) parse(item));
            } catch (IllegalArgumentException e) {
                left.put(item.id(), "version " + item.version() + " left out: " + e.getMessage());
            }
        }
        parsed.keySet().retainAll(s.items().keySet());
        if (!left.equals(state.skipped)) {
            Map<String, String> before = state.skipped;
            left.forEach((id, why) -> {
                if (!why.equals(before.get(id))) {
                    LOG.warn("fleet - {} {}", id, why);
                }
            });
            state.skipped = Map.copyOf(left);
        }
        return config;
    }

    private Object parse(Item item) {
        Parsed p = parsed.get(item.id());
        if (p != null && p.version() == item.version()) {
            return p.item();
        }
        Object value = Documents.item(item.id(), item.json());
        parsed.put(item.id(), new Parsed(item.version(), value));
        return value;
    }

    // ---- writing

    @Override
    public ThalassaConfig config() {
        return stack.config();
    }

    /**
     * {@inheritDoc}
     *
     * <p>In a fleet: the change is applied to what the store holds now, checked as this node's HAProxy would run it,
     * and written with check-and-set; it is answered once the store has it and this node runs it.
     *
     * @throws StoreUnavailableException when the store cannot be reached (nothing is written, or the outcome is
     *                                   unknown: the message says which)
     * @throws StoreConflictException    when other writers won the race on the same items every time
     */
    @Override
    public Written write(Edit edit, String by) {
        synchronized (lock) {
            for (int attempt = 1; ; attempt++) {
                Snapshot s;
                try {
                    s = store.readAll();
                } catch (StoreUnavailableException e) {
                    throw new StoreUnavailableException(storeName + " cannot be reached: nothing was written, every"
                            + " node keeps serving what it runs (" + e.getMessage() + ")", e);
                }
                state.stale = false;
                apply(s);
                ThalassaConfig base = withLocalMembers(configOf(s));
                Snapshot read = s;
                ThalassaConfig next = edit.apply(base, id -> versionOf(read, base, id));
                Map<String, String> puts = new TreeMap<>();
                List<String> deletes = new ArrayList<>();
                diff(base, next, puts, deletes);
                if (puts.isEmpty() && deletes.isEmpty()) {
                    return new Written(stack.config(), stack.controller().latestChange().orElse(null), 0, null,
                            versionsOf(s));
                }
                stack.validate(next); // the controller decides whether it is structural, and checks only then
                try {
                    commit(s, puts, deletes);
                } catch (StoreConflictException e) {
                    if (attempt >= WRITE_ATTEMPTS) {
                        throw e;
                    }
                    LOG.debug("fleet - {}; applying the change again to the newer state", e.getMessage());
                    continue;
                }
                Snapshot after = store.readAll();
                Written w;
                writing = by;
                try {
                    w = apply(after);
                } finally {
                    writing = null;
                }
                if (w != null) {
                    return new Written(w.config(), w.change(), after.index(), null, versionsOf(after));
                }
                // this node could not run it (see its failure); the store has it: answer what the store holds
                FleetState.Failure f = state.failure;
                return new Written(withLocalMembers(configOf(after)), null, after.index(), f == null
                        ? "this node does not run revision " + after.index() : f.message(), versionsOf(after));
            }
        }
    }

    private static Map<String, Long> versionsOf(Snapshot s) {
        Map<String, Long> out = new TreeMap<>();
        s.items().forEach((id, item) -> out.put(id, item.version()));
        return out;
    }

    /**
     * Writes {@code puts} and {@code deletes} with check-and-set on the versions {@code s} has for them: one commit of
     * the store (in Consul one KV transaction, all or nothing, for up to 64 items).
     */
    private void commit(Snapshot s, Map<String, String> puts, List<String> deletes) {
        List<ConfigStore.Write> writes = new ArrayList<>();
        for (Map.Entry<String, String> e : puts.entrySet()) {
            Item now = s.items().get(e.getKey());
            writes.add(new ConfigStore.Write(e.getKey(), e.getValue(), now == null ? ConfigStore.NEW : now.version()));
        }
        for (String id : deletes) {
            writes.add(new ConfigStore.Write(id, null, s.items().get(id).version()));
        }
        try {
            store.commit(writes);
        } catch (StoreUnavailableException e) {
            throw new StoreUnavailableException(storeName + " cannot be reached: the change may or may not have been"
                    + " written" + (writes.size() > store.maxItemsPerCommit() ? " (in part: it is more than one"
                    + " transaction)" : "") + "; read it back before trying again (" + e.getMessage() + ")", e);
        }
    }

    /** The items that differ between {@code base} and {@code next}, as the store keeps them. */
    private static void diff(ThalassaConfig base, ThalassaConfig next, Map<String, String> puts, List<String> deletes) {
        for (Frontend f : next.frontends().values()) {
            if (!f.equals(base.frontends().get(f.key()))) {
                puts.put(f.id(), Documents.text(f));
            }
        }
        for (Backend b : next.backends().values()) {
            Backend before = base.backends().get(b.key());
            if (before == null || !Documents.stored(before).equals(Documents.stored(b))) {
                puts.put(b.id(), Documents.text(Documents.stored(b)));
            }
        }
        for (Frontend f : base.frontends().values()) {
            if (!next.frontends().containsKey(f.key())) {
                deletes.add(f.id());
            }
        }
        for (Backend b : base.backends().values()) {
            if (!next.backends().containsKey(b.key())) {
                deletes.add(b.id());
            }
        }
    }

    /** {@code c} with the members this node's registry gave the dynamic backends it has with the same service. */
    private ThalassaConfig withLocalMembers(ThalassaConfig c) {
        ThalassaConfig local = stack.config();
        ThalassaConfig out = c;
        for (Backend b : c.backends().values()) {
            Backend running = local.backends().get(b.key());
            if (b.isDynamic() && running != null && running.isDynamic() && Documents.stored(running).equals(b)) {
                out = out.withMembers(b.key(), running.members());
            }
        }
        return out;
    }

    // ---- the fleet's state

    private void publishSoon() {
        try {
            background.execute(this::publish);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void publish() {
        cache.flush();
        state.publish();
    }

    @Override
    public Optional<Map<String, Object>> fleet() {
        return Optional.of(state.view());
    }

    @Override
    public Optional<Map<String, Object>> awaitFleet(long revision, Duration timeout) throws InterruptedException {
        return Optional.of(state.await(revision, timeout));
    }

    @Override
    public Optional<Map<String, Object>> fleetStatus() {
        return Optional.of(state.status());
    }

    @Override
    public void advertise(String apiUrl) {
        state.api(apiUrl);
        publishSoon();
    }

    /** The revision of the store this node runs. */
    public long appliedRevision() {
        return state.appliedRevision;
    }

    /** Whether this node serves a cached revision because the store could not be read since it started. */
    public boolean stale() {
        return state.stale;
    }

    @Override
    public Optional<String> fleetNode() {
        return Optional.of(state.node());
    }

    /** The one process's node under this fleet node. */
    public LocalNode stack() {
        return stack;
    }

    private void emit(Verb verb, String detail) {
        events.onEvent(ThalassaEvent.now(verb, "fleet", detail));
    }

    /** Stops watching, removes this node from the fleet, closes the stack; HAProxy keeps serving. */
    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        background.shutdownNow();
        cache.flush();
        store.close();
        stack.close();
        history.close();
    }

    /** Closes after a start that failed: a HAProxy this node started is stopped. */
    @Override
    public void abort() {
        if (watch != null) {
            watch.close();
        }
        background.shutdownNow();
        store.close();
        if (stack != null) {
            stack.abort();
        }
        history.close();
    }
}
