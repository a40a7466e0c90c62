package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The blue/green deploy the registry examples run, whatever the registry: HAProxy in front of a dynamic backend
 * {@code live} (service {@code myapp}), a blue 1.0.0 and a green 2.0.0 instance registering, traffic to blue, then a
 * version switch that moves the traffic to green through the runtime API, without a reload. Everything on 127.0.0.1.
 */
final class BlueGreen {
    private BlueGreen() {
    }

    /** Runs the deploy with HAProxy's files in {@code dir} and its frontend on {@code port}; prints what it saw. */
    static void run(Registry registry, Path dir, int port, String haproxy) throws Exception {
        try (Instances instances = new Instances();
             HaproxyController controller = HaproxyController.builder().binary(haproxy)
                     .configFile(dir.resolve("haproxy.cfg")).settings(settingsIn(dir)).reloadWindow(Duration.ZERO)
                     .stopOnClose(true).build().start(ThalassaConfig.empty());
             // The engine keeps the dynamic backend's members equal to the registry's instances of its version.
             MembershipEngine engine = new MembershipEngine(registry, config -> {
                 try {
                     controller.apply(config).reload().join();
                 } catch (ConfigRejectedException e) {
                     throw new IllegalStateException(e.haproxyMessage(), e);
                 }
             })) {
            int blue = instances.start("blue");
            int green = instances.start("green");
            ThalassaConfig config = ThalassaConfig.empty()
                    .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
            engine.update(config);
            try {
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
                // A registry may outlive this program (Consul keeps agent services): take the instances out again.
                registry.deregister("myapp", "1.0.0", "127.0.0.1", blue);
                registry.deregister("myapp", "2.0.0", "127.0.0.1", green);
            }
        }
    }

    /** HAProxy's sockets and files in the work dir {@code dir}; no stats page and no syslog. */
    static HaproxySettings settingsIn(Path dir) throws java.io.IOException {
        Files.createDirectories(dir);
        return HaproxySettings.builder()
                .statsSocket(dir.resolve("haproxy.sock"))
                .pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("haproxy.state"))
                .statsListener(null)
                .logTarget(null)
                .build();
    }
}
