package io.thalassa.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Bind;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on 127.0.0.1: an instance that a Spring-Cloud-style Curator client registers in a real ZooKeeper
 * becomes a member of a dynamic backend and answers through a real HAProxy; a version switch to an instance registered
 * through the registry itself moves the traffic without a reload.
 */
class ZookeeperToHaproxyIT {
    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        cleanup.add(resource);
        return resource;
    }

    @Test
    void aZookeeperInstanceAnswersThroughHaproxyAndAVersionSwitchMovesTrafficWithoutAReload() throws Exception {
        ZookeeperServer server = closing(ZookeeperServer.start());
        ZookeeperRegistry registry = closing(ZookeeperRegistry.builder().connect(server.connectString()).build());
        OtherClient springApp = closing(new OtherClient(server.connectString(), "/services", Duration.ofSeconds(10)));
        NamedHttpServer a = closing(new NamedHttpServer("a"));
        NamedHttpServer b = closing(new NamedHttpServer("b"));
        int port = NamedHttpServer.freePort();
        HaproxySettings settings = HaproxySettings.builder().statsSocket(dir.resolve("stats.sock"))
                .pidFile(dir.resolve("haproxy.pid")).serverStateFile(dir.resolve("server-state"))
                .statsListener(Bind.parse("127.0.0.1:" + NamedHttpServer.freePort())).logTarget(null).build();
        HaproxyController controller = closing(HaproxyController.builder().binary(NamedHttpServer.haproxyBinary())
                .configFile(dir.resolve("haproxy.cfg")).settings(settings).reloadWindow(Duration.ZERO)
                .stopOnClose(true).build());
        controller.start(ThalassaConfig.empty());
        MembershipEngine engine = closing(new MembershipEngine(registry, config -> {
            try {
                controller.apply(config).reload().join();
            } catch (ConfigRejectedException e) {
                throw new IllegalStateException(e);
            }
        }));
        ThalassaConfig base = ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
        engine.update(base);
        long reloads = controller.reloadCount();
        List<Long> workers = controller.workerPids();

        springApp.registerSpringCloud("myapp", "a-1", a.port(), Map.of("version", "1.0.0"));
        registry.register(Registration.of("myapp", "2.0.0", "127.0.0.1", b.port(), Map.of(), Duration.ofSeconds(30)));
        awaitAnswer(port, "200 a");

        engine.update(base.withBackend(base.backend("live").orElseThrow().withService("myapp", "2.0.0")));
        awaitAnswer(port, "200 b");

        assertThat(controller.reloadCount()).as("reloads").isEqualTo(reloads);
        assertThat(controller.workerPids()).as("HAProxy's workers").isEqualTo(workers);
    }

    private static void awaitAnswer(int port, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = NamedHttpServer.answerOf(port);
            if (last.equals(expected)) {
                for (int i = 0; i < 5; i++) { // and it stays so
                    assertThat(NamedHttpServer.answerOf(port)).isEqualTo(expected);
                }
                return;
            }
            Thread.sleep(20);
        }
        assertThat(last).isEqualTo(expected);
    }
}
