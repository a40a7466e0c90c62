package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.RuntimeApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime API against a real HAProxy, at the sizes a first start at scale sends. */
class RuntimeApiIT {
    private static final int BACKENDS = 750;
    private static final int SERVERS = 20;

    @TempDir
    Path dir;

    private Process haproxy;

    @AfterEach
    void stopHaproxy() throws InterruptedException {
        if (haproxy != null) { // our own child, run in the foreground: stopped by its pid
            haproxy.destroy();
            if (!haproxy.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                haproxy.destroyForcibly();
            }
        }
    }

    @Test
    void aBatchOf15000CommandsIsAnsweredWhole() throws Exception {
        Path socket = dir.resolve("haproxy.sock");
        StringBuilder cfg = new StringBuilder("global\n    maxconn 100\n    stats socket " + socket
                + " mode 600 level admin\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n"
                + "    timeout server 5s\nfrontend web\n    bind 127.0.0.1:" + NamedHttpServer.freePort()
                + "\n    default_backend b0\n");
        List<String> commands = new ArrayList<>();
        for (int b = 0; b < BACKENDS; b++) {
            cfg.append("backend b").append(b).append('\n');
            for (int s = 0; s < SERVERS; s++) {
                // in maintenance, unchecked: nothing is sent to 127.0.0.1:1
                cfg.append("    server s").append(s).append(" 127.0.0.1:1 disabled\n");
                commands.add("set server b" + b + "/s" + s + " state drain");
            }
        }
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        haproxy = new ProcessBuilder(NamedHttpServer.haproxyBinary(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        RuntimeApi api = RuntimeApi.connect(socket, Duration.ofSeconds(5));
        awaitAnswer(api);

        // written whole before reading, HAProxy stopped reading once its answers were not read: no answer within 5 s
        List<String> answers = api.batch(commands);

        assertThat(answers).hasSize(BACKENDS * SERVERS).allSatisfy(a -> assertThat(a.strip()).isEmpty());
        for (String backend : List.of("b0", "b374", "b749")) {
            assertThat(api.showServersState(backend)).hasSize(SERVERS)
                    .allSatisfy(row -> assertThat(row.adminState() & 0x08).as("drain").isNotZero());
        }
    }

    private void awaitAnswer(RuntimeApi api) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                api.showInfo();
                return;
            } catch (RuntimeApiException e) {
                if (!haproxy.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("HAProxy did not answer on its socket: "
                            + Files.readString(dir.resolve("haproxy.log")), e);
                }
                Thread.sleep(50);
            }
        }
    }
}
