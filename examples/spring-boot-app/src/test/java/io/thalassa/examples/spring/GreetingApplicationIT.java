package io.thalassa.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example as it ships, but on free ports and with its work directory under target/: its own endpoint answers
 * through the HAProxy Thalassa runs, and its health says so.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class GreetingApplicationIT {
    private static final int LB_PORT = NamedHttpServer.freePort();

    @DynamicPropertySource
    static void onFreePorts(DynamicPropertyRegistry r) throws IOException {
        Path dir = Path.of("target", "it", "greeting-" + Long.toString(System.nanoTime(), 36)).toAbsolutePath();
        Files.createDirectories(dir);
        String shipped;
        try (InputStream in = GreetingApplicationIT.class.getResourceAsStream("/thalassa.yml")) {
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path config = Files.writeString(dir.resolve("thalassa.yml"), shipped.replace("127.0.0.1:8000",
                "127.0.0.1:" + LB_PORT));
        r.add("thalassa.work-dir", dir::toString);
        r.add("thalassa.config-file", config::toString);
        r.add("thalassa.haproxy.binary", NamedHttpServer::haproxyBinary);
    }

    @LocalServerPort
    int port;

    @Autowired
    Thalassa thalassa;

    @Test
    void theApplicationsOwnEndpointAnswersThroughHaproxy() throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String answer = get(LB_PORT, "/hello");
        while (!answer.equals("200 hello from 127.0.0.1:" + port + "\n") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            answer = get(LB_PORT, "/hello");
        }
        assertThat(answer).isEqualTo("200 hello from 127.0.0.1:" + port + "\n");
        assertThat(thalassa.config().backend("greeting").orElseThrow().members()).hasSize(1);
        String health = get(port, "/actuator/health");
        assertThat(health).startsWith("200 ");
        assertThat(new tools.jackson.databind.ObjectMapper().readTree(health.substring(4)).path("components")
                .path("thalassa").path("status").asText()).isEqualTo("UP");
    }

    /** {@code GET path} (HTTP/1.0) on a new connection: {@code "<status> <body>"}. */
    private static String get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = text.indexOf("\r\n\r\n");
            return text.length() < 12 ? "error " + text : text.substring(9, 12) + " " + text.substring(body + 4);
        } catch (IOException e) {
            return "error " + e;
        }
    }
}
