package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real requests through a real HAProxy running a rendered config: routing rules, quoting, dangling routes. */
class RenderedConfigTrafficIT {
    @TempDir
    Path dir;
    private NamedHttpServer live;
    private NamedHttpServer api;
    private NamedHttpServer odd;
    private Process haproxy;

    @BeforeEach
    void startServers() throws Exception {
        live = new NamedHttpServer("live");
        api = new NamedHttpServer("api");
        odd = new NamedHttpServer("odd");
    }

    @AfterEach
    void stopEverything() {
        if (haproxy != null) {
            haproxy.destroy();
            try {
                if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
                    haproxy.destroyForcibly();
                }
            } catch (InterruptedException e) {
                haproxy.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        live.close();
        api.close();
        odd.close();
    }

    private int start(ThalassaConfig config) throws Exception {
        HaproxySettings settings = HaproxySettings.builder().daemon(false).masterWorker(false)
                .statsSocket(dir.resolve("stats.sock")).statsListener(null).logTarget(null).build();
        Path cfg = dir.resolve("haproxy.cfg");
        Files.writeString(cfg, HaproxyConfigRenderer.defaultTemplate().render(config, settings).text());
        haproxy = new ProcessBuilder(HaproxyBinary.find().toString(), "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        int port = config.frontends().values().iterator().next().binds().get(0).port();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                RawHttp.get(port, "/", "probe");
                return port;
            } catch (java.io.IOException notYet) {
                assertThat(haproxy.isAlive()).as(() -> readLog()).isTrue();
                Thread.sleep(50);
            }
        }
        throw new AssertionError("HAProxy did not listen on " + port + ": " + readLog());
    }

    private String readLog() {
        try {
            return Files.readString(dir.resolve("haproxy.log"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void everyRuleKindRoutesRealRequests() throws Exception {
        int port = RawHttp.freePort();
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", live.port()).build())
                .withBackend(Backend.staticBackend("api").member("127.0.0.1", api.port()).build())
                .withBackend(Backend.staticBackend("odd").member("127.0.0.1", odd.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live")
                        .rule(Rule.pathBegins("/api/", "api"))
                        .rule(Rule.path(Rule.Operation.PATH_REG, "^/article/[^/]*\\.html$", "api"))
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "staged.example.com", "odd"))
                        .rule(Rule.header("X-Note", Rule.Operation.HDR_SUB, "it's #1", "odd"))
                        .rule(Rule.url(Rule.Operation.URL, "/exact?x=1", "api"))
                        .build());
        start(config);
        assertThat(RawHttp.get(port, "/", "www.example.com").body()).isEqualTo("live");
        assertThat(RawHttp.get(port, "/api/users", "www.example.com").body()).isEqualTo("api");
        assertThat(RawHttp.get(port, "/article/x.html", "www.example.com").body()).isEqualTo("api");
        assertThat(RawHttp.get(port, "/article/xhtml", "www.example.com").body())
                .as("the regex's \\. reaches HAProxy as an escaped dot").isEqualTo("live");
        assertThat(RawHttp.get(port, "/", "staged.example.com").body()).isEqualTo("odd");
        assertThat(RawHttp.get(port, "/", "www.example.com", "X-Note: so it's #1 then").body()).isEqualTo("odd");
        assertThat(RawHttp.get(port, "/", "www.example.com", "X-Note: its 1").body()).isEqualTo("live");
        assertThat(RawHttp.get(port, "/exact?x=1", "www.example.com").body()).isEqualTo("api");
    }

    @Test
    void frontendWhoseBackendDoesNotExistYetServes503AndOtherRoutesWork() throws Exception {
        int port = RawHttp.freePort();
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("api").member("127.0.0.1", api.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("not-yet")
                        .rule(Rule.pathBegins("/api/", "api")).build());
        start(config);
        assertThat(RawHttp.get(port, "/", "x").status()).isEqualTo(503);
        assertThat(RawHttp.get(port, "/api/1", "x").body()).isEqualTo("api");
    }

    @Test
    void ruleValuesThatLookLikeAclFlagsAreMatchedAsPatterns() throws Exception {
        int port = RawHttp.freePort();
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", live.port()).build())
                .withBackend(Backend.staticBackend("api").member("127.0.0.1", api.port()).build())
                .withBackend(Backend.staticBackend("odd").member("127.0.0.1", odd.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live")
                        .rule(Rule.path(Rule.Operation.PATH_REG, "-i", "api"))
                        .rule(Rule.path(Rule.Operation.PATH_REG, "--x", "odd"))
                        .rule(Rule.header("X-Tag", Rule.Operation.HDR, "-f", "api"))
                        .rule(Rule.header("X-Tag", Rule.Operation.HDR, "-M", "odd"))
                        .build());
        Path cfg = dir.resolve("check.cfg");
        HaproxySettings settings = HaproxySettings.builder().statsSocket(dir.resolve("c.sock")).statsListener(null)
                .logTarget(null).build();
        Files.writeString(cfg, HaproxyConfigRenderer.defaultTemplate().render(config, settings).text());
        assertThat(HaproxyCheckIT.check(cfg).exitCode()).as("haproxy -c accepts path_reg -- -i").isZero();
        start(config);
        assertThat(RawHttp.get(port, "/-i", "h").body()).isEqualTo("api");
        assertThat(RawHttp.get(port, "/a-ix", "h").body()).as("-i is a pattern, not the ignore-case flag")
                .isEqualTo("api");
        assertThat(RawHttp.get(port, "/A-I", "h").body()).as("and matching stays case-sensitive").isEqualTo("live");
        assertThat(RawHttp.get(port, "/--x", "h").body()).isEqualTo("odd");
        assertThat(RawHttp.get(port, "/-x", "h").body()).isEqualTo("live");
        assertThat(RawHttp.get(port, "/", "h", "X-Tag: -f").body()).as("-f opens no file").isEqualTo("api");
        assertThat(RawHttp.get(port, "/", "h", "X-Tag: -M").body()).isEqualTo("odd");
        assertThat(RawHttp.get(port, "/", "h", "X-Tag: f").body()).isEqualTo("live");
    }
}
