package io.thalassa.spring.internal;

import static io.thalassa.spring.internal.Builders.set;

import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.spring.ThalassaProperties;

/** The Consul registry and store from their properties: the one class that names thalassa-consul (optional). */
final class ConsulParts {
    private static final String REGISTRY = "thalassa.registry.consul.";
    private static final String STORE = "thalassa.store.consul.";

    private ConsulParts() {
    }

    static ConsulRegistry registry(ThalassaProperties.ConsulRegistryProperties c) {
        ConsulRegistry.Builder b = ConsulRegistry.builder();
        set(REGISTRY + "host", c.getHost(), host -> b.agent(host, 8500));
        set(REGISTRY + "port", c.getPort(), port -> b.agent(c.getHost(), port));
        set(REGISTRY + "datacenter", c.getDatacenter(), b::datacenter);
        set(REGISTRY + "acl-token", c.getAclToken(), b::aclToken);
        set(REGISTRY + "wait", c.getWait(), b::wait);
        set(REGISTRY + "request-timeout", c.getRequestTimeout(), b::requestTimeout);
        set(REGISTRY + "deregister-critical-service-after", c.getDeregisterCriticalServiceAfter(),
                b::deregisterCriticalServiceAfter);
        set(REGISTRY + "version-meta-key", c.getVersionMetaKey(), b::versionMetaKey);
        return b.build();
    }

    static ConsulConfigStore store(ThalassaProperties.ConsulStoreProperties c) {
        ConsulConfigStore.Builder b = ConsulConfigStore.builder();
        set(STORE + "host", c.getHost(), host -> b.agent(host, 8500));
        set(STORE + "port", c.getPort(), port -> b.agent(c.getHost(), port));
        set(STORE + "prefix", c.getPrefix(), b::prefix);
        set(STORE + "acl-token", c.getAclToken(), b::aclToken);
        set(STORE + "wait", c.getWait(), b::wait);
        set(STORE + "request-timeout", c.getRequestTimeout(), b::requestTimeout);
        set(STORE + "session-ttl", c.getSessionTtl(), b::sessionTtl);
        return b.build();
    }
}
