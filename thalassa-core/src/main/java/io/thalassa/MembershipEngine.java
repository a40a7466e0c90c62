package io.thalassa;

import io.thalassa.internal.Checks;
import io.thalassa.internal.EngineWatch;
import io.thalassa.internal.RemovalGuard;
import io.thalassa.spi.Registry;
import io.thalassa.internal.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every dynamic backend's members equal to the registry's instances of its service name and version, and
 * publishes the resulting desired state (what the HAProxy controller applies) to a sink.
 *
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.create();
 *      MembershipEngine engine = new MembershipEngine(registry, controller::apply)) {
 *     engine.update(ThalassaConfig.empty().withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()));
 *     // each registration of myapp 1.0.0 now reaches controller::apply as a member of backend "live"
 * }
 * }</pre>
 *
 * <ul>
 *   <li>It subscribes once per distinct service (name and version) that dynamic backends use, re-subscribes when a
 *       backend switches its version (a {@code versionSwitched} event), and unsubscribes when no backend uses a
 *       service anymore.</li>
 *   <li>A backend with a {@linkplain Backend#split() version split} is subscribed to every version of it; its members
 *       are the instances of every version with a weight above 0, each keeping its version (a version at 0 stays
 *       subscribed, its members leave and drain). A change of split is one {@code splitChanged} event naming the
 *       old and the new split; when a version of a split has no instance (its share goes to the others) or has
 *       instances again, a {@code splitShares} event says what each version serves.</li>
 *   <li>Members given in the base for dynamic backends are ignored; static backends are published as given.</li>
 *   <li>The sink is called on one engine thread, never concurrently, in order, only when the full configuration
 *       differs from the last one published. Member sets arriving while the sink is busy are coalesced: the next call
 *       carries the newest of them.</li>
 *   <li>A new subscription holds publication back until its first member set arrives (at most
 *       {@linkplain Builder#firstDeliveryTimeout(Duration) 2 s} by default), so a version switch swaps the pool in one
 *       step instead of passing through an empty backend.</li>
 *   <li>A registry update that would remove most of a service's members waits ({@link Builder#removalGuard}).</li>
 * </ul>
 * The engine does not own the registry: closing the engine closes its subscriptions, not the registry.
 */
public final class MembershipEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MembershipEngine.class);
    private static final String NAME = "membership";

    /** How long a new subscription may hold publication back by default. */
    public static final Duration DEFAULT_FIRST_DELIVERY_TIMEOUT = Duration.ofSeconds(2);
    /** The share of a service's members one registry update may remove without a hold, by default: 50%. */
    public static final int DEFAULT_MAX_REMOVAL_PCT = 50;
    /** How long mass removals are held by default. */
    public static final Duration DEFAULT_REMOVAL_HOLD = Duration.ofSeconds(30);
    /** How long {@link #update} waits for its publication by default. */
    public static final Duration DEFAULT_UPDATE_TIMEOUT = Duration.ofSeconds(60);

    private final Registry registry;
    private final Publisher sink;
    private final Duration firstDeliveryTimeout;
    private final Duration updateTimeout;
    private final RemovalGuard guard;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread engineThread;

    // Engine-thread state.
    private ThalassaConfig base = ThalassaConfig.empty();
    private ThalassaConfig composed = ThalassaConfig.empty();
    private final Map<EngineWatch.Key, EngineWatch> watches = new HashMap<>();
    private volatile Map<EngineWatch.Key, List<String>> backendsByService = Map.of();
    private final Map<String, String> sharesNote = new HashMap<>(); // backend key -> last splitShares detail
    private final List<CompletableFuture<Publication>> waiters = new ArrayList<>();
    private ScheduledFuture<?> gateCheck;

    // Shared with registry threads.
    private final Map<EngineWatch, Set<Member>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile ThalassaConfig published = ThalassaConfig.empty();

    /**
     * Where the engine hands each configuration it publishes, on its one thread; returns the id of the change that
     * carries it (for example {@code controller.apply(config).changeId()}), or 0 when it has none.
     */
    @FunctionalInterface
    public interface Publisher {
        /** Puts {@code config} in use; what it throws fails the updates waiting for this publication. */
        long publish(ThalassaConfig config);
    }

    /**
     * What an {@link #publish(ThalassaConfig) update} led to.
     *
     * @param config   the configuration published now (members of dynamic backends included)
     * @param changeId the id the {@link Publisher} gave the publication that carries the update, or 0 when the update
     *                 changed nothing that was published (the configuration equals the last one) or the publisher
     *                 has no ids
     */
    public record Publication(ThalassaConfig config, long changeId) {
    }

    /** An engine with the default timeouts and no listener. */
    public MembershipEngine(Registry registry, Consumer<ThalassaConfig> sink) {
        this(builder(registry, sink));
    }

    private MembershipEngine(Builder b) {
        this.registry = b.registry;
        this.sink = b.sink;
        this.firstDeliveryTimeout = b.firstDeliveryTimeout;
        this.updateTimeout = b.updateTimeout;
        this.guard = new RemovalGuard(b.maxRemovalPct, b.removalHold);
        this.listeners.addAll(b.listeners);
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "thalassa-membership");
            t.setDaemon(true);
            engineThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Starts building an engine.
     *
     * @param registry where the members of dynamic backends come from
     * @param sink     receives every new desired state, on the engine thread
     */
    public static Builder builder(Registry registry, Consumer<ThalassaConfig> sink) {
        Checks.notNull("sink", sink);
        return new Builder(Checks.notNull("registry", registry), config -> {
            sink.accept(config);
            return 0;
        });
    }

    /**
     * Starts building an engine whose publisher says which change carries each publication, so that
     * {@link #publish(ThalassaConfig)} can tell its caller.
     *
     * @param registry  where the members of dynamic backends come from
     * @param publisher receives every new desired state, on the engine thread
     */
    public static Builder publishing(Registry registry, Publisher publisher) {
        return new Builder(Checks.notNull("registry", registry), Checks.notNull("publisher", publisher));
    }

    /**
     * Sets the desired frontends and backends, subscribing and unsubscribing as needed, and waits until the
     * resulting configuration has been published (or found equal to the last one).
     *
     * @param base the desired state; members of its dynamic backends are ignored
     * @return the configuration now published
     * @throws IllegalArgumentException when base is null
     * @throws IllegalStateException    when the engine is closed, or the publication did not finish within the update
     *                                  timeout
     * @throws RuntimeException         what the sink or the registry threw for this update; the base stays set and the
     *                                  next change publishes again
     */
    public ThalassaConfig update(ThalassaConfig base) {
        return publish(base).config();
    }

    /**
     * {@link #update}, answering also which change of the publisher carries it.
     *
     * @throws IllegalArgumentException when base is null
     * @throws IllegalStateException    when the engine is closed, or the publication did not finish within the update
     *                                  timeout
     */
    public Publication publish(ThalassaConfig base) {
        Checks.notNull("base", base);
        ensureOpen();
        CompletableFuture<Publication> done = new CompletableFuture<>();
        if (Thread.currentThread() == engineThread) {
            applyBase(base, done);
            return done.getNow(new Publication(published, 0));
        }
        try {
            executor.execute(() -> {
                try {
                    applyBase(base, done);
                } catch (RuntimeException e) {
                    log.warn("{} - update failed", NAME, e);
                    waiters.remove(done);
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the membership engine is closed", e);
        }
        try {
            return done.get(updateTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("membership update failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("membership update was not published within " + updateTimeout
                    + "; is the sink stuck?", e);
        } catch (CancellationException e) {
            throw new IllegalStateException("the membership engine was closed during the update", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the membership update", e);
        }
    }

    /** The configuration last handed to the sink (empty before the first publication). */
    public ThalassaConfig current() {
        return published;
    }

    /** The services currently subscribed to, as {@code name@version}, sorted. */
    public Set<String> subscribedServices() {
        Set<String> out = new TreeSet<>();
        for (EngineWatch.Key k : Set.copyOf(backendsByService.keySet())) {
            out.add(k.name() + "@" + k.version());
        }
        return out;
    }

    /** Receives {@code versionSwitched}, {@code splitChanged} and {@code splitShares} events, on the engine thread. */
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
    }

    /** Closes every subscription and stops the engine thread; safe to call twice. Does not close the registry. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() == engineThread) {
            closeWatches();
            executor.shutdown();
            return;
        }
        try {
            executor.execute(this::closeWatches);
        } catch (RejectedExecutionException e) {
            closeWatches();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("{} - engine thread did not stop within 5 s (is the sink stuck?)", NAME);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeWatches() {
        for (EngineWatch w : watches.values()) {
            w.close();
        }
        watches.clear();
        pending.clear();
        for (CompletableFuture<Publication> f : waiters) {
            f.cancel(false);
        }
        waiters.clear();
    }

    private void ensureOpen() {
        Checks.state(!closed.get(), "the membership engine is closed");
    }

    // --- engine thread ---

    private void applyBase(ThalassaConfig next, CompletableFuture<Publication> done) {
        if (closed.get()) {
            done.cancel(false);
            return;
        }
        waiters.add(done);
        ThalassaConfig old = base;
        Map<EngineWatch.Key, List<String>> byService = new LinkedHashMap<>();
        for (Backend b : next.backends().values()) {
            if (!b.isDynamic()) {
                continue;
            }
            for (String version : b.serviceVersions()) {
                byService.computeIfAbsent(new EngineWatch.Key(b.serviceName(), version), k -> new ArrayList<>())
                        .add(b.key());
            }
            Backend before = old.backends().get(b.key());
            if (before != null && before.isDynamic()
                    && !before.serviceDescription().equals(b.serviceDescription())) {
                boolean split = before.split().isPresent() || b.split().isPresent();
                emit(split ? ThalassaEvent.Verb.SPLIT_CHANGED : ThalassaEvent.Verb.VERSION_SWITCHED, b.id(),
                        before.serviceDescription() + " -> " + b.serviceDescription());
            }
        }
        List<EngineWatch> added = new ArrayList<>();
        try {
            for (EngineWatch.Key key : byService.keySet()) {
                if (!watches.containsKey(key)) {
                    EngineWatch w = new EngineWatch(key, System.nanoTime() + firstDeliveryTimeout.toNanos());
                    watches.put(key, w);
                    added.add(w);
                    w.subscription = registry.subscribe(key.name(), key.version(), set -> offer(w, set));
                }
            }
        } catch (RuntimeException e) {
            for (EngineWatch w : added) {
                watches.remove(w.key);
                w.close();
            }
            waiters.remove(done);
            log.warn("{} - could not subscribe: {}", NAME, e.toString());
            done.completeExceptionally(e);
            return;
        }
        for (Iterator<Map.Entry<EngineWatch.Key, EngineWatch>> it = watches.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<EngineWatch.Key, EngineWatch> e = it.next();
            if (!byService.containsKey(e.getKey())) {
                e.getValue().close();
                pending.remove(e.getValue());
                it.remove();
                log.debug("{} - unsubscribed from {}@{}", NAME, e.getKey().name(), e.getKey().version());
            }
        }
        base = next;
        backendsByService = byService;
        composed = next;
        sharesNote.keySet().retainAll(next.backends().keySet());
        for (Backend b : next.backends().values()) {
            if (b.isDynamic()) {
                compose(b.key());
            }
        }
        publishComposed();
    }

    /** Called by registry threads: keeps the newest set per watch and schedules one drain. */
    private void offer(EngineWatch w, Set<Member> set) {
        if (closed.get() || w.closed) {
            return;
        }
        pending.put(w, set == null ? Set.of() : set);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false);
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        try {
            drainPending();
        } catch (RuntimeException e) {
            log.warn("{} - applying member sets failed", NAME, e);
        }
    }

    private void drainPending() {
        boolean any = false;
        for (EngineWatch w : List.copyOf(pending.keySet())) {
            Set<Member> set = pending.remove(w);
            if (set == null || w.closed || watches.get(w.key) != w) {
                continue;
            }
            boolean first = !w.delivered;
            w.delivered = true;
            if (use(w, guard.offer(w.held, w.members, EngineWatch.byAddress(set), first)) || first) {
                any = true;
                composeAll(w);
            }
        }
        if (any) {
            publishComposed();
        }
    }

    /** Puts a guard's decision in use for one watch: its members, its event, its recheck; whether it changed. */
    private boolean use(EngineWatch w, RemovalGuard.Decision d) {
        if (d.verb() != null) {
            for (String backendKey : backendsByService.getOrDefault(w.key, List.of())) {
                emit(d.verb(), Backend.idOf(backendKey), w.key.name() + "@" + w.key.version() + ": " + d.detail());
            }
        }
        if (d.recheck()) {
            executor.schedule(() -> recheck(w), guard.hold().toNanos(), TimeUnit.NANOSECONDS);
        }
        List<Member> before = w.members;
        return !(w.members = d.members()).equals(before);
    }

    private void composeAll(EngineWatch w) {
        for (String backendKey : backendsByService.getOrDefault(w.key, List.of())) {
            compose(backendKey);
        }
    }

    /** The removal hold of a watch is over: the newest delivery decides. */
    private void recheck(EngineWatch w) {
        if (closed.get() || w.closed || watches.get(w.key) != w) {
            return;
        }
        RemovalGuard.Decision d = guard.expire(w.held);
        if (d != null && use(w, d)) {
            composeAll(w);
            publishComposed();
        }
    }

    private void publishComposed() {
        long now = System.nanoTime();
        long waitUntil = Long.MIN_VALUE;
        for (EngineWatch w : watches.values()) {
            if (!w.delivered && now - w.deadline < 0) {
                waitUntil = Math.max(waitUntil, w.deadline);
            } else if (!w.delivered && !w.timedOut) {
                w.timedOut = true;
                log.warn("{} - no member set for {}@{} within {} ms; publishing it without members", NAME, w.key.name(),
                        w.key.version(), firstDeliveryTimeout.toMillis());
            }
        }
        if (waitUntil != Long.MIN_VALUE) {
            if (gateCheck == null || gateCheck.isDone()) {
                gateCheck = executor.schedule(this::publishComposed, waitUntil - now, TimeUnit.NANOSECONDS);
            }
            return;
        }
        ThalassaConfig next = composed;
        long change = 0;
        if (!next.equals(published)) {
            try {
                change = sink.publish(next);
                published = next;
            } catch (RuntimeException e) {
                log.warn("{} - the sink rejected the configuration: {}", NAME, e.toString());
                failWaiters(e);
                return;
            }
        }
        Publication done = new Publication(published, change);
        for (CompletableFuture<Publication> f : waiters) {
            f.complete(done);
        }
        waiters.clear();
    }

    private void failWaiters(RuntimeException e) {
        for (CompletableFuture<Publication> f : waiters) {
            f.completeExceptionally(e);
        }
        waiters.clear();
    }

    /**
     * Sets the members of one dynamic backend of the base from its watches: the instances of its version, or of every
     * version of its split with a weight above 0 (an address registered under two versions counts once, under the
     * first in version order).
     */
    private void compose(String backendKey) {
        Backend b = base.backends().get(backendKey);
        if (b == null || !b.isDynamic()) {
            return;
        }
        TreeMap<String, Member> unique = new TreeMap<>();
        Map<String, Integer> instances = new TreeMap<>();
        for (String version : b.serviceVersions()) {
            EngineWatch w = watches.get(new EngineWatch.Key(b.serviceName(), version));
            List<Member> members = w == null ? List.of() : w.members;
            instances.put(version, members.size());
            if (!b.servesVersion(version)) {
                continue;
            }
            for (Member m : members) {
                unique.putIfAbsent(m.address(), m);
            }
        }
        List<Member> out = new ArrayList<>(unique.values());
        out.sort(Member.BY_ADDRESS);
        composed = composed.withMembers(backendKey, out);
        if (b.split().isPresent()) {
            noteShares(b, b.split().get(), instances);
        } else {
            sharesNote.remove(backendKey);
        }
    }

    /** A {@code splitShares} event when what the versions of a split serve changes because of missing instances. */
    private void noteShares(Backend b, VersionSplit split, Map<String, Integer> instances) {
        for (String version : split.weights().keySet()) {
            EngineWatch w = watches.get(new EngineWatch.Key(b.serviceName(), version));
            if (w == null || !(w.delivered || w.timedOut)) {
                return;
            }
        }
        String note = SplitWeights.describe(split, instances);
        String last = sharesNote.put(b.key(), note);
        if (!note.equals(last) && (last != null || !note.startsWith("as split"))) {
            emit(ThalassaEvent.Verb.SPLIT_SHARES, b.id(), note);
        }
    }

    private void emit(ThalassaEvent.Verb verb, String object, String detail) {
        ThalassaEvent e = ThalassaEvent.now(verb, object, detail);
        log.info("{} - {} {}: {}", NAME, verb.wireName(), object, detail);
        Events.deliver(listeners, e, log, NAME);
    }

    /** Fluent builder of a {@link MembershipEngine}. */
    public static final class Builder {
        private final Registry registry;
        private final Publisher sink;
        private final List<ThalassaEvent.Listener> listeners = new ArrayList<>();
        private Duration firstDeliveryTimeout = DEFAULT_FIRST_DELIVERY_TIMEOUT;
        private Duration updateTimeout = DEFAULT_UPDATE_TIMEOUT;
        private int maxRemovalPct = DEFAULT_MAX_REMOVAL_PCT;
        private Duration removalHold = DEFAULT_REMOVAL_HOLD;

        private Builder(Registry registry, Publisher sink) {
            this.registry = registry;
            this.sink = sink;
        }

        /** Receives {@code versionSwitched}, {@code splitChanged} and {@code splitShares} events. */
        public Builder listener(ThalassaEvent.Listener listener) {
            listeners.add(Checks.notNull("listener", listener));
            return this;
        }

        /**
         * How long a new subscription may hold publication back waiting for its first member set; default 2 s.
         *
         * @throws IllegalArgumentException when not in 0..60 s
         */
        public Builder firstDeliveryTimeout(Duration timeout) {
            this.firstDeliveryTimeout = Checks.duration("firstDeliveryTimeout", timeout, Duration.ZERO,
                    Duration.ofSeconds(60));
            return this;
        }

        /**
         * How long {@link MembershipEngine#update} waits for its publication; default 60 s.
         *
         * @throws IllegalArgumentException when not in 1 ms..1 h
         */
        public Builder updateTimeout(Duration timeout) {
            this.updateTimeout = Checks.duration("updateTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /**
         * The guard against mass removals: when one registry update would remove more than {@code maxRemovalPct}
         * percent of a service's members in use, and at least two, the removals wait {@code hold} (additions go on;
         * a {@code removalHeld} event); then the registry's newest answer decides ({@code removalConfirmed} or
         * {@code removalCancelled}). Default 50% and 30 s; 100 or a zero hold turns it off.
         *
         * @throws IllegalArgumentException naming {@code maxRemovalPct} when not in 0..100, or {@code removalHold}
         *                                  when not in 0..1 h
         */
        public Builder removalGuard(int maxRemovalPct, Duration hold) {
            if (maxRemovalPct < 0 || maxRemovalPct > 100) {
                throw new InvalidValueException("maxRemovalPct", maxRemovalPct, "maxRemovalPct must be in 0..100: "
                        + maxRemovalPct);
            }
            this.removalHold = Checks.duration("removalHold", hold, Duration.ZERO, Duration.ofHours(1));
            this.maxRemovalPct = maxRemovalPct;
            return this;
        }

        public MembershipEngine build() {
            return new MembershipEngine(this);
        }
    }
}
