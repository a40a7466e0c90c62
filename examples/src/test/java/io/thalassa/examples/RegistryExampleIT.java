package io.thalassa.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the registry example against the real HAProxy and checks what it printed. */
class RegistryExampleIT {
    @TempDir
    Path dir;

    @Test
    void theExampleRoutesToTheRegisteredInstanceAndSwitchesVersionWithoutAReload() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            RegistryExample.main(new String[] {dir.toString(), Integer.toString(port), haproxy()});
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly("1.0.0 -> blue",
                "2.0.0 -> green", "reloads since the backend existed: 0");
    }

    static String haproxy() {
        String env = System.getenv("THALASSA_HAPROXY_BINARY");
        for (String candidate : new String[] {env, "/usr/sbin/haproxy"}) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("HAProxy 2.6 is not installed: run scripts/install-tools.sh or set "
                + "THALASSA_HAPROXY_BINARY");
    }
}
