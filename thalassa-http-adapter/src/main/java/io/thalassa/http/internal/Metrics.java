package io.thalassa.http.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thalassa.ThalassaEvent;
import io.thalassa.runtime.Thalassa;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The daemon's metrics in Prometheus text ({@code GET /metrics}), through Micrometer; each is described in the
 * README's operations section. HAProxy's numbers are read from {@link Thalassa#status()} when scraped.
 */
public final class Metrics implements ThalassaEvent.Listener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Thalassa thalassa;
    private final Counter runtimeChanges;
    private final Counter haproxyAlerts;
    private final Counter membersRejected;
    private final Counter removalsHeld;
    private final Counter watchRestarts;

    public Metrics(Thalassa thalassa) {
        this.thalassa = thalassa;
        FunctionCounter.builder("thalassa.haproxy.reloads", this, m -> m.thalassa.controller().status().reloads())
                .description("reloads of HAProxy since the daemon started").register(registry);
        FunctionCounter.builder("thalassa.haproxy.reloads.failed", this,
                        m -> m.thalassa.controller().status().failedReloads())
                .description("reloads HAProxy refused since the daemon started").register(registry);
        gauge("thalassa.haproxy.up", m -> m.thalassa.controller().masterPid() > 0 ? 1 : 0,
                "1 while HAProxy's master process runs");
        gauge("thalassa.haproxy.runs.desired", m -> m.thalassa.controller().status().runsDesired() ? 1 : 0,
                "1 when HAProxy runs the configuration last accepted (what /health/ready says)");
        gauge("thalassa.haproxy.servers", m -> m.thalassa.controller().status().servers(),
                "server slots in the accepted configuration");
        gauge("thalassa.registry.healthy", m -> m.thalassa.registry().health().isConnected() ? 1 : 0,
                "1 while the service registry is reachable");
        gauge("thalassa.registry.sync.age.seconds", m -> m.syncAge(),
                "seconds since the registry last answered: 0 while it is reachable, else since the outage began");
        gauge("thalassa.config.frontends", m -> m.thalassa.config().frontends().size(), "frontends configured");
        gauge("thalassa.config.backends", m -> m.thalassa.config().backends().size(), "backends configured");
        runtimeChanges = Counter.builder("thalassa.haproxy.runtime.changes")
                .description("membership changes applied through HAProxy's runtime API (one per backend and apply)")
                .register(registry);
        haproxyAlerts = Counter.builder("thalassa.haproxy.log.alerts")
                .description("alert and warning lines HAProxy wrote to its log").register(registry);
        membersRejected = Counter.builder("thalassa.members.rejected").description("registered members left out of"
                + " their backend because they cannot be planned (memberRejected events)").register(registry);
        removalsHeld = Counter.builder("thalassa.removals.held").description("registry updates whose mass"
                + " removals were held (removalHeld events)").register(registry);
        watchRestarts = Counter.builder("thalassa.registry.watch.restarts").description("registry watches"
                + " restarted because they neither delivered nor confirmed in time").register(registry);
    }

    private void gauge(String name, ToDoubleFunction<Metrics> f, String description) {
        Gauge.builder(name, this, f).description(description).register(registry);
    }

    /** The config version: the id of the latest change the controller accepted (0 before the first). */
    public void configVersion(java.util.function.LongSupplier latest) {
        // strongly held: a gauge keeps only a weak reference to its object, and nothing else holds this lambda
        Gauge.builder("thalassa.config.version", latest, s -> s.getAsLong()).strongReference(true)
                .description("id of the latest configuration change accepted").register(registry);
    }

    /** One API answer: by method, route template (e.g. {@code /backends/{key}}) and status. */
    public void request(String method, String route, int status, long nanos) {
        Timer.builder("thalassa.api.requests").description("API requests by method, route and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One apply of a configuration to HAProxy, by kind ({@code runtime}, {@code reload}, {@code noop}). */
    public void applied(String kind, Duration took) {
        Timer.builder("thalassa.apply").description("time to apply a configuration to HAProxy (membership changes:"
                + " runtime API commands done; structural: accepted for a reload)")
                .tags("kind", kind).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry).record(took);
    }

    /** A reload finished: from the change being accepted to HAProxy running it (the reload window included). */
    public void reloaded(Duration took, boolean ok) {
        Timer.builder("thalassa.haproxy.reload").description("from a structural change accepted to HAProxy running"
                + " it (coalescing window included), by outcome").tags("outcome", ok ? "done" : "failed")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(1)).register(registry).record(took);
    }

    @Override
    public void onEvent(ThalassaEvent event) {
        if (event.verb() == ThalassaEvent.Verb.RUNTIME_CHANGE) {
            runtimeChanges.increment();
        } else if (event.verb() == ThalassaEvent.Verb.HAPROXY_LOG) {
            haproxyAlerts.increment();
        } else if (event.verb() == ThalassaEvent.Verb.MEMBER_REJECTED) {
            membersRejected.increment();
        } else if (event.verb() == ThalassaEvent.Verb.REMOVAL_HELD) {
            removalsHeld.increment();
        } else if (event.verb() == ThalassaEvent.Verb.WATCH_RESTARTED) {
            watchRestarts.increment();
        }
    }

    private double syncAge() {
        io.thalassa.spi.RegistryHealth h = thalassa.registry().health();
        return h.isConnected() ? 0 : Duration.between(h.since(), java.time.Instant.now()).toMillis() / 1000.0;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
