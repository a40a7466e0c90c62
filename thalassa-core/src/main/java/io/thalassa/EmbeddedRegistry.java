package io.thalassa;

import io.thalassa.internal.Checks;
import io.thalassa.internal.Delivery;
import io.thalassa.internal.RegistryStateFile;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import io.thalassa.internal.Events;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry in the process itself, the default when no Consul is configured: instances register
 * {@code /name/version/host/port} with meta and a TTL, refresh by registering again, and leave when the TTL runs out
 * (checked every 200 ms by default, so an expired instance leaves within a second).
 *
 * <p>With a {@linkplain Builder#stateFile(Path) state file}, every change is written to it atomically and the
 * registrations come back with their remaining TTL when the process restarts.
 *
 * <pre>{@code
 * try (EmbeddedRegistry registry = EmbeddedRegistry.builder().stateFile(Path.of("/var/lib/thalassa/registry")).build()) {
 *     registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", 8080, Map.of("secondsToExpire", 30),
 *             Registration.parseSecondsToExpire(30)));
 * }
 * }</pre>
 *
 * <p>Subscribers get the full member set right after {@link #subscribe} and after every registration, refresh,
 * deregistration or expiry under their name and version, on one delivery thread, never while a lock of the registry is
 * held. Events ({@code online}, {@code offline}) go to listeners on the same thread.
 */
public final class EmbeddedRegistry implements Registry {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRegistry.class);
    private static final String NAME = "embedded registry";

    /** How often expired registrations are removed by default. */
    public static final Duration DEFAULT_REAPER_INTERVAL = Duration.ofMillis(200);

    private final Clock clock;
    private final Duration reaperInterval;
    private final Path stateFile;
    private final Instant since;

    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<String, Registration> registrations = new TreeMap<>();
    private final Map<ServiceKey, List<Watch>> watches = new HashMap<>();
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();

    private final ExecutorService delivery;
    private final ScheduledExecutorService background;
    private final AtomicBoolean writeScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRegistry(Builder b) {
        this.clock = b.clock;
        this.reaperInterval = b.reaperInterval;
        this.stateFile = b.stateFile;
        this.since = clock.instant();
        if (stateFile != null) {
            Instant now = clock.instant();
            int dropped = 0;
            for (Registration r : RegistryStateFile.read(stateFile)) {
                if (r.expiresAt().isAfter(now)) {
                    registrations.put(r.id(), r);
                } else {
                    dropped++;
                }
            }
            log.info("{} - read {} registrations from {} ({} had expired)", NAME, registrations.size(), stateFile,
                    dropped);
        }
        this.delivery = Executors.newSingleThreadExecutor(daemon("thalassa-embedded-registry-delivery"));
        this.background = Executors.newSingleThreadScheduledExecutor(daemon("thalassa-embedded-registry-reaper"));
        long every = reaperInterval.toNanos();
        background.scheduleWithFixedDelay(this::reapSafely, every, every, TimeUnit.NANOSECONDS);
    }

    /** A registry with no state file, the system clock and the default reaper interval. */
    public static EmbeddedRegistry create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        ServiceKey key = new ServiceKey(Checks.servicePart("name", name), Checks.servicePart("version", version));
        Checks.notNull("members", members);
        Watch w = new Watch(key, members);
        lock.lock();
        try {
            ensureOpen();
            watches.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
            w.offer(membersOf(key));
        } finally {
            lock.unlock();
        }
        return () -> {
            w.close();
            lock.lock();
            try {
                List<Watch> list = watches.get(key);
                if (list != null) {
                    list.remove(w);
                    if (list.isEmpty()) {
                        watches.remove(key);
                    }
                }
            } finally {
                lock.unlock();
            }
        };
    }

    /**
     * Registers an instance now (its {@code lastKnown} becomes the registry's clock time), or refreshes it with the
     * new TTL and meta. A new instance produces an {@code online} event.
     *
     * @throws IllegalStateException when the registry is closed
     */
    @Override
    public void register(Registration registration) {
        Checks.notNull("registration", registration);
        lock.lock();
        try {
            ensureOpen();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Registration r = new Registration(registration.name(), registration.version(), registration.host(),
                    registration.port(), registration.meta(), registration.ttl(), now);
            Registration previous = registrations.put(r.id(), r);
            if (previous == null) {
                event(ThalassaEvent.Verb.ONLINE, r.id(), "registered with a TTL of " + r.ttl().toSeconds() + " s");
            }
            changed(new ServiceKey(r.name(), r.version()));
        } finally {
            lock.unlock();
        }
        scheduleWrite();
    }

    @Override
    public boolean deregister(String name, String version, String host, int port) {
        String id = Member.idOf(Checks.servicePart("name", name), Checks.servicePart("version", version),
                Checks.host("host", host), Checks.port("port", port));
        Registration removed;
        lock.lock();
        try {
            ensureOpen();
            removed = registrations.remove(id);
            if (removed != null) {
                event(ThalassaEvent.Verb.OFFLINE, id, "deregistered");
                changed(new ServiceKey(name, version));
            }
        } finally {
            lock.unlock();
        }
        if (removed != null) {
            scheduleWrite();
        }
        return removed != null;
    }

    @Override
    public List<Registration> registrations(String name, String version) {
        lock.lock();
        try {
            List<Registration> out = new ArrayList<>();
            for (Registration r : registrations.values()) {
                if ((name == null || name.equals(r.name())) && (version == null || version.equals(r.version()))) {
                    out.add(r);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Always connected: the registry is in the process. */
    /** {@code embedded}. */
    @Override
    public String kind() {
        return "embedded";
    }

    @Override
    public RegistryHealth health() {
        return RegistryHealth.connected(since);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
    }

    /** The state file, or null when the registrations live in memory only. */
    public Path stateFile() {
        return stateFile;
    }

    /** Stops the reaper and the deliveries and writes the state file a last time; safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        background.shutdownNow();
        delivery.shutdown();
        try {
            background.awaitTermination(5, TimeUnit.SECONDS);
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        delivery.shutdownNow();
        writeState();
    }

    /** Removes the registrations whose TTL ran out; runs every reaper interval. */
    void reap() {
        Set<ServiceKey> changed = new LinkedHashSet<>();
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Iterator<Registration> it = registrations.values().iterator(); it.hasNext(); ) {
                Registration r = it.next();
                if (!r.expiresAt().isAfter(now)) {
                    it.remove();
                    event(ThalassaEvent.Verb.OFFLINE, r.id(), "expired: no refresh within " + r.ttl().toSeconds()
                            + " s");
                    changed.add(new ServiceKey(r.name(), r.version()));
                }
            }
            for (ServiceKey key : changed) {
                changed(key);
            }
        } finally {
            lock.unlock();
        }
        if (!changed.isEmpty()) {
            scheduleWrite();
        }
    }

    private void reapSafely() {
        try {
            reap();
        } catch (RuntimeException e) {
            log.warn("{} - reaper failed, retrying in {} ms", NAME, reaperInterval.toMillis(), e);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the embedded registry is closed");
        }
    }

    /** Called with the lock held: hands the new member set to every watch of the key. */
    private void changed(ServiceKey key) {
        List<Watch> list = watches.get(key);
        if (list == null || list.isEmpty()) {
            return;
        }
        Set<Member> set = membersOf(key);
        for (Watch w : list) {
            w.offer(set);
        }
    }

    /** Called with the lock held. */
    private Set<Member> membersOf(ServiceKey key) {
        String prefix = "/" + key.name + "/" + key.version + "/";
        Set<Member> set = new LinkedHashSet<>();
        for (Registration r : registrations.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
            set.add(r.toMember());
        }
        return Set.copyOf(set);
    }

    /** Called with the lock held, so events keep the order of the changes; delivered on the delivery thread. */
    private void event(ThalassaEvent.Verb verb, String object, String detail) {
        if (listeners.isEmpty()) {
            return;
        }
        ThalassaEvent e = new ThalassaEvent(clock.instant(), verb, object, detail);
        execute(() -> Events.deliver(listeners, e, log, NAME));
    }

    private void execute(Runnable task) {
        try {
            delivery.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("{} - closed, dropping a delivery", NAME);
        }
    }

    private void scheduleWrite() {
        if (stateFile == null || closed.get() || !writeScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(this::writeState);
        } catch (RejectedExecutionException e) {
            writeScheduled.set(false);
        }
    }

    private void writeState() {
        if (stateFile == null) {
            return;
        }
        writeScheduled.set(false);
        List<Registration> snapshot;
        lock.lock();
        try {
            snapshot = new ArrayList<>(registrations.values());
        } finally {
            lock.unlock();
        }
        try {
            RegistryStateFile.write(stateFile, snapshot);
        } catch (IOException | RuntimeException e) {
            log.warn("{} - could not write the state file {}: {}", NAME, stateFile, e.toString());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private record ServiceKey(String name, String version) {
    }

    /** One subscription: keeps only the newest undelivered set, and delivers in order on the delivery thread. */
    private final class Watch {
        private final ServiceKey key;
        private final Delivery delivery;
        private final AtomicReference<Set<Member>> pending = new AtomicReference<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Watch(ServiceKey key, Consumer<Set<Member>> consumer) {
            this.key = key;
            this.delivery = new Delivery(consumer);
        }

        void offer(Set<Member> set) {
            pending.set(set);
            if (scheduled.compareAndSet(false, true)) {
                execute(this::drain);
            }
        }

        private void drain() {
            scheduled.set(false);
            Set<Member> set = pending.getAndSet(null);
            if (set != null) {
                delivery.deliver(set, log, NAME + " - subscriber of " + key.name + "@" + key.version);
            }
        }

        /** Waits for a delivery in progress (unless called from it), so none happens after close returns. */
        void close() {
            delivery.close();
        }
    }

    /** Fluent builder of an {@link EmbeddedRegistry}. */
    public static final class Builder {
        private Path stateFile;
        private Clock clock = Clock.systemUTC();
        private Duration reaperInterval = DEFAULT_REAPER_INTERVAL;

        private Builder() {
        }

        /**
         * Keeps the registrations in this file (rewritten atomically after every change, read at start); null keeps
         * them in memory only, the default.
         */
        public Builder stateFile(Path stateFile) {
            this.stateFile = stateFile;
            return this;
        }

        /** The clock for lastKnown and expiry; the system clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Checks.notNull("clock", clock);
            return this;
        }

        /**
         * How often expired registrations are removed; default 200 ms.
         *
         * @throws IllegalArgumentException when not in 1 ms..60 s
         */
        public Builder reaperInterval(Duration reaperInterval) {
            this.reaperInterval = Checks.duration("reaperInterval", reaperInterval, Duration.ofMillis(1),
                    Duration.ofSeconds(60));
            return this;
        }

        /**
         * Starts the registry; with a state file, reads it first.
         *
         * @throws IllegalStateException naming the file and line when the state file is unreadable or corrupt
         */
        public EmbeddedRegistry build() {
            return new EmbeddedRegistry(this);
        }
    }
}
