package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the controller ITs share: a {@link ControllerFixture} in a temporary directory, the controller under test,
 * named loopback HTTP servers as members, a frontend {@code web} on a free port, and requests through it; all of it
 * stopped after each test, also when it fails.
 */
abstract class ControllerTraffic {
    @TempDir
    Path dir;
    ControllerFixture fx;
    HaproxyController controller;
    final List<AutoCloseable> servers = new ArrayList<>();
    int port;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ControllerFixture(dir);
        port = RawHttp.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (controller != null) {
            controller.close();
        }
        fx.close();
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    NamedHttpServer server(String name) throws IOException {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        return s;
    }

    /** {@code backend} behind the frontend {@code web} on {@link #port}. */
    ThalassaConfig web(Backend backend) {
        return ThalassaConfig.empty().withBackend(backend)
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend(backend.key()).build());
    }

    /** One request through {@code web}: {@code "<status> <body>"}. */
    String get() throws IOException {
        RawHttp.Response r = RawHttp.get(port, "/", "example.com");
        return r.status() + " " + r.body();
    }

    /** The set of answers of n requests. */
    Set<String> answers(int n) throws IOException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            seen.add(get());
        }
        return seen;
    }

    /** Waits up to 5 s until 12 requests in a row give exactly {@code expected}. */
    void awaitAnswers(Set<String> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<String> seen = Set.of();
        while (System.nanoTime() < deadline) {
            seen = answers(12);
            if (seen.equals(expected)) {
                return;
            }
            Thread.sleep(20);
        }
        assertThat(seen).isEqualTo(expected);
    }
}
