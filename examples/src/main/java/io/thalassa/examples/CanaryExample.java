package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;
import static io.thalassa.examples.Requests.distinctAnswers;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A canary deploy in front of a real HAProxy: three instances of myapp 1.0.0 ("blue") and one of 2.0.0 ("green")
 * register in the embedded registry, then the backend splits its traffic 90/10, 50/50 and 0/100 between the versions
 * with {@link Backend#withSplit(Map)}: weights through the runtime API, no reload. At 90/10 the one green instance
 * serves 10 % of the requests, not a quarter. Everything on 127.0.0.1.
 *
 * <p>Usage: {@code CanaryExample <work dir> <frontend port> [haproxy binary]}; prints the share green served.
 */
public final class CanaryExample {
    private static final int REQUESTS = 200;

    private CanaryExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String haproxy = args.length > 2 ? args[2] : "haproxy";
        try (EmbeddedRegistry registry = EmbeddedRegistry.create();
             Instances instances = new Instances();
             HaproxyController controller = HaproxyController.builder().binary(haproxy)
                     .configFile(dir.resolve("haproxy.cfg")).settings(BlueGreen.settingsIn(dir))
                     .reloadWindow(Duration.ZERO).stopOnClose(true).build().start(ThalassaConfig.empty());
             MembershipEngine engine = new MembershipEngine(registry, config -> {
                 try {
                     controller.apply(config).reload().join();
                 } catch (ConfigRejectedException e) {
                     throw new IllegalStateException(e.haproxyMessage(), e);
                 }
             })) {
            Backend live = Backend.dynamic("live").service("myapp", "1.0.0").build();
            ThalassaConfig config = ThalassaConfig.empty().withBackend(live)
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
            engine.update(config);
            for (int i = 0; i < 3; i++) {
                registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", instances.start("blue"), Map.of(),
                        Duration.ofSeconds(60)));
            }
            registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", instances.start("green"), Map.of(),
                    Duration.ofSeconds(60)));
            System.out.println("1.0.0 -> " + awaitAnswer(port, "/", "blue"));
            long reloads = controller.reloadCount();

            List<Map<String, Integer>> steps = List.of(Map.of("1.0.0", 90, "2.0.0", 10),
                    Map.of("1.0.0", 50, "2.0.0", 50), Map.of("1.0.0", 0, "2.0.0", 100));
            for (Map<String, Integer> step : steps) {
                // One call: the engine subscribes to both versions, the controller sets the weights at run time.
                Backend split = live.withSplit(step);
                engine.update(config.withBackend(split));
                if (step.get("1.0.0") > 0) {
                    distinctAnswers(port, "/", 2); // both versions answer (a new server is checked first)
                } else {
                    awaitAnswer(port, "/", "green");
                }
                System.out.println("split " + split.split().orElseThrow() + " -> green served "
                        + greenShare(port) + " % of " + REQUESTS + " requests");
            }
            System.out.println("reloads since the backend existed: " + (controller.reloadCount() - reloads));
        }
    }

    private static long greenShare(int port) throws InterruptedException {
        List<String> answers = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            answers.add(Requests.get(port, "/"));
        }
        return Math.round(100.0 * answers.stream().filter("green"::equals).count() / REQUESTS);
    }
}
