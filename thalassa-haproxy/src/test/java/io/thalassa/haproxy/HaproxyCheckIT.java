package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.ThalassaConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every golden configuration is accepted by the real {@code haproxy -c}; a broken one is not. */
class HaproxyCheckIT {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    record Check(int exitCode, String output) {
    }

    static Check check(Path cfg) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(HaproxyBinary.find().toString(), "-c", "-f", cfg.toString())
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("haproxy -c did not finish within 60 s on " + cfg);
        }
        return new Check(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @org.junit.jupiter.api.BeforeAll
    static void certificatesOfTheTlsGolden() throws IOException {
        GoldenConfigs.writeTlsFiles();
    }

    @Test
    void everyGoldenFileIsAValidHaproxyConfig() throws Exception {
        List<Path> files;
        try (var stream = Files.list(GOLDEN)) {
            files = stream.filter(f -> f.toString().endsWith(".cfg")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(GoldenConfigs.all().size());
        for (Path file : files) {
            Check c = check(file);
            assertThat(c.exitCode()).as(file + ":\n" + c.output()).isZero();
            assertThat(c.output().lines().filter(l -> l.contains("[WARNING]") || l.contains("[ALERT]"))
                    .filter(l -> !l.contains("Can't open global server state file")))
                    .as(file + ": HAProxy has nothing to warn about in a rendered config").isEmpty();
        }
    }

    @Test
    void freshRenderingsOfEveryGoldenModelAreValid(@TempDir Path dir) throws Exception {
        for (Map.Entry<String, GoldenConfigs.Rendered> e : GoldenConfigs.all().entrySet()) {
            Path cfg = dir.resolve(e.getKey() + ".cfg");
            Files.writeString(cfg, e.getValue().result.text());
            Check c = check(cfg);
            assertThat(c.exitCode()).as(e.getKey() + ":\n" + c.output()).isZero();
        }
    }

    @Test
    void invalidNativeIsRejectedByHaproxyWithItsLine(@TempDir Path dir) throws Exception {
        ThalassaConfig config = ThalassaConfig.empty().withBackend(Backend.staticBackend("b")
                .nativeLine("option no-such-option").member("127.0.0.1", 9).build());
        String text = HaproxyConfigRenderer.defaultTemplate().render(config, HaproxySettings.defaults()).text();
        Path cfg = dir.resolve("bad.cfg");
        Files.writeString(cfg, text);
        Check c = check(cfg);
        int line = text.lines().toList().indexOf("    option no-such-option") + 1;
        assertThat(c.exitCode()).isNotZero();
        assertThat(c.output()).contains("no-such-option").contains(":" + line + "]");
    }
}
