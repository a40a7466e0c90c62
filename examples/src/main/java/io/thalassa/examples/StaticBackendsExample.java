package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;
import static io.thalassa.examples.Requests.distinctAnswers;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.runtime.Change;
import io.thalassa.runtime.Thalassa;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Static backends written in code, in front of a real HAProxy: requests under {@code /api/} go to the {@code api}
 * pool, everything else to the {@code web} pool. Then the {@code api} pool gets a second member, which HAProxy takes
 * through its runtime API, without a reload. Everything on 127.0.0.1.
 *
 * <p>Usage: {@code StaticBackendsExample <work dir> <frontend port> [haproxy binary]}; prints what HAProxy answered.
 */
public final class StaticBackendsExample {
    private StaticBackendsExample() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        try (Instances instances = new Instances(); // small HTTP servers on 127.0.0.1 that answer their own name
             Thalassa thalassa = Thalassa.builder().workDir(Path.of(args[0])).stopHaproxyOnClose(true)
                     .haproxyBinary(args.length > 2 ? args[2] : "haproxy").start()) {
            Backend web = Backend.staticBackend("web").member("127.0.0.1", instances.start("web-1"))
                    .member("127.0.0.1", instances.start("web-2")).build();
            Backend api = Backend.staticBackend("api").member("127.0.0.1", instances.start("api-1")).build();
            int api2 = instances.start("api-2");
            thalassa.update(config -> config.withBackend(web).withBackend(api)
                    .withFrontend(Frontend.builder("front").bind("127.0.0.1:" + port).defaultBackend("web")
                            .rule(Rule.pathBegins("/api/", "api")).build()))
                    .await(Duration.ofSeconds(10));
            System.out.println("/ -> " + String.join(", ", distinctAnswers(port, "/", 2)));
            System.out.println("/api/orders -> " + awaitAnswer(port, "/api/orders", "api-1"));
            long reloads = thalassa.controller().reloadCount();

            // Only members change: the new one goes into a free server slot through the runtime API.
            Change change = thalassa.update(config -> config.withBackend(api.toBuilder().member("127.0.0.1", api2)
                    .build())).await(Duration.ofSeconds(10));
            System.out.println("api gets a second member: " + change.status().orElseThrow().kind());
            System.out.println("/api/orders -> " + String.join(", ", distinctAnswers(port, "/api/orders", 2)));
            System.out.println("reloads: " + (thalassa.controller().reloadCount() - reloads));
        }
    }
}
