package io.thalassa.http.internal;

import io.thalassa.http.RegistryOptions;
import io.thalassa.spi.Registry;
import io.thalassa.zookeeper.ZookeeperRegistry;

/**
 * The daemon's ZooKeeper registry: the one class of the adapter that names {@code thalassa-zookeeper}, a dependency
 * of the daemon's jar only (optional for a host that mounts the adapter).
 */
final class ZookeeperParts {
    private ZookeeperParts() {
    }

    private static ZookeeperRegistry.Builder builder(RegistryOptions r) {
        return ZookeeperRegistry.builder().connect(r.zkConnect()).basePath(r.zkBasePath())
                .versionKey(r.zkVersionKey());
    }

    static void check(RegistryOptions r) {
        builder(r);
    }

    static Registry registry(RegistryOptions r) {
        return builder(r).build();
    }
}
