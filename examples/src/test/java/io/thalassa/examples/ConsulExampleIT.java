package io.thalassa.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.consul.ConsulAgent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the Consul example against a real Consul agent (dev mode, loopback) and the real HAProxy. */
class ConsulExampleIT {
    @TempDir
    Path dir;

    @Test
    void theExampleRoutesToTheInstanceRegisteredInConsulAndSwitchesVersionWithoutAReload() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String haproxy = RegistryExampleIT.haproxy();
        // Fails with how to install Consul when THALASSA_CONSUL_BINARY names no executable.
        try (ConsulAgent agent = ConsulAgent.start(dir.resolve("consul"))) {
            PrintStream original = System.out;
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                ConsulExample.main(new String[] {dir.resolve("haproxy").toString(), Integer.toString(port),
                        "127.0.0.1", Integer.toString(agent.httpPort()), haproxy});
            } finally {
                System.setOut(original);
            }
            assertThat(captured.toString(StandardCharsets.UTF_8).lines()).containsExactly("1.0.0 -> blue",
                    "2.0.0 -> green", "reloads since the backend existed: 0");
            // The example took its instances out of Consul again.
            assertThat(get("http://127.0.0.1:" + agent.httpPort() + "/v1/agent/services")).isEqualTo("{}");
        }
    }

    private static String get(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body().strip();
    }
}
