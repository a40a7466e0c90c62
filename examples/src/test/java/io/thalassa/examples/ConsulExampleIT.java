package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.haproxy;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.consul.ConsulAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        String haproxy = haproxy();
        // Fails with how to install Consul when THALASSA_CONSUL_BINARY names no executable.
        try (ConsulAgent agent = ConsulAgent.start(dir.resolve("consul"))) {
            String[] args = {dir.resolve("haproxy").toString(), Integer.toString(freePort()), "127.0.0.1",
                    Integer.toString(agent.httpPort()), haproxy};
            assertThat(printedLines(() -> ConsulExample.main(args))).containsExactly("1.0.0 -> blue",
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
