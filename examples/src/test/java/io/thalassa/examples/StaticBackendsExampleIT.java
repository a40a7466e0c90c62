package io.thalassa.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            StaticBackendsExample.main(new String[] {dir.toString(), Integer.toString(port),
                    RegistryExampleIT.haproxy()});
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly(
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
