package io.thalassa.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end: an instance registered in a real registry (embedded, or a real Consul agent) receives traffic through
 * a real HAProxy, and a version switch moves it, without a reload.
 */
class RegistryToHaproxyIT {
    @TempDir
    Path dir;
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "consul"})
    void aRegisteredInstanceGetsTrafficAndAVersionSwitchMovesItWithoutAReload(String kind) throws Exception {
        Registry registry;
        if (kind.equals("consul")) {
            ConsulAgent agent = ConsulAgent.start(dir.resolve("consul"));
            cleanup.add(agent);
            registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort()).wait(Duration.ofSeconds(5))
                    .build();
        } else {
            registry = EmbeddedRegistry.create();
        }
        cleanup.add(registry);
        NamedHttpServer a = named("a");
        NamedHttpServer b = named("b");
        int port = freePort();
        HaproxySettings settings = HaproxySettings.builder().statsSocket(dir.resolve("stats.sock"))
                .pidFile(dir.resolve("haproxy.pid")).serverStateFile(dir.resolve("server-state"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + freePort())).logTarget(null).build();
        HaproxyController controller = HaproxyController.builder().binary(haproxy())
                .configFile(dir.resolve("haproxy.cfg")).settings(settings).reloadWindow(Duration.ZERO)
                .stopOnClose(true).build();
        cleanup.add(controller);
        controller.start(ThalassaConfig.empty());
        MembershipEngine engine = new MembershipEngine(registry, config -> {
            try {
                controller.apply(config).reload().join();
            } catch (ConfigRejectedException e) {
                throw new IllegalStateException(e);
            }
        });
        cleanup.add(engine);
        ThalassaConfig base = ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
        engine.update(base);
        long reloads = controller.reloadCount();
        List<Long> workers = controller.workerPids();

        registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", a.port(),
                Map.of("owner", "it"), Duration.ofSeconds(30)));
        registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", b.port(), null,
                Duration.ofSeconds(30)));
        awaitAnswer(port, "200 a");

        engine.update(base.withBackend(base.backend("live").orElseThrow().withService("myapp", "2.0.0")));
        awaitAnswer(port, "200 b");

        assertThat(controller.reloadCount()).isEqualTo(reloads);
        assertThat(controller.workerPids()).isEqualTo(workers);
    }

    static void awaitAnswer(int port, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = get(port);
            if (last.equals(expected)) {
                // and it stays so
                for (int i = 0; i < 5; i++) {
                    assertThat(get(port)).isEqualTo(expected);
                }
                return;
            }
            Thread.sleep(20);
        }
        assertThat(last).isEqualTo(expected);
    }

    static String get(int port) {
        return NamedHttpServer.answerOf(port);
    }

    NamedHttpServer named(String name) throws IOException {
        NamedHttpServer server = new NamedHttpServer(name);
        cleanup.add(server);
        return server;
    }

    static int freePort() {
        return NamedHttpServer.freePort();
    }

    static String haproxy() {
        return NamedHttpServer.haproxyBinary();
    }
}
