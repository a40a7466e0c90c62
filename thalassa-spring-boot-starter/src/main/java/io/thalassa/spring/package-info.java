/**
 * Thalassa in a Spring Boot application: add {@code io.thalassa:thalassa-spring-boot-starter} and a few
 * {@code thalassa.*} properties ({@link io.thalassa.spring.ThalassaProperties}), and a started
 * {@link io.thalassa.runtime.Thalassa} is a bean, HAProxy running before the web server takes requests.
 *
 * <pre>{@code
 * # application.yml
 * thalassa:
 *   work-dir: /var/lib/myapp-lb          # haproxy.cfg, socket, pid, stored config, activity
 *   config-file: classpath:thalassa.yml  # {"frontends":[...],"backends":[...]}, applied at start
 *   registry.kind: embedded              # or consul, zookeeper (add their module)
 *
 * // any bean
 * @RestController
 * class Deploys {
 *     private final Thalassa thalassa;
 *     Deploys(Thalassa thalassa) { this.thalassa = thalassa; }
 *
 *     @PostMapping("/deploy/{version}")
 *     String deploy(@PathVariable String version) {
 *         return thalassa.switchVersion("live", version).await(Duration.ofSeconds(10)).toString();
 *     }
 *
 *     @EventListener
 *     void on(ThalassaEvent event) { ... }   // every event, in order, on the thalassa-events thread
 * }
 * }</pre>
 *
 * <p>{@link io.thalassa.spring.ThalassaAutoConfiguration} makes the Thalassa, its registry and store (each backs off
 * for the application's own bean), its {@link io.thalassa.spring.ThalassaLifecycle} (closed after the web server's
 * graceful shutdown) and {@link io.thalassa.spring.ThalassaEventRelay}; with {@code thalassa.http.enabled} and
 * {@code io.thalassa:thalassa-http-adapter} added, the REST API and web UI on their own port.
 * {@link io.thalassa.spring.ThalassaHealthAutoConfiguration} adds the {@code thalassa} health contributor and the
 * readiness state following HAProxy, {@link io.thalassa.spring.ThalassaActuatorAutoConfiguration} the {@code thalassa}
 * info and the daemon's meters. A property with a value the
 * library refuses stops the start with a {@link io.thalassa.spring.ThalassaPropertyException}, explained by a failure
 * analyzer: the property, the value, where it was set, the reason.
 */
package io.thalassa.spring;
