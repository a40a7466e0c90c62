package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random rule values full of HAProxy's special characters (quotes, backslashes, '#', '$', spaces) must reach
 * HAProxy literally: the config stays valid, gains no line, and a request carrying exactly the value is routed by it.
 */
class QuotingIT {
    /** No comma: HAProxy's hdr() matches each comma-separated element of a header, not the whole line. */
    private static final String NASTY = "ab '\"\\#$ {}%;&|<>()*?+^.[]=:/!~`-_@";

    private static String randomValue(Random random) {
        StringBuilder sb = new StringBuilder();
        int len = 1 + random.nextInt(12);
        for (int i = 0; i < len; i++) {
            sb.append(NASTY.charAt(random.nextInt(NASTY.length())));
        }
        return sb.toString().strip().isEmpty() ? "x" + sb + "x" : "x" + sb.toString().strip() + "x";
    }

    @Test
    void randomValuesAreMatchedLiterallyByRealHaproxy(@TempDir Path dir) throws Exception {
        Random random = new Random(20261122L);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            values.add(randomValue(random));
        }
        try (NamedHttpServer fallback = new NamedHttpServer("fallback");
             NamedHttpServer hit = new NamedHttpServer("hit")) {
            int port = RawHttp.freePort();
            Frontend.Builder web = Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("fallback");
            for (String v : values) {
                web.rule(Rule.header("X-Probe", Rule.Operation.HDR, v, "hit"));
            }
            ThalassaConfig config = ThalassaConfig.empty()
                    .withBackend(Backend.staticBackend("fallback").member("127.0.0.1", fallback.port()).build())
                    .withBackend(Backend.staticBackend("hit").member("127.0.0.1", hit.port()).build())
                    .withFrontend(web.build());
            HaproxySettings settings = HaproxySettings.builder().daemon(false).masterWorker(false)
                    .statsSocket(dir.resolve("s.sock")).statsListener(null).logTarget(null).build();
            String text = HaproxyConfigRenderer.defaultTemplate().render(config, settings).text();
            assertThat(text.lines().filter(l -> l.startsWith("    acl ")).count()).isEqualTo(values.size());
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, text);
            assertThat(HaproxyCheckIT.check(cfg).exitCode()).as(text).isZero();

            Process haproxy = new ProcessBuilder(HaproxyBinary.find().toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (true) {
                    try {
                        RawHttp.get(port, "/", "probe");
                        break;
                    } catch (java.io.IOException e) {
                        if (System.nanoTime() > deadline || !haproxy.isAlive()) {
                            throw new AssertionError("HAProxy did not start: " + Files.readString(dir.resolve("log")));
                        }
                        Thread.sleep(50);
                    }
                }
                for (String v : values) {
                    assertThat(RawHttp.get(port, "/", "h", "X-Probe: " + v).body()).as(v).isEqualTo("hit");
                    assertThat(RawHttp.get(port, "/", "h", "X-Probe: " + v + "-").body()).as(v + "-")
                            .isEqualTo("fallback");
                }
            } finally {
                haproxy.destroy();
                if (!haproxy.waitFor(5, TimeUnit.SECONDS)) {
                    haproxy.destroyForcibly();
                }
            }
        }
    }
}
