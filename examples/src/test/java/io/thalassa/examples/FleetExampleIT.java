package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.haproxy;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.consul.ConsulAgent;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the fleet example: two embedded nodes, two HAProxys, one real Consul agent (dev mode, loopback). */
class FleetExampleIT {
    @TempDir
    Path dir;

    @Test
    void aWriteOnOneNodeIsServedByBothHaproxys() throws Exception {
        String haproxy = haproxy();
        try (ConsulAgent agent = ConsulAgent.start(dir.resolve("consul"))) {
            String[] args = {dir.resolve("fleet").toString(), Integer.toString(freePort()), "127.0.0.1",
                    Integer.toString(agent.httpPort()), haproxy};
            assertThat(printedLines(() -> FleetExample.main(args))).containsExactly("node1 127.0.0.2 -> app",
                    "node2 127.0.0.3 -> app", "fleet converged: true");
        }
    }
}
