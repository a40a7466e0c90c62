/**
 * The configuration model of Thalassa: frontends, backends, members and routing rules, as immutable values built
 * fluently, and the {@link io.thalassa.ConfigDiff} that describes what changes between two of them (whether HAProxy
 * must reload for it is the controller's to decide: {@code HaproxyController.needsReload}).
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
 * assert diff.isMembershipOnly(); // a version switch: members change, no setting does
 *
 * // a canary: 5 % of the requests to 1.1.0, whatever the number of instances of each version
 * ThalassaConfig canary = config.withBackend(config.backend("live").orElseThrow()
 *     .withSplit(Map.of("1.0.0", 95, "1.1.0", 5)));
 * assert ConfigDiff.between(config, canary).isMembershipOnly(); // members and their weights change
 * }</pre>
 */
package io.thalassa;
