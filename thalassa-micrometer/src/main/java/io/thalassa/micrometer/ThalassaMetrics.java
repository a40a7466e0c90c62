package io.thalassa.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.runtime.CertificateInfo;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of a {@link Thalassa} in any Micrometer registry, named as the daemon's {@code GET /metrics} names them
 * ({@code thalassa.haproxy.reloads}, {@code thalassa.apply}, {@code thalassa.haproxy.up}...; the README's operations
 * section describes each). HAProxy's numbers are read from the Thalassa when the registry is read; reloads are timed
 * from each change accepted to HAProxy running it, looked for every {@link #RELOAD_POLL} on one daemon thread.
 *
 * <pre>{@code
 * ThalassaMetrics metrics = ThalassaMetrics.of(thalassa);
 * metrics.bindTo(meterRegistry);   // a Spring Boot host: a MeterBinder bean is bound for it
 * ...
 * metrics.close();                 // before or after the Thalassa
 * }</pre>
 */
public final class ThalassaMetrics implements MeterBinder, AutoCloseable {
    /** How often the changes are looked at for reloads that finished, to time them. */
    public static final Duration RELOAD_POLL = Duration.ofMillis(250);

    /** How often the stored certificates' times to expiry are read again (also on {@link #refreshCertificates}). */
    public static final Duration CERTIFICATE_POLL = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(ThalassaMetrics.class);

    private final Thalassa thalassa;
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    private final Thalassa.Subscription events;
    private ScheduledExecutorService reloadPoll; // from the first bindTo
    private long lastReloadTimed; // only on the reload poll's thread
    private volatile boolean closed;

    /** The counters one registry got, counted on events of their verb. */
    private record Bound(MeterRegistry registry, Map<ThalassaEvent.Verb, Counter> counted,
            MultiGauge certificateExpiry) {
    }

    /** The counters counted on events: name, the verb counted, description. */
    private static final List<String[]> EVENT_COUNTERS = List.of(
            new String[] {"thalassa.haproxy.runtime.changes", "RUNTIME_CHANGE",
                "membership changes applied through HAProxy's runtime API (one per backend and apply)"},
            new String[] {"thalassa.haproxy.log.alerts", "HAPROXY_LOG",
                "alert and warning lines HAProxy wrote to its log"},
            new String[] {"thalassa.members.rejected", "MEMBER_REJECTED",
                "registered members left out of their backend because they cannot be planned (memberRejected events)"},
            new String[] {"thalassa.removals.held", "REMOVAL_HELD",
                "registry updates whose mass removals were held (removalHeld events)"},
            new String[] {"thalassa.registry.watch.restarts", "WATCH_RESTARTED",
                "registry watches restarted because they neither delivered nor confirmed in time"});

    private ThalassaMetrics(Thalassa thalassa) {
        this.thalassa = thalassa;
        thalassa.onApply(this::applied);
        this.events = thalassa.onEvent(this::onEvent);
    }

    /** The meters of {@code thalassa}, bound to no registry yet; listens to it until {@link #close()}. */
    public static ThalassaMetrics of(Thalassa thalassa) {
        return new ThalassaMetrics(Objects.requireNonNull(thalassa, "thalassa"));
    }

    /**
     * Registers every meter in {@code registry}: the gauges and counters at once, the timers with their first
     * sample. May be called for several registries.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FunctionCounter.builder("thalassa.haproxy.reloads", this, m -> m.thalassa.controller().status().reloads())
                .description("reloads of HAProxy since the daemon started").register(registry);
        FunctionCounter.builder("thalassa.haproxy.reloads.failed", this,
                        m -> m.thalassa.controller().status().failedReloads())
                .description("reloads HAProxy refused since the daemon started").register(registry);
        gauge(registry, "thalassa.haproxy.up", m -> m.thalassa.controller().running() ? 1 : 0,
                "1 while HAProxy's master process runs");
        gauge(registry, "thalassa.haproxy.runs.desired", m -> m.thalassa.controller().status().runsDesired() ? 1 : 0,
                "1 when HAProxy runs the configuration last accepted (what /health/ready says)");
        gauge(registry, "thalassa.haproxy.servers", m -> m.thalassa.controller().status().servers(),
                "server slots in the accepted configuration");
        gauge(registry, "thalassa.registry.healthy", m -> m.thalassa.registry().health().isConnected() ? 1 : 0,
                "1 while the service registry is reachable");
        gauge(registry, "thalassa.registry.sync.age.seconds", ThalassaMetrics::syncAge,
                "seconds since the registry last answered: 0 while it is reachable, else since the outage began");
        gauge(registry, "thalassa.config.frontends", m -> m.thalassa.config().frontends().size(),
                "frontends configured");
        gauge(registry, "thalassa.config.backends", m -> m.thalassa.config().backends().size(),
                "backends configured");
        gauge(registry, "thalassa.config.version", m -> m.thalassa.latestChange().map(ChangeStatus::id).orElse(0L),
                "id of the latest configuration change accepted");
        Map<ThalassaEvent.Verb, Counter> counted = new EnumMap<>(ThalassaEvent.Verb.class);
        for (String[] c : EVENT_COUNTERS) {
            counted.put(ThalassaEvent.Verb.valueOf(c[1]),
                    Counter.builder(c[0]).description(c[2]).register(registry));
        }
        MultiGauge expiry = MultiGauge.builder("thalassa.certificate.expiry.seconds")
                .description("seconds until each stored TLS certificate expires (negative once it has), by name")
                .register(registry);
        bound.add(new Bound(registry, counted, expiry));
        refreshCertificates();
        if (reloadPoll == null && !closed) {
            reloadPoll = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "thalassa-metrics");
                t.setDaemon(true);
                return t;
            });
            reloadPoll.scheduleWithFixedDelay(this::timeReloads, 0, RELOAD_POLL.toMillis(), TimeUnit.MILLISECONDS);
            reloadPoll.scheduleWithFixedDelay(this::refreshCertificates, CERTIFICATE_POLL.toMillis(),
                    CERTIFICATE_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<ThalassaMetrics> f, String description) {
        Gauge.builder(name, this, f).strongReference(true).description(description).register(registry);
    }

    /** One apply of a configuration to HAProxy, by kind ({@code runtime}, {@code reload}, {@code noop}). */
    private void applied(String kind, Duration took) {
        if (closed) {
            return;
        }
        for (Bound b : bound) {
            Timer.builder("thalassa.apply").description("time to apply a configuration to HAProxy (membership changes:"
                            + " runtime API commands done; structural: accepted for a reload)")
                    .tags("kind", kind).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(30)).register(b.registry()).record(took);
        }
    }

    private void onEvent(ThalassaEvent event) {
        for (Bound b : bound) {
            Counter c = b.counted().get(event.verb());
            if (c != null) {
                c.increment();
            }
        }
    }

    private double syncAge() {
        RegistryHealth h = thalassa.registry().health();
        return h.isConnected() ? 0 : Duration.between(h.since(), Instant.now()).toMillis() / 1000.0;
    }

    /**
     * Times the reloads finished since the last look, from each change accepted to HAProxy running it (or refusing
     * it): the changes after the last one timed, up to the first still pending, at most 1000 at a time.
     */
    private void timeReloads() {
        try {
            long latest = thalassa.latestChange().map(ChangeStatus::id).orElse(0L);
            for (long id = lastReloadTimed + 1; id <= latest && id <= lastReloadTimed + 1000; id++) {
                ChangeStatus change = thalassa.change(id).orElse(null);
                if (change != null && !change.isFinished()) {
                    return;
                }
                lastReloadTimed = id;
                if (change != null && change.kind() == ApplyResult.Kind.RELOAD) {
                    reloaded(Duration.between(change.submitted(), change.finished()),
                            change.state() == ChangeStatus.State.APPLIED);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("metrics - cannot read the changes: {}", e.toString());
        }
    }

    private void reloaded(Duration took, boolean ok) {
        for (Bound b : bound) {
            Timer.builder("thalassa.haproxy.reload").description("from a structural change accepted to HAProxy running"
                            + " it (coalescing window included), by outcome").tags("outcome", ok ? "done" : "failed")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                    .maximumExpectedValue(Duration.ofMinutes(1)).register(b.registry()).record(took);
        }
    }

    /**
     * Reads each stored certificate's time to expiry into {@code thalassa.certificate.expiry.seconds} (certificates
     * come and go); done every {@link #CERTIFICATE_POLL}, and by a scrape that wants it fresh.
     */
    public void refreshCertificates() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            Instant now = Instant.now();
            for (CertificateInfo c : thalassa.certificates().list()) {
                rows.add(MultiGauge.Row.of(Tags.of("name", c.name()),
                        Duration.between(now, c.notAfter()).toSeconds()));
            }
            bound.forEach(b -> b.certificateExpiry().register(rows, true));
        } catch (RuntimeException e) {
            LOG.debug("metrics - cannot read the certificates: {}", e.toString());
        }
    }

    /** The Thalassa measured. */
    public Thalassa thalassa() {
        return thalassa;
    }

    /**
     * Stops listening to the Thalassa and timing its reloads; the meters stay in their registries (the gauges go on
     * reading the Thalassa). Safe to call twice.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        events.close();
        if (reloadPoll != null) {
            reloadPoll.shutdownNow();
        }
    }
}
