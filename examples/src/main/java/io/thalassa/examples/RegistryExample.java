package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A dynamic backend fed by the embedded registry, in front of a real HAProxy: an instance registers, HAProxy routes
 * to it without a reload, a blue/green version switch moves the traffic. Everything on 127.0.0.1.
 *
 * <p>Usage: {@code RegistryExample <work dir> <frontend port> [haproxy binary]}; prints what HAProxy answered.
 */
public final class RegistryExample {
    private RegistryExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]).toAbsolutePath());
        int port = Integer.parseInt(args[1]);
        String haproxy = args.length > 2 ? args[2] : "haproxy";
        HaproxySettings settings = HaproxySettings.builder()
                .statsSocket(dir.resolve("haproxy.sock"))
                .pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("haproxy.state"))
                .statsListener(null)
                .logTarget(null)
                .build();
        try (Instances instances = new Instances();
             EmbeddedRegistry registry = EmbeddedRegistry.create();
             HaproxyController controller = HaproxyController.builder().binary(haproxy)
                     .configFile(dir.resolve("haproxy.cfg")).settings(settings).reloadWindow(Duration.ZERO)
                     .stopOnClose(true).build().start(ThalassaConfig.empty());
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

            registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", blue, Map.of("color", "blue"),
                    Duration.ofSeconds(30)));
            registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", green, Map.of("color", "green"),
                    Duration.ofSeconds(30)));
            System.out.println("1.0.0 -> " + awaitAnswer(port, "/", "blue"));

            engine.update(config.withBackend(config.backend("live").orElseThrow().withService("myapp", "2.0.0")));
            System.out.println("2.0.0 -> " + awaitAnswer(port, "/", "green"));
            System.out.println("reloads since the backend existed: " + (controller.reloadCount() - 1));
        }
    }
}
