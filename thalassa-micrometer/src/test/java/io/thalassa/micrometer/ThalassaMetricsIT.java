package io.thalassa.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thalassa.Backend;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The daemon's meters of a Thalassa running a real HAProxy, in two plain Micrometer registries at once. */
class ThalassaMetricsIT {
    private static Path workDir(String name) throws Exception {
        Path dir = Path.of("target", "it", name + "-" + System.nanoTime()).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    @Test
    void reloadsAppliesRuntimeChangesAndHaproxyStateAppearInEveryBoundRegistry() throws Exception {
        int port = NamedHttpServer.freePort();
        EmbeddedRegistry registry = EmbeddedRegistry.create();
        MeterRegistry one = new SimpleMeterRegistry();
        MeterRegistry two = new SimpleMeterRegistry();
        try (NamedHttpServer app = new NamedHttpServer("a")) {
            Thalassa thalassa = Thalassa.builder().workDir(workDir("metrics")).registry(registry)
                    .haproxyBinary(NamedHttpServer.haproxyBinary()).start();
            try (ThalassaMetrics metrics = ThalassaMetrics.of(thalassa)) {
                metrics.bindTo(one);
                metrics.bindTo(two);
                assertThat(one.get("thalassa.haproxy.up").gauge().value()).isEqualTo(1.0);
                assertThat(one.get("thalassa.config.frontends").gauge().value()).isZero();
                assertThat(one.get("thalassa.haproxy.runtime.changes").counter().count()).isZero();

                thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                        .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                        .await(Duration.ofSeconds(10));
                registry.register(Registration.of("myapp", "1.0.0", "127.0.0.1", app.port(), Map.of(),
                        Duration.ofSeconds(60)));
                await(() -> NamedHttpServer.answerOf(port).equals("200 a"));

                for (MeterRegistry r : new MeterRegistry[] {one, two}) {
                    assertThat(r.get("thalassa.config.frontends").gauge().value()).isEqualTo(1.0);
                    assertThat(r.get("thalassa.config.backends").gauge().value()).isEqualTo(1.0);
                    assertThat(r.get("thalassa.config.version").gauge().value()).isPositive();
                    assertThat(r.get("thalassa.haproxy.runs.desired").gauge().value()).isEqualTo(1.0);
                    assertThat(r.get("thalassa.haproxy.servers").gauge().value()).isPositive();
                    assertThat(r.get("thalassa.registry.healthy").gauge().value()).isEqualTo(1.0);
                    assertThat(r.get("thalassa.haproxy.reloads").functionCounter().count()).isGreaterThanOrEqualTo(1);
                    assertThat(r.get("thalassa.haproxy.reloads.failed").functionCounter().count()).isZero();
                    assertThat(r.get("thalassa.apply").tag("kind", "reload").timer().count()).isGreaterThanOrEqualTo(1);
                    assertThat(r.get("thalassa.apply").tag("kind", "runtime").timer().count()).isGreaterThanOrEqualTo(1);
                    assertThat(r.get("thalassa.haproxy.runtime.changes").counter().count()).isGreaterThanOrEqualTo(1);
                    await(() -> r.find("thalassa.haproxy.reload").tag("outcome", "done").timer() != null);
                    Timer reload = r.get("thalassa.haproxy.reload").tag("outcome", "done").timer();
                    assertThat(reload.count()).isGreaterThanOrEqualTo(1);
                }
            } finally {
                thalassa.stop();
            }
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s");
            }
            Thread.sleep(50);
        }
    }
}
