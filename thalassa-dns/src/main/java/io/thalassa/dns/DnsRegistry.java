package io.thalassa.dns;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.dns.internal.SrvResolver;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Delivery;
import io.thalassa.internal.Events;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only registry that finds a backend's members in DNS SRV records: the service and version name an SRV name
 * through a {@linkplain SrvNames template}, and every record of the lowest priority present is a member, at its
 * target's address and the record's port.
 *
 * <pre>{@code
 * DnsRegistry registry = DnsRegistry.builder()
 *         .server("127.0.0.1", 53530)
 *         .name("_{service}._tcp.v{version}.svc.example.")   // myapp 1.0.0: _myapp._tcp.v1-0-0.svc.example.
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li>Each watched name is asked again when its records' lowest TTL runs out, within
 *       {@linkplain Builder#intervals(Duration, Duration) 1 s..60 s} by default.</li>
 *   <li>NXDOMAIN, or a name without SRV records: no instances. SERVFAIL, a refusal or a timeout
 *       ({@linkplain Builder#timeout(Duration) 2 s}): the last answer is kept, the registry reports itself
 *       unavailable ({@code registryUnavailable}, then {@code registryRecovered}) and asks again at the shortest
 *       interval, doubling to the longest.</li>
 *   <li>Priority: records of a higher priority value are backups, used only while the lowest priority has none
 *       (HAProxy's {@code backup} servers are not in the model). Weight: kept in the member's meta
 *       ({@code srvWeight}, with {@code srvPriority} and {@code srvTarget}); every member gets HAProxy's default
 *       weight.</li>
 *   <li>Instances are registered in DNS (a zone's dynamic updates, a DNS provider...): {@link #register} and
 *       {@link #deregister} throw {@link UnsupportedOperationException}.</li>
 * </ul>
 */
public final class DnsRegistry implements Registry {
    private static final Logger log = LoggerFactory.getLogger(DnsRegistry.class);

    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final InetSocketAddress server;
    private final SrvNames names;
    private final Duration minInterval;
    private final Duration maxInterval;
    private final SrvResolver resolver;
    private final String label;
    private final ScheduledExecutorService scheduler;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<RegistryHealth> health;
    private final Set<Watch> failing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    private DnsRegistry(Builder b) {
        this.server = new InetSocketAddress(b.host, b.port);
        this.names = b.names;
        this.minInterval = b.minInterval;
        this.maxInterval = b.maxInterval;
        this.resolver = new SrvResolver(server, b.timeout);
        this.label = "dns " + Member.addressOf(b.host, b.port);
        this.health = new AtomicReference<>(RegistryHealth.connected(Instant.now()));
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "thalassa-dns");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Watches the SRV name of {@code name} at {@code version}: the first answer is delivered soon after (from a
     * thread of the registry's), then every answer that differs.
     *
     * @throws IllegalArgumentException naming {@code name} or {@code version} when it cannot be a DNS label
     */
    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        Checks.notNull("members", members);
        Watch w = new Watch(name, version, names.name(name, version), members);
        Checks.state(!closed.get(), "the dns registry is closed");
        schedule(w, Duration.ZERO);
        return w::close;
    }

    /** @throws UnsupportedOperationException always: instances are registered in DNS */
    @Override
    public void register(Registration registration) {
        throw readOnly();
    }

    /** @throws UnsupportedOperationException always: instances are registered in DNS */
    @Override
    public boolean deregister(String name, String version, String host, int port) {
        throw readOnly();
    }

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException("the dns registry is read-only: instances are SRV records under "
                + names.template() + " on " + Member.addressOf(server.getHostString(), server.getPort())
                + ", added and removed in DNS (dynamic updates, nsupdate...)");
    }

    /** False: instances are registered in DNS. */
    @Override
    public boolean acceptsRegistrations() {
        return false;
    }

    /** Always empty: nothing registers through this registry. */
    @Override
    public List<Registration> registrations(String name, String version) {
        return List.of();
    }

    @Override
    public RegistryHealth health() {
        return health.get();
    }

    /** {@code dns}. */
    @Override
    public String kind() {
        return "dns";
    }

    /** Receives {@code online}, {@code offline}, {@code registryUnavailable} and {@code registryRecovered}. */
    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(Checks.notNull("listener", listener));
    }

    /** Stops every watch; safe twice. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return label + " " + names.template();
    }

    private void schedule(Watch w, Duration delay) {
        try {
            scheduler.schedule(() -> poll(w), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("{} - closed, not asking {} again", label, w.srvName);
        }
    }

    private void poll(Watch w) {
        if (w.delivery.isClosed() || closed.get()) {
            return;
        }
        Duration next;
        SrvResolver.Answer answer = resolver.lookup(w.srvName);
        if (answer.status() == SrvResolver.Status.FAILED) {
            w.backoff = w.backoff == null ? minInterval : min(w.backoff.multipliedBy(2), maxInterval);
            next = w.backoff;
            failed(w, answer.detail());
        } else {
            w.backoff = null;
            recovered(w);
            w.rejected(answer.unresolved());
            w.deliver(members(w, answer));
            next = answer.ttl() == null ? maxInterval : max(min(answer.ttl(), maxInterval), minInterval);
        }
        schedule(w, next);
    }

    /** The records of the lowest priority present, as members. */
    private static Set<Member> members(Watch w, SrvResolver.Answer answer) {
        int lowest = Integer.MAX_VALUE;
        for (SrvResolver.Target t : answer.targets()) {
            lowest = Math.min(lowest, t.priority());
        }
        Set<Member> out = new LinkedHashSet<>();
        for (SrvResolver.Target t : answer.targets()) {
            if (t.priority() == lowest && t.port() > 0) {
                out.add(Member.registered(w.name, w.version, t.address(), t.port(), null, Map.of("srvPriority",
                        t.priority(), "srvWeight", t.weight(), "srvTarget", t.target())));
            }
        }
        return Set.copyOf(out);
    }

    private void failed(Watch w, String detail) {
        if (failing.add(w) && failing.size() == 1) {
            RegistryHealth h = RegistryHealth.unavailable(Instant.now(), detail);
            health.set(h);
            log.warn("{} - unavailable, keeping the last answers: {}", label, detail);
            emit(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, label, detail + "; the last answers are kept");
        }
    }

    private void recovered(Watch w) {
        if (failing.remove(w) && failing.isEmpty()) {
            health.set(RegistryHealth.connected(Instant.now()));
            log.info("{} - answers again", label);
            emit(ThalassaEvent.Verb.REGISTRY_RECOVERED, label, "answers again");
        }
    }

    private void emit(ThalassaEvent.Verb verb, String object, String detail) {
        Events.deliver(listeners, ThalassaEvent.now(verb, object, detail), log, label);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** One subscription: its name, the set last delivered, its backoff; used by one poll at a time. */
    private final class Watch {
        final String name;
        final String version;
        final String srvName;
        final Delivery delivery;
        Set<Member> last;
        Set<String> unresolved = Set.of();
        Duration backoff;

        Watch(String name, String version, String srvName, Consumer<Set<Member>> consumer) {
            this.name = name;
            this.version = version;
            this.srvName = srvName;
            this.delivery = new Delivery(consumer);
        }

        void deliver(Set<Member> set) {
            if (set.equals(last)) {
                return;
            }
            if (last != null) {
                for (Member m : set) {
                    if (!last.contains(m)) {
                        emit(ThalassaEvent.Verb.ONLINE, m.id(), "in " + srvName);
                    }
                }
                for (Member m : last) {
                    if (!set.contains(m)) {
                        emit(ThalassaEvent.Verb.OFFLINE, m.id(), "no longer in " + srvName);
                    }
                }
            }
            last = set;
            delivery.deliver(set, log, label + " - subscriber of " + srvName);
        }

        /** A {@code memberRejected} event for each record whose target newly has no address. */
        void rejected(List<SrvResolver.Target> records) {
            Set<String> now = new java.util.TreeSet<>();
            for (SrvResolver.Target t : records) {
                String id = "/" + name + "/" + version + "/" + t.target() + "/" + t.port();
                now.add(id);
                if (!unresolved.contains(id)) {
                    log.warn("{} - {}: target {} has no address; left out", label, srvName, t.target());
                    emit(ThalassaEvent.Verb.MEMBER_REJECTED, id, "left out of " + srvName + ", every other record"
                            + " goes on: target " + t.target() + " has no A or AAAA record");
                }
            }
            unresolved = now;
        }

        /** Waits for a delivery in progress (unless called from it), so none happens after close returns. */
        void close() {
            delivery.close();
            failing.remove(this);
        }
    }

    /** Fluent builder of a {@link DnsRegistry}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 53;
        private SrvNames names;
        private Duration minInterval = DEFAULT_MIN_INTERVAL;
        private Duration maxInterval = DEFAULT_MAX_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /**
         * The DNS server asked, an IP address and port; default {@code 127.0.0.1:53}.
         *
         * @throws IllegalArgumentException naming {@code dnsServer} when host is not an IP address or port not in
         *                                  1..65535
         */
        public Builder server(String host, int port) {
            Checks.notNull("dnsServer", host);
            if (!Checks.isIpv4(host) && !Checks.isIpv6(host)) {
                throw new io.thalassa.InvalidValueException("dnsServer", host, "dnsServer must be an IP address: "
                        + Checks.quote(host));
            }
            Checks.port("dnsServer", port);
            this.host = host;
            this.port = port;
            return this;
        }

        /**
         * The SRV name template, required: see {@link SrvNames#of}.
         *
         * @throws IllegalArgumentException naming {@code dnsName}
         */
        public Builder name(String template) {
            this.names = SrvNames.of(template);
            return this;
        }

        /**
         * The bounds of the interval between two lookups of a name, which is its records' lowest TTL; default 1 s
         * and 60 s.
         *
         * @throws IllegalArgumentException naming {@code dnsMinInterval} (100 ms..1 h) or {@code dnsMaxInterval}
         *                                  (at least the minimum, at most 1 h)
         */
        public Builder intervals(Duration min, Duration max) {
            this.minInterval = Checks.duration("dnsMinInterval", min, Duration.ofMillis(100), Duration.ofHours(1));
            this.maxInterval = Checks.duration("dnsMaxInterval", max, min, Duration.ofHours(1));
            return this;
        }

        /**
         * How long one query may take; default 2 s.
         *
         * @throws IllegalArgumentException naming {@code dnsTimeout} when not in 100 ms..60 s
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.duration("dnsTimeout", timeout, Duration.ofMillis(100), Duration.ofSeconds(60));
            return this;
        }

        /** @throws IllegalStateException when no name template was given */
        public DnsRegistry build() {
            if (names == null) {
                throw new IllegalStateException("a DnsRegistry needs a name template, e.g."
                        + " name(\"_{service}._tcp.v{version}.svc.example.\")");
            }
            return new DnsRegistry(this);
        }
    }
}
