package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two HAProxys never share a port: HAProxy binds with SO_REUSEPORT unless told {@code noreuseport}, so a second
 * instance on the same address would silently take half the connections. A second controller is refused naming the
 * address, and the first keeps serving all of the traffic.
 */
class SharedPortIT extends ControllerTraffic {
    @TempDir
    Path otherDir;
    private ControllerFixture other;
    private HaproxyController second;

    @BeforeEach
    void secondFixture() throws IOException {
        other = new ControllerFixture(otherDir);
    }

    @AfterEach
    void stopSecond() {
        if (second != null) {
            second.close();
        }
        other.close();
    }

    private static ThalassaConfig on(int port, NamedHttpServer member) {
        return ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").build()
                        .withMembers(List.of(Member.of("127.0.0.1", member.port()))))
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
    }

    @Test
    void aSecondControllerCannotStartOnAFrontendPortTheFirstHoldsAndTheFirstKeepsAllTheTraffic() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        controller = fx.builder().build().start(on(port, a));
        assertThatThrownBy(() -> other.builder().build().start(on(port, b)))
                .isInstanceOf(ConfigRejectedException.class)
                .hasMessageContaining("127.0.0.1:" + port).hasMessageContaining("another process listens there");
        assertThat(other.masterPid()).as("no second HAProxy was started").isLessThanOrEqualTo(0);
        assertThat(answers(20)).containsExactly("200 a");
    }

    @Test
    void aSecondControllerCannotStartOnTheStatsListenerOfTheFirst() throws Exception {
        NamedHttpServer a = server("a");
        controller = fx.builder().build().start(on(port, a));
        HaproxySettings clash = other.settings.toBuilder().statsListener(fx.settings.statsListener()).build();
        assertThatThrownBy(() -> other.builder().settings(clash).build().start(on(RawHttp.freePort(), a)))
                .isInstanceOf(ConfigRejectedException.class)
                .hasMessageContaining("stats listener").hasMessageContaining(fx.settings.statsListener().toString());
        assertThat(get()).isEqualTo("200 a");
    }

    @Test
    void aChangeThatWouldShareAPortWithAnotherHaproxyIsRefusedNamingTheAddress() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        controller = fx.builder().build().start(on(port, a));
        int own = RawHttp.freePort();
        second = other.builder().build().start(on(own, b));
        String before = second.configText();
        ThalassaConfig clash = on(own, b).withFrontend(Frontend.builder("clash").bind("127.0.0.1:" + port)
                .defaultBackend("live").build());
        assertThatThrownBy(() -> second.apply(clash)).isInstanceOf(ConfigRejectedException.class)
                .hasMessageContaining("frontend clash").hasMessageContaining("127.0.0.1:" + port);
        assertThat(second.configText()).isEqualTo(before);
        assertThat(second.reloadCount()).isZero();
        assertThat(answers(20)).containsExactly("200 a");
        assertThat(RawHttp.get(own, "/", "x").body()).isEqualTo("b");
    }

    @Test
    void withNoreuseportHaproxyItselfRefusesAnAddressAnotherHaproxyHoldsAndWithoutItSharesIt() throws Exception {
        NamedHttpServer a = server("a");
        assertThat(HaproxySettings.defaults().noReusePort()).isTrue();
        for (boolean noReusePort : new boolean[] {true, false}) {
            int shared = RawHttp.freePort();
            Path first = writeConfig("first-" + noReusePort, on(shared, a), noReusePort);
            Path again = writeConfig("again-" + noReusePort, on(shared, a), noReusePort);
            Process one = haproxy(first);
            Process two = null;
            try {
                awaitListening(shared, one);
                two = haproxy(again);
                if (noReusePort) {
                    assertThat(two.waitFor(10, TimeUnit.SECONDS)).as("the second HAProxy exits").isTrue();
                    assertThat(two.exitValue()).isNotZero();
                    assertThat(Files.readString(log(again))).contains("cannot bind socket")
                            .contains("127.0.0.1:" + shared);
                } else {
                    assertThat(two.waitFor(1, TimeUnit.SECONDS)).as("SO_REUSEPORT: both listen").isFalse();
                }
                assertThat(RawHttp.get(shared, "/", "x").body()).isEqualTo("a");
            } finally {
                stop(one);
                stop(two);
            }
        }
    }

    private Path writeConfig(String name, ThalassaConfig config, boolean noReusePort) throws Exception {
        HaproxySettings settings = HaproxySettings.builder().daemon(false).masterWorker(false)
                .statsSocket(dir.resolve(name + ".sock")).statsListener(null).logTarget(null)
                .noReusePort(noReusePort).build();
        Path cfg = dir.resolve(name + ".cfg");
        Files.writeString(cfg, HaproxyConfigRenderer.defaultTemplate().render(config, settings).text());
        assertThat(HaproxyCheckIT.check(cfg).exitCode()).isZero();
        return cfg;
    }

    private static Path log(Path cfg) {
        return cfg.resolveSibling(cfg.getFileName() + ".log");
    }

    private static Process haproxy(Path cfg) throws IOException {
        return new ProcessBuilder(HaproxyBinary.find().toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(log(cfg).toFile()).start();
    }

    private static void awaitListening(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                RawHttp.get(port, "/", "probe");
                return;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("HAProxy did not listen on " + port);
                }
                Thread.sleep(20);
            }
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
