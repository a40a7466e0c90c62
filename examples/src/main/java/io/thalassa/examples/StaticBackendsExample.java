package io.thalassa.examples;

import static io.thalassa.examples.Requests.awaitAnswer;
import static io.thalassa.examples.Requests.distinctAnswers;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import java.nio.file.Path;
import java.util.List;

/**
 * Static backends written in code, in front of a real HAProxy: requests under {@code /api/} go to the {@code api}
 * pool, everything else to the {@code web} pool. Then the {@code api} pool gets a second member through
 * {@link HaproxyController#apply}, which HAProxy takes through its runtime API, without a reload. Everything on
 * 127.0.0.1.
 *
 * <p>Usage: {@code StaticBackendsExample <work dir> <frontend port> [haproxy binary]}; prints what HAProxy answered.
 */
public final class StaticBackendsExample {
    private StaticBackendsExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String haproxy = args.length > 2 ? args[2] : "haproxy";
        HaproxySettings settings = BlueGreen.settingsIn(dir); // HAProxy's sockets and files in the work dir
        try (Instances instances = new Instances()) {
            // The servers to balance: small HTTP servers on 127.0.0.1 that answer their own name.
            int web1 = instances.start("web-1");
            int web2 = instances.start("web-2");
            int api1 = instances.start("api-1");
            int api2 = instances.start("api-2");
            ThalassaConfig config = ThalassaConfig.empty()
                    .withBackend(Backend.staticBackend("web")
                            .member("127.0.0.1", web1)
                            .member("127.0.0.1", web2)
                            .build())
                    .withBackend(Backend.staticBackend("api")
                            .member("127.0.0.1", api1)
                            .build())
                    .withFrontend(Frontend.builder("front").bind("127.0.0.1:" + port).defaultBackend("web")
                            .rule(Rule.pathBegins("/api/", "api"))
                            .build());
            // start() renders haproxy.cfg, checks it with haproxy -c and starts HAProxy; closing stops it again.
            try (HaproxyController controller = HaproxyController.builder().binary(haproxy)
                    .configFile(dir.resolve("haproxy.cfg")).settings(settings).stopOnClose(true).build()
                    .start(config)) {
                System.out.println("/ -> " + String.join(", ", distinctAnswers(port, "/", 2)));
                System.out.println("/api/orders -> " + awaitAnswer(port, "/api/orders", "api-1"));

                // Only members change: the controller puts the new one in a free server slot through the runtime API.
                ApplyResult result = controller.apply(config.withMembers("api",
                        List.of(Member.of("127.0.0.1", api1), Member.of("127.0.0.1", api2))));
                System.out.println("api gets a second member: " + result.kind());
                System.out.println("/api/orders -> " + String.join(", ", distinctAnswers(port, "/api/orders", 2)));
                System.out.println("reloads: " + controller.reloadCount());
            }
        }
    }
}
