package io.thalassa.examples;

import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
        HttpServer blue = instance("blue");
        HttpServer green = instance("green");
        HaproxySettings settings = HaproxySettings.builder()
                .statsSocket(dir.resolve("haproxy.sock"))
                .pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("haproxy.state"))
                .statsListener(null)
                .logTarget(null)
                .build();
        try (EmbeddedRegistry registry = EmbeddedRegistry.create();
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
            ThalassaConfig config = ThalassaConfig.empty()
                    .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
            engine.update(config);

            registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", blue.getAddress().getPort(),
                    Map.of("color", "blue"), Duration.ofSeconds(30)));
            registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", green.getAddress().getPort(),
                    Map.of("color", "green"), Duration.ofSeconds(30)));
            System.out.println("1.0.0 -> " + awaitAnswer(port, "blue"));

            engine.update(config.withBackend(config.backend("live").orElseThrow().withService("myapp", "2.0.0")));
            System.out.println("2.0.0 -> " + awaitAnswer(port, "green"));
            System.out.println("reloads since the backend existed: " + (controller.reloadCount() - 1));
        } finally {
            blue.stop(0);
            green.stop(0);
        }
    }

    private static String awaitAnswer(int port, String expected) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String last = "";
        for (int i = 0; i < 200 && !last.equals(expected); i++) {
            try {
                last = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = "error: " + e.getMessage();
            }
            if (!last.equals(expected)) {
                Thread.sleep(25);
            }
        }
        return last;
    }

    private static HttpServer instance(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
