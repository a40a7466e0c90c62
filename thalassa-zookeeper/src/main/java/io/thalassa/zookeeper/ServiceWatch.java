package io.thalassa.zookeeper;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.internal.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members of one service name, for every version subscribed: one Curator {@link CuratorCache} on
 * {@code <basePath>/<name>}, whose direct children are instances.
 *
 * <p>Member sets are computed on the registry's delivery thread from the cache, after every change (coalesced), and
 * handed to each subscription whose version's set changed. While the registry is disconnected, and after a reconnect
 * until the cache has caught up with ZooKeeper, the watch <em>holds</em>: nothing is computed or delivered, the last
 * sets stay. The catch-up is judged against a reference read after the reconnect (the children of the service znode
 * and its {@code pzxid}): the cache has caught up when it holds every child the reference lists, and every other
 * child it holds was created after the reference (a younger {@code czxid} than the reference's {@code pzxid}), so no
 * child removed during the outage is still held and no child added is still missing.
 *
 * <p>A member whose znode is deleted stays for the removal grace, and stays on when its znode is back by then: Curator's
 * {@code ServiceDiscovery} (Spring Cloud's too) deletes and re-creates each of its instances whenever its client
 * reconnects, which would otherwise take every instance of that client out and in again, and all of them at once
 * after a server restart. A znode the registry itself deleted (a deregistration, an expired TTL) leaves at once.
 */
final class ServiceWatch {
    private static final Logger log = LoggerFactory.getLogger(ServiceWatch.class);

    /** What a reconnect read of the service znode found. */
    record Reference(Set<String> children, long pzxid) {
        /** The service znode does not exist: every child the cache still holds must go first. */
        static Reference absent() {
            return new Reference(Set.of(), Long.MAX_VALUE);
        }
    }

    /** One subscription to one version. */
    static final class Sub {
        final String version;
        final Delivery delivery;
        Set<Member> last; // delivery thread only

        Sub(String version, Consumer<Set<Member>> consumer) {
            this.version = version;
            this.delivery = new Delivery(consumer);
        }

        /** Waits for a delivery in progress (unless called from it), so none happens after close returns. */
        void close() {
            delivery.close();
        }
    }

    /** What one child parsed to, kept while its {@code mzxid} stays. */
    private record Parsed(long mzxid, Member member, String problem) {
    }

    final String name;
    final String path;
    private final String versionKey;
    private final String label;
    private final CuratorCache cache;
    private final Consumer<Runnable> delivery;
    private final BiConsumer<Runnable, Duration> later;
    private final Consumer<ThalassaEvent> events;
    private final Duration removalGrace;
    private final Predicate<String> deletedByRegistry;
    final List<Sub> subs = new CopyOnWriteArrayList<>();
    private final AtomicBoolean recomputeScheduled = new AtomicBoolean();

    private final Object lock = new Object();
    private boolean initialized;   // guarded by lock; the cache's first full read is done
    private boolean holding;       // guarded by lock
    private long holdOutage;       // guarded by lock; the outage the hold is for
    private Reference reference;   // guarded by lock; null until read after the reconnect
    private volatile boolean closed;

    // delivery thread only
    private volatile Map<String, Set<Member>> byVersion; // null until first computed; kept while holding
    private Set<String> lastKeys;
    private final Map<String, Parsed> parsed = new HashMap<>();
    private Map<String, Member> shown = Map.of();                  // by child: the members last computed
    private final Map<String, Long> leavingSince = new HashMap<>(); // by child: when its znode was seen gone

    /**
     * @param delivery          runs a task on the delivery thread
     * @param later             runs a task after a delay, on some thread
     * @param deletedByRegistry whether a znode path was just deleted by the registry itself (asking consumes it)
     */
    ServiceWatch(CuratorFramework curator, String basePath, String name, String versionKey, String label,
            Duration removalGrace, Consumer<Runnable> delivery, BiConsumer<Runnable, Duration> later,
            Predicate<String> deletedByRegistry, Consumer<ThalassaEvent> events) {
        this.name = name;
        this.path = ZKPaths.makePath(basePath, name);
        this.versionKey = versionKey;
        this.label = label;
        this.removalGrace = removalGrace;
        this.delivery = delivery;
        this.later = later;
        this.deletedByRegistry = deletedByRegistry;
        this.events = events;
        this.cache = CuratorCache.builder(curator, path)
                .withExceptionHandler(e -> log.debug("{} - cache of {}: {}", label, path, e.toString())).build();
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> changed())
                .forInitialized(this::initialized)
                .build());
    }

    /** Starts the cache; when {@code outage} is not 0 the registry is disconnected now, and the watch holds. */
    void start(long outage) {
        if (outage != 0) {
            hold(outage);
        }
        cache.start();
    }

    /** The connection was lost: keep the sets until {@link #reference} finds the cache caught up. */
    void hold(long outage) {
        synchronized (lock) {
            holding = true;
            holdOutage = outage;
            reference = null;
        }
    }

    boolean isHolding(long outage) {
        synchronized (lock) {
            return holding && holdOutage == outage;
        }
    }

    /** A read of the service znode after the reconnect that ends {@code outage}; releases the hold if caught up. */
    void reference(long outage, Reference ref) {
        synchronized (lock) {
            if (!holding || holdOutage != outage) {
                return;
            }
            reference = ref;
        }
        tryRelease();
    }

    /** Ends the hold of {@code outage} whether or not the cache has caught up. */
    void release(long outage) {
        synchronized (lock) {
            if (!holding || holdOutage != outage) {
                return;
            }
            holding = false;
            reference = null;
        }
        scheduleRecompute();
    }

    private void tryRelease() {
        synchronized (lock) {
            if (!holding || reference == null || !initialized || !caughtUp(reference)) {
                return;
            }
            holding = false;
            reference = null;
        }
        log.debug("{} - cache of {} caught up after the reconnect", label, path);
        scheduleRecompute();
    }

    private boolean caughtUp(Reference ref) {
        Map<String, ChildData> held = children();
        for (String child : ref.children()) {
            if (!held.containsKey(child)) {
                return false;
            }
        }
        for (Map.Entry<String, ChildData> e : held.entrySet()) {
            if (!ref.children().contains(e.getKey()) && e.getValue().getStat().getCzxid() <= ref.pzxid()) {
                return false;
            }
        }
        return true;
    }

    /** The cache's direct children of the service znode, by znode name. */
    private Map<String, ChildData> children() {
        Map<String, ChildData> out = new HashMap<>();
        cache.stream().forEach(d -> {
            ZKPaths.PathAndNode pn = ZKPaths.getPathAndNode(d.getPath());
            if (pn.getPath().equals(path) && d.getStat() != null) {
                out.put(pn.getNode(), d);
            }
        });
        return out;
    }

    private void initialized() {
        synchronized (lock) {
            initialized = true;
        }
        log.debug("{} - cache of {} read", label, path);
        changed();
    }

    private void changed() {
        boolean hold;
        boolean ready;
        synchronized (lock) {
            hold = holding;
            ready = initialized;
        }
        if (hold) {
            tryRelease();
        } else if (ready) {
            scheduleRecompute();
        }
    }

    private void scheduleRecompute() {
        if (!closed && recomputeScheduled.compareAndSet(false, true)) {
            delivery.accept(this::recompute);
        }
    }

    /** On the delivery thread: the member sets from the cache, then the changed ones to their subscriptions. */
    private void recompute() {
        recomputeScheduled.set(false);
        synchronized (lock) {
            if (closed || holding || !initialized) {
                return;
            }
        }
        Map<String, ChildData> children = children();
        parsed.keySet().retainAll(children.keySet());
        Map<String, Member> next = new HashMap<>();
        for (Map.Entry<String, ChildData> e : children.entrySet()) {
            Parsed p = parse(e.getKey(), e.getValue());
            if (p.member != null) {
                next.put(e.getKey(), p.member);
            }
        }
        keepLeaving(children.keySet(), next);
        shown = next;
        Map<String, Set<Member>> sets = new HashMap<>();
        Set<String> keys = new TreeSet<>();
        for (Map.Entry<String, Member> e : next.entrySet()) {
            sets.computeIfAbsent(e.getValue().version(), v -> new HashSet<>()).add(e.getValue());
            keys.add(e.getValue().id() + "@" + e.getKey());
        }
        Map<String, Set<Member>> frozen = new HashMap<>();
        sets.forEach((v, s) -> frozen.put(v, Set.copyOf(s)));
        if (lastKeys != null) {
            for (String k : keys) {
                if (!lastKeys.contains(k)) {
                    events.accept(ThalassaEvent.now(ThalassaEvent.Verb.ONLINE, k.substring(0, k.indexOf('@')),
                            "registered in " + label + " as " + path + "/" + k.substring(k.indexOf('@') + 1)));
                }
            }
            for (String k : lastKeys) {
                if (!keys.contains(k)) {
                    events.accept(ThalassaEvent.now(ThalassaEvent.Verb.OFFLINE, k.substring(0, k.indexOf('@')),
                            "left " + label + " (" + path + "/" + k.substring(k.indexOf('@') + 1) + ")"));
                }
            }
        }
        lastKeys = keys;
        byVersion = frozen;
        for (Sub s : subs) {
            deliver(s);
        }
    }

    /**
     * Adds to {@code next} the members shown before whose znode is gone since less than the removal grace (and not
     * deleted by the registry itself), and asks for a recompute when the first of them is due to leave.
     */
    private void keepLeaving(Set<String> present, Map<String, Member> next) {
        leavingSince.keySet().retainAll(shown.keySet());
        leavingSince.keySet().removeAll(present);
        if (removalGrace.isZero()) {
            return;
        }
        long now = System.nanoTime();
        long due = Long.MAX_VALUE;
        for (Map.Entry<String, Member> e : shown.entrySet()) {
            String child = e.getKey();
            if (present.contains(child)) {
                continue;
            }
            if (!leavingSince.containsKey(child) && deletedByRegistry.test(ZKPaths.makePath(path, child))) {
                continue; // deregistered or expired here: leaves at once
            }
            long since = leavingSince.computeIfAbsent(child, c -> now);
            long left = removalGrace.toNanos() - (now - since);
            if (left > 0) {
                next.put(child, e.getValue());
                due = Math.min(due, left);
            } else {
                leavingSince.remove(child);
            }
        }
        if (due != Long.MAX_VALUE) {
            later.accept(this::scheduleRecompute, Duration.ofNanos(due).plusMillis(1));
        }
    }

    private Parsed parse(String child, ChildData data) {
        long mzxid = data.getStat().getMzxid();
        Parsed p = parsed.get(child);
        if (p != null && p.mzxid == mzxid) {
            return p;
        }
        try {
            ServiceInstanceJson.Instance instance = ServiceInstanceJson.parse(data.getData());
            if (!instance.enabled()) {
                p = new Parsed(mzxid, null, "disabled");
                log.info("{} - {}/{} is disabled (\"enabled\": false): no member", label, path, child);
            } else if (instance.version(versionKey) == null) {
                p = new Parsed(mzxid, null, "no version");
                log.info("{} - {}/{} has no {} in its metadata: a member of no version", label, path, child,
                        versionKey);
            } else {
                p = new Parsed(mzxid, instance.toMember(name, versionKey,
                        Instant.ofEpochMilli(data.getStat().getMtime())), null);
            }
        } catch (IllegalArgumentException e) {
            p = new Parsed(mzxid, null, e.getMessage());
            log.warn("{} - ignoring {}/{}: {}", label, path, child, e.getMessage());
            if (e instanceof io.thalassa.InvalidValueException iv && (iv.field().equals("host")
                    || iv.field().equals("port"))) { // once per version of the znode: parses are kept by mzxid
                events.accept(ThalassaEvent.now(ThalassaEvent.Verb.MEMBER_REJECTED, path + "/" + child, "left out of "
                        + name + ", every other instance goes on: " + e.getMessage()));
            }
        }
        parsed.put(child, p);
        return p;
    }

    /** On the delivery thread: hands the newest set of the sub's version over, if it changed. */
    void deliver(Sub s) {
        Map<String, Set<Member>> current = byVersion;
        if (current == null || s.delivery.isClosed()) {
            return;
        }
        Set<Member> set = current.getOrDefault(s.version, Set.of());
        if (!set.equals(s.last)) {
            s.last = set;
            s.delivery.deliver(set, log, label + " - subscriber of " + name + "@" + s.version);
        }
    }

    /** Stops the cache and every subscription; safe twice. */
    void close() {
        closed = true;
        for (Sub s : new ArrayList<>(subs)) {
            s.close();
        }
        cache.close();
    }
}
