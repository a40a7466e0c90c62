/**
 * The registry service-provider interface: implement {@link io.thalassa.spi.Registry} to feed dynamic backends from
 * your own discovery system. Thalassa ships an embedded TTL registry (in {@code thalassa-core}), a Consul registry
 * ({@code thalassa-consul}), a ZooKeeper registry in Curator's layout ({@code thalassa-zookeeper}) and a read-only DNS
 * SRV registry ({@code thalassa-dns}); whichever it is, the membership engine holds mass removals back
 * ({@link io.thalassa.MembershipEngine.Builder#removalGuard}).
 */
package io.thalassa.spi;
