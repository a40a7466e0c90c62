package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's embedding program twice, as written (HAProxy on the PATH), against the real HAProxy. */
class EmbeddingExampleIT {
    @TempDir
    Path dir;

    @AfterEach
    void stopTheHaproxyTheProgramLeftServing() throws Exception {
        Path pidFile = dir.resolve("haproxy.pid");
        if (Files.exists(pidFile)) {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
    }

    @Test
    void theProgramRunsAndASecondRunFindsItsConfigurationWithoutAReload() throws Exception {
        String[] args = {dir.toString(), "127.0.0.1:" + freePort()};
        List<String> first = printedLines(() -> EmbeddingExample.main(args));
        assertThat(String.join("\n", first)).contains("frontends=[web]", "live").contains("runsDesired=true");
        long pid = Long.parseLong(Files.readString(dir.resolve("haproxy.pid")).trim());
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"versions\"");

        List<String> second = printedLines(() -> EmbeddingExample.main(args));
        assertThat(String.join("\n", second)).contains("reloads=0").contains("masterPid=" + pid);
    }
}
