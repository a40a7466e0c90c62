package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
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
             Thalassa thalassa = Thalassa.builder().workDir(dir).haproxyBinary(haproxy).registry(registry)
                     .stopHaproxyOnClose(true).start()) {
            int blue = instances.start("blue");
            int green = instances.start("green");
            thalassa.update(config -> config
                    .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                    .await(Duration.ofSeconds(10));
            long reloads = thalassa.controller().reloadCount();
            try {
                registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", blue, Map.of("color", "blue"),
                        Duration.ofSeconds(30)));
                registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", green, Map.of("color", "green"),
                        Duration.ofSeconds(30)));
                System.out.println("1.0.0 -> " + awaitAnswer(port, "/", "blue"));

                // Blue/green: the backend subscribes to 2.0.0; its members are swapped through the runtime API.
                thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10));
                System.out.println("2.0.0 -> " + awaitAnswer(port, "/", "green"));
                System.out.println("reloads since the backend existed: " + (thalassa.controller().reloadCount()
                        - reloads));
            } finally {
                // A registry may outlive this program (Consul keeps agent services): take the instances out again.
                registry.deregister("myapp", "1.0.0", "127.0.0.1", blue);
                registry.deregister("myapp", "2.0.0", "127.0.0.1", green);
            }
        }
    }
}
