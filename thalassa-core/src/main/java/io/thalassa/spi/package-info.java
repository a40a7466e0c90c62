/**
 * The registry service-provider interface: implement {@link io.thalassa.spi.Registry} to feed dynamic backends from
 * your own discovery system. Thalassa ships an embedded TTL registry (in {@code thalassa-core}) and a Consul registry
 * ({@code thalassa-consul}).
 */
package io.thalassa.spi;
