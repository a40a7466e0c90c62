package io.thalassa.http.internal;

import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.http.DaemonOptions;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;

/**
 * The daemon's Consul registry and store, made from its options: the one class of the adapter that names
 * {@code thalassa-consul}, a dependency of the daemon's jar only (optional for a host that mounts the adapter).
 */
final class ConsulParts {
    private ConsulParts() {
    }

    /** {@code --serviceReg} (127.0.0.1 for a fleet without it) and {@code --serviceRegPort}. */
    static String agentHost(DaemonOptions o) {
        return o.serviceReg() == null ? "127.0.0.1" : o.serviceReg();
    }

    static Registry registry(DaemonOptions o) {
        return ConsulRegistry.builder().agent(agentHost(o), o.serviceRegPort()).datacenter(o.datacenter()).build();
    }

    static ConfigStore store(DaemonOptions o) {
        return ConsulConfigStore.builder().agent(agentHost(o), o.serviceRegPort()).prefix(o.storePrefix()).build();
    }
}
