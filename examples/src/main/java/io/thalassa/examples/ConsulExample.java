package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

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
        Path dir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        int port = Integer.parseInt(args[1]);
        String consulHost = args[2];
        int consulPort = Integer.parseInt(args[3]);
        String haproxy = args.length > 4 ? args[4] : "haproxy";
        HaproxySettings settings = HaproxySettings.builder()
                .statsSocket(dir.resolve("haproxy.sock"))
                .pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("haproxy.state"))
                .statsListener(null)
                .logTarget(null)
                .build();
        try (Instances instances = new Instances();
             ConsulRegistry registry = ConsulRegistry.builder().agent(consulHost, consulPort).build()) {
            int blue = instances.start("blue");
            int green = instances.start("green");
            try (HaproxyController controller = HaproxyController.builder().binary(haproxy)
                    .configFile(dir.resolve("haproxy.cfg")).settings(settings).reloadWindow(Duration.ZERO)
                    .stopOnClose(true).build().start(ThalassaConfig.empty());
                 // The engine keeps the dynamic backend's members equal to Consul's passing instances of its version.
                 MembershipEngine engine = new MembershipEngine(registry, config -> {
                     try {
                         controller.apply(config).reload().join();
                     } catch (ConfigRejectedException e) {
                         throw new IllegalStateException(e.haproxyMessage(), e);
                     }
                 })) {
                ThalassaConfig config = ThalassaConfig.empty()
                        .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                        .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live")
                                .build());
                engine.update(config);

                // Each registration becomes a Consul agent service (meta version=...) with a TTL check kept passing.
                registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", blue, Map.of("color", "blue"),
                        Duration.ofSeconds(30)));
                registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", green, Map.of("color", "green"),
                        Duration.ofSeconds(30)));
                System.out.println("1.0.0 -> " + awaitAnswer(port, "/", "blue"));

                // Blue/green: the backend subscribes to 2.0.0; its members are swapped through the runtime API.
                engine.update(config.withBackend(config.backend("live").orElseThrow().withService("myapp", "2.0.0")));
                System.out.println("2.0.0 -> " + awaitAnswer(port, "/", "green"));
                System.out.println("reloads since the backend existed: " + (controller.reloadCount() - 1));
            } finally {
                // Consul keeps agent services when the registry closes: take ours out (unknown ones are no error).
                registry.deregister("myapp", "1.0.0", "127.0.0.1", blue);
                registry.deregister("myapp", "2.0.0", "127.0.0.1", green);
            }
        }
    }
}
