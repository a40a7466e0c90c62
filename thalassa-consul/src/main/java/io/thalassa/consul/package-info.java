/**
 * A registry backed by Consul: members from health-passing service instances, watched with blocking queries.
 *
 * <pre>{@code
 * try (ConsulRegistry registry = ConsulRegistry.builder()
 *          .agent("127.0.0.1", 8500)          // the local agent's HTTP API (default)
 *          .datacenter("dc1")                 // default: the agent's own
 *          .aclToken(System.getenv("CONSUL_HTTP_TOKEN"))
 *          .build();
 *      MembershipEngine engine = new MembershipEngine(registry, controller::apply)) {
 *     engine.update(ThalassaConfig.empty().withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()));
 *     // an instance registers itself, and keeps its TTL check passing by registering again before 10 s pass:
 *     registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", 8080, Map.of(), Duration.ofSeconds(10)));
 * }
 * }</pre>
 */
package io.thalassa.consul;
