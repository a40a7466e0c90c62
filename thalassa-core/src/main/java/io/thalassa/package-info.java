/**
 * The configuration model of Thalassa: frontends, backends, members and routing rules, as immutable values built
 * fluently, and the {@link io.thalassa.ConfigDiff} that tells a reload-free membership change from a structural one.
 *
 * <pre>{@code
 * ThalassaConfig config = ThalassaConfig.empty()
 *     .withBackend(Backend.dynamic("live").service("myapp", "1.0.0")
 *         .health(h -> h.uri("/health").interval(Duration.ofSeconds(5)))
 *         .build())
 *     .withBackend(Backend.staticBackend("staged").member("127.0.0.1", 8081).build())
 *     .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live")
 *         .rule(Rule.header("host", Rule.Operation.HDR_DOM, "staged.example.com", "staged"))
 *         .build());
 *
 * ThalassaConfig next = config.withBackend(config.backend("live").orElseThrow().withService("myapp", "1.1.0"));
 * ConfigDiff diff = ConfigDiff.between(config, next);
 * assert diff.isMembershipOnly(); // a version switch needs no reload
 *
 * // a canary: 5 % of the requests to 1.1.0, whatever the number of instances of each version
 * ThalassaConfig canary = config.withBackend(config.backend("live").orElseThrow()
 *     .withSplit(Map.of("1.0.0", 95, "1.1.0", 5)));
 * assert ConfigDiff.between(config, canary).isMembershipOnly(); // weights at run time, no reload
 * }</pre>
 */
package io.thalassa;
