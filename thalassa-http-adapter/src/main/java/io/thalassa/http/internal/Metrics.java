package io.thalassa.http.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thalassa.ThalassaEvent;
import io.thalassa.runtime.CertificateInfo;
import io.thalassa.runtime.Thalassa;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    private final MultiGauge certificateExpiry;

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
        gauge("thalassa.config.frontends", m -> m.thalassa.config().frontends().size(), "frontends configured");
        gauge("thalassa.config.backends", m -> m.thalassa.config().backends().size(), "backends configured");
        runtimeChanges = Counter.builder("thalassa.haproxy.runtime.changes")
                .description("membership changes applied through HAProxy's runtime API (one per backend and apply)")
                .register(registry);
        haproxyAlerts = Counter.builder("thalassa.haproxy.log.alerts")
                .description("alert and warning lines HAProxy wrote to its log").register(registry);
        certificateExpiry = MultiGauge.builder("thalassa.certificate.expiry.seconds")
                .description("seconds until each stored TLS certificate expires (negative once it has), by name")
                .register(registry);
    }

    /** Each stored certificate's time to expiry, read when scraped (certificates come and go). */
    private void refreshCertificates() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (CertificateInfo c : thalassa.certificates().list()) {
            rows.add(MultiGauge.Row.of(Tags.of("name", c.name()), Duration.between(now, c.notAfter()).toSeconds()));
        }
        certificateExpiry.register(rows, true);
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
        }
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        refreshCertificates();
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
