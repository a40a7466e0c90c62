package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.RuntimeApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeApplierTest {
    @TempDir
    Path dir;

    @Test
    void aServersCommandsStopAtTheFirstOneHaproxyRefusesAndJoinsGoBeforeLeaves() throws Exception {
        Path socket = dir.resolve("stats.sock");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (ScriptedCli cli = new ScriptedCli(socket, c -> c.contains("live_slot2 addr") ? "Invalid addr '127.0.0.2'"
                : "")) {
            RuntimeApplier applier = new RuntimeApplier(RuntimeApi.connect(socket, Duration.ofSeconds(5)), scheduler,
                    Duration.ofSeconds(1), (b, s, g, m, l, t) -> { });
            List<ServerCommands.Refusal> refused = applier.send(List.of(
                    new ServerCommands("live", "live_slot3", ServerCommands.LEAVE,
                            List.of("set server live/live_slot3 state drain")),
                    new ServerCommands("live", "live_slot1", ServerCommands.JOIN,
                            List.of("set server live/live_slot1 addr 127.0.0.1 port 8081",
                                    "set server live/live_slot1 state ready")),
                    new ServerCommands("live", "live_slot2", ServerCommands.JOIN,
                            List.of("set server live/live_slot2 addr 127.0.0.2 port 8082",
                                    "set server live/live_slot2 weight 5",
                                    "set server live/live_slot2 state ready"))));
            assertThat(refused).singleElement().satisfies(r -> {
                assertThat(r.server()).isEqualTo("live_slot2");
                assertThat(r.command()).isEqualTo("set server live/live_slot2 addr 127.0.0.2 port 8082");
                assertThat(r.answer()).isEqualTo("Invalid addr '127.0.0.2'");
            });
            // the placeholder of slot 2 is never made ready; the leaving slot drains once the joins are done
            assertThat(cli.received).containsExactly(
                    "set server live/live_slot1 addr 127.0.0.1 port 8081",
                    "set server live/live_slot2 addr 127.0.0.2 port 8082",
                    "set server live/live_slot1 state ready",
                    "set server live/live_slot3 state drain");
        } finally {
            scheduler.shutdownNow();
        }
    }
}
