/**
 * A {@link io.thalassa.runtime.Thalassa}'s meters in any Micrometer registry: {@link
 * io.thalassa.micrometer.ThalassaMetrics}, a {@code MeterBinder} with the names of the daemon's {@code GET /metrics}
 * (reloads and their times, applies by kind, runtime changes, HAProxy up and running the accepted configuration,
 * server slots, registry health, HAProxy's log alerts, the configuration's size and version).
 *
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (Thalassa thalassa = Thalassa.builder().workDir(Path.of("/tmp/myapp-lb")).start();
 *      ThalassaMetrics metrics = ThalassaMetrics.of(thalassa)) {
 *     metrics.bindTo(prometheus);
 *     System.out.println(prometheus.scrape());   // thalassa_haproxy_up 1.0 ...
 * }
 * }</pre>
 *
 * <p>Depends on {@code thalassa-haproxy} and {@code micrometer-core} only; the runtime itself knows no Micrometer.
 */
package io.thalassa.micrometer;
