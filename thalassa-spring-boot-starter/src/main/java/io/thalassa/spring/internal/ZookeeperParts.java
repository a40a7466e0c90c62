package io.thalassa.spring.internal;

import static io.thalassa.spring.internal.Builders.set;

import io.thalassa.spring.ThalassaProperties;
import io.thalassa.zookeeper.ZookeeperRegistry;

/** The ZooKeeper registry from its properties: the one class that names thalassa-zookeeper (optional). */
final class ZookeeperParts {
    private static final String P = "thalassa.registry.zookeeper.";

    private ZookeeperParts() {
    }

    static ZookeeperRegistry registry(io.thalassa.spring.ZookeeperProperties z) {
        ZookeeperRegistry.Builder b = ZookeeperRegistry.builder();
        set(P + "connect", z.getConnect(), b::connect);
        set(P + "base-path", z.getBasePath(), b::basePath);
        set(P + "version-key", z.getVersionKey(), b::versionKey);
        set(P + "session-timeout", z.getSessionTimeout(), b::sessionTimeout);
        set(P + "connection-timeout", z.getConnectionTimeout(), b::connectionTimeout);
        set(P + "reaper-interval", z.getReaperInterval(), b::reaperInterval);
        set(P + "removal-grace", z.getRemovalGrace(), b::removalGrace);
        ZookeeperRegistry[] built = new ZookeeperRegistry[1];
        // build() refuses a connection timeout longer than the session timeout
        set(P + "connection-timeout", z.getConnectionTimeout() != null ? z.getConnectionTimeout()
                : ZookeeperRegistry.DEFAULT_CONNECTION_TIMEOUT, t -> built[0] = b.build());
        return built[0];
    }
}
