package io.thalassa.examples;

import io.thalassa.consul.ConsulRegistry;
import java.nio.file.Path;

/**
 * A dynamic backend fed by Consul, in front of a real HAProxy: two versions of a service register in the Consul
 * agent, HAProxy routes to the version the backend subscribes to, and a blue/green switch moves the traffic without
 * a reload. The same program as {@link RegistryExample}, with {@link ConsulRegistry} as the registry.
 *
 * <p>Usage: {@code ConsulExample <work dir> <frontend port> <consul host> <consul HTTP port> [haproxy binary]}, e.g.
 * {@code ConsulExample work 8080 127.0.0.1 8500}; prints what HAProxy answered. The instances it
 * registers are deregistered from the agent at the end.
 */
public final class ConsulExample {
    private ConsulExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String consulHost = args[2];
        int consulPort = Integer.parseInt(args[3]);
        String haproxy = args.length > 4 ? args[4] : "haproxy";
        // Each registration becomes a Consul agent service (meta version=...) with a TTL check kept passing; the
        // backend's members are the passing instances of its version, watched with blocking queries.
        BlueGreen.run(ConsulRegistry.builder().agent(consulHost, consulPort).build(), dir, port, haproxy);
    }
}
