package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.haproxy;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the static backends example against the real HAProxy and checks what it printed. */
class StaticBackendsExampleIT {
    @TempDir
    Path dir;

    @Test
    void theExampleRoutesByPathAndAddsAMemberWithoutAReload() throws Exception {
        String[] args = {dir.toString(), Integer.toString(freePort()), haproxy()};
        assertThat(printedLines(() -> StaticBackendsExample.main(args))).containsExactly(
                "/ -> web-1, web-2",
                "/api/orders -> api-1",
                "api gets a second member: RUNTIME",
                "/api/orders -> api-1, api-2",
                "reloads: 0");
        // stopOnClose: the HAProxy the example started goes away with it (reaped by its parent within moments).
        long pid = Long.parseLong(Files.readString(dir.resolve("haproxy.pid")).trim());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 1000 && isAlive(pid) && System.nanoTime() < deadline; i++) {
            Thread.sleep(10);
        }
        assertThat(isAlive(pid)).as("haproxy master pid %d still running", pid).isFalse();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
