package io.thalassa.http.internal;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thalassa.micrometer.ThalassaMetrics;
import io.thalassa.runtime.Thalassa;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's metrics in Prometheus text ({@code GET /metrics}), through Micrometer; each is described in the
 * README's operations section. The Thalassa's own meters are {@link ThalassaMetrics}'; this class adds the API's
 * request timer and the Prometheus registry.
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ThalassaMetrics thalassaMetrics;

    public Metrics(Thalassa thalassa) {
        thalassaMetrics = ThalassaMetrics.of(thalassa);
        thalassaMetrics.bindTo(registry);
    }

    /** One API answer: by method, route template (e.g. {@code /backends/{key}}) and status. */
    public void request(String method, String route, int status, long nanos) {
        Timer.builder("thalassa.api.requests").description("API requests by method, route and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        thalassaMetrics.refreshCertificates();
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Stops listening to the Thalassa; safe to call twice. */
    @Override
    public void close() {
        thalassaMetrics.close();
    }
}
