package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;
import static io.thalassa.examples.Requests.distinctAnswers;

import io.thalassa.Backend;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A canary deploy in front of a real HAProxy: three instances of myapp 1.0.0 ("blue") and one of 2.0.0 ("green")
 * register in the embedded registry, then the backend splits its traffic 90/10, 50/50 and 0/100 between the versions
 * with {@link Thalassa#split}: weights through the runtime API, no reload. At 90/10 the one green instance serves
 * 10 % of the requests, not a quarter. Everything on 127.0.0.1.
 *
 * <p>Usage: {@code CanaryExample <work dir> <frontend port> [haproxy binary]}; prints the share green served.
 */
public final class CanaryExample {
    private static final int REQUESTS = 200;

    private CanaryExample() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        EmbeddedRegistry registry = EmbeddedRegistry.create();
        try (Instances instances = new Instances();
             Thalassa thalassa = Thalassa.builder().workDir(Path.of(args[0])).registry(registry)
                     .haproxyBinary(args.length > 2 ? args[2] : "haproxy").stopHaproxyOnClose(true).start()) {
            // slowstart 0: this demo measures each share at once; a joining member otherwise ramps up over 10 s
            thalassa.update(config -> config.withBackend(Backend.dynamic("live").service("myapp", "1.0.0")
                            .slowstart(Duration.ZERO).build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                    .await(Duration.ofSeconds(10));
            for (int i = 0; i < 3; i++) {
                registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", instances.start("blue"), Map.of(),
                        Duration.ofSeconds(60)));
            }
            registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", instances.start("green"), Map.of(),
                    Duration.ofSeconds(60)));
            System.out.println("1.0.0 -> " + awaitAnswer(port, "/", "blue"));
            long reloads = thalassa.controller().reloadCount();

            List<Map<String, Integer>> steps = List.of(Map.of("1.0.0", 90, "2.0.0", 10),
                    Map.of("1.0.0", 50, "2.0.0", 50), Map.of("1.0.0", 0, "2.0.0", 100));
            for (Map<String, Integer> step : steps) {
                // One call: both versions are watched, and HAProxy gets the weights at run time.
                thalassa.split("live", step).await(Duration.ofSeconds(10));
                if (step.get("1.0.0") > 0) {
                    distinctAnswers(port, "/", 2); // both versions answer (a new server is checked first)
                } else {
                    awaitAnswer(port, "/", "green");
                }
                System.out.println("split " + thalassa.config().backend("live").orElseThrow().split().orElseThrow()
                        + " -> green served " + greenShare(port) + " % of " + REQUESTS + " requests");
            }
            System.out.println("reloads since the backend existed: " + (thalassa.controller().reloadCount()
                    - reloads));
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
