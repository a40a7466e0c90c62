/**
 * A registry backed by ZooKeeper in Curator's service-discovery layout, so that instances registered by Curator's
 * {@code ServiceDiscovery} or by Spring Cloud Zookeeper are members as they are, and instances registered through
 * Thalassa are seen by them.
 *
 * <pre>{@code
 * try (ZookeeperRegistry registry = ZookeeperRegistry.builder()
 *          .connect("127.0.0.1:2181")            // ZooKeeper's connect string (default), a chroot allowed
 *          .basePath("/services")                // where each service name has its instances (default, Spring Cloud's)
 *          .versionKey("version")                // the metadata key holding an instance's version (default)
 *          .sessionTimeout(Duration.ofSeconds(15))
 *          .build();
 *      MembershipEngine engine = new MembershipEngine(registry, controller::apply)) {
 *     engine.update(ThalassaConfig.empty().withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()));
 *
 *     // A Spring Cloud app registered as /services/myapp/<id> with metadata {version: 1.0.0} is now a member of
 *     // "live". An instance can also register through Thalassa: an ephemeral znode that lives while it registers
 *     // again within 10 s, and while this registry's session lives.
 *     registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", 8080, Map.of("zone", "a"),
 *             Duration.ofSeconds(10)));
 * }
 * }</pre>
 *
 * <p>Payloads are read without loading the class they name: the metadata is the payload's {@code metadata} object
 * (Spring Cloud's {@code ZookeeperInstance}, or any class shaped like it), or the payload's own fields when it is a
 * plain map; an absent or scalar payload has no metadata. An instance without a version in its metadata is a member of
 * no version. ZooKeeper 3.6 or later is needed (persistent recursive watches).
 */
package io.thalassa.zookeeper;
