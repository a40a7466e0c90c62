package io.thalassa.zookeeper;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * Another Curator client with its own session, registering instances with curator-x-discovery's
 * {@link ServiceDiscovery} the way applications do: with a plain map payload ({@link #register}), or as Spring Cloud
 * Zookeeper does, with a {@link ZookeeperInstance} payload ({@link #registerSpringCloud}).
 */
final class OtherClient implements AutoCloseable {
    final CuratorFramework curator;
    @SuppressWarnings("rawtypes")
    final ServiceDiscovery<Map> plain;
    final ServiceDiscovery<ZookeeperInstance> springCloud;

    OtherClient(String connect, String basePath, Duration sessionTimeout) throws Exception {
        curator = CuratorFrameworkFactory.newClient(connect, (int) sessionTimeout.toMillis(), 5000,
                new RetryNTimes(3, 200));
        curator.start();
        if (!curator.blockUntilConnected(10, TimeUnit.SECONDS)) {
            curator.close();
            throw new IllegalStateException("the other client did not connect to " + connect);
        }
        plain = ServiceDiscoveryBuilder.builder(Map.class).client(curator).basePath(basePath)
                .serializer(new JsonInstanceSerializer<>(Map.class)).build();
        plain.start();
        springCloud = ServiceDiscoveryBuilder.builder(ZookeeperInstance.class).client(curator).basePath(basePath)
                .serializer(new JsonInstanceSerializer<>(ZookeeperInstance.class)).build();
        springCloud.start();
    }

    /** Registers a DYNAMIC (ephemeral) instance on 127.0.0.1 whose payload is {@code payload}, a plain map. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    ServiceInstance<Map> register(String name, String id, int port, Map<String, ?> payload) throws Exception {
        ServiceInstance<Map> instance = ServiceInstance.<Map>builder().name(name).id(id).address("127.0.0.1")
                .port(port).payload(new java.util.LinkedHashMap<>(payload)).serviceType(ServiceType.DYNAMIC).build();
        plain.registerService(instance);
        return instance;
    }

    /** Registers an instance as Spring Cloud Zookeeper does, with {@code metadata} in its payload. */
    ServiceInstance<ZookeeperInstance> registerSpringCloud(String name, String id, int port,
            Map<String, String> metadata) throws Exception {
        ServiceInstance<ZookeeperInstance> instance = ServiceInstance.<ZookeeperInstance>builder().name(name).id(id)
                .address("127.0.0.1").port(port).payload(new ZookeeperInstance(name + "-1", name, metadata))
                .serviceType(ServiceType.DYNAMIC).build();
        springCloud.registerService(instance);
        return instance;
    }

    @SuppressWarnings("rawtypes")
    void unregister(ServiceInstance<Map> instance) throws Exception {
        plain.unregisterService(instance);
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            springCloud.close();
            plain.close();
        } finally {
            curator.close();
        }
    }
}
