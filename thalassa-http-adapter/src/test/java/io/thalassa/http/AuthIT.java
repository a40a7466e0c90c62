package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roles and tokens on both ports, against the real stack. */
class AuthIT {
    static final String ADMIN = "adm-4f1c2b7e9d0a8c3f";
    static final String REGISTER = "reg-8a7b6c5d4e3f2a1b";
    static final String READ = "read-1a2b3c4d5e6f7a8b";

    @TempDir
    Path dir;

    static Path tokensFile(Path dir) throws Exception {
        return Files.writeString(dir.resolve("tokens"), "# roles\nadmin:" + ADMIN + "\nregister:" + REGISTER
                + "\n\nread:" + READ + "\n");
    }

    @Test
    void everyRequestButHealthNeedsATokenWithTheRightRole() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--tokens", tokensFile(dir).toString())) {
            Http api = stack.api;
            Reply none = api.get("/frontends");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer realm=\"thalassa\"");
            assertThat(none.json().get("error").asText()).isEqualTo("unauthorized");
            Reply unknown = api.get("/frontends", "Authorization", "Bearer " + ADMIN + "0");
            assertThat(unknown.status()).isEqualTo(401);
            assertThat(unknown.header("WWW-Authenticate")).contains("invalid_token");
            assertThat(unknown.body()).doesNotContain(ADMIN);

            assertThat(api.get("/frontends", "Authorization", "Bearer " + READ).status()).isEqualTo(200);
            Reply readWrites = api.put("/backends/b", "{'type':'static'}", "Authorization", "Bearer " + READ);
            assertThat(readWrites.status()).isEqualTo(403);
            assertThat(readWrites.json().get("reason").asText()).contains("needs role admin");
            assertThat(api.get("/backends/b", "Authorization", "Bearer " + ADMIN).status()).isEqualTo(404);
            assertThat(api.put("/backends/b", "{'type':'static'}", "Authorization", "Bearer " + ADMIN).status())
                    .isEqualTo(200);
            assertThat(api.get("/frontends", "Authorization", "Bearer " + REGISTER).status()).isEqualTo(403);

            assertThat(api.get("/health/live").status()).isEqualTo(200);
            assertThat(api.get("/").status()).as("the UI's page itself holds no data").isEqualTo(200);
            assertThat(api.get("/openapi.json").status()).as("the API docs hold no data").isEqualTo(200);
            assertThat(api.get("/status").status()).isEqualTo(401);

            // the stats password is for admins only
            String asAdmin = api.get("/haproxy/config", "Authorization", "Bearer " + ADMIN).body();
            String asReader = api.get("/haproxy/config", "Authorization", "Bearer " + READ).body();
            assertThat(asAdmin).containsPattern("stats auth \\S+:\\S+");
            assertThat(asReader).contains("stats auth <hidden: admin only>").doesNotContainPattern(
                    "stats auth \\S+:\\S+");

            // the registration port as well
            Http reg = stack.registrations;
            String path = "/registrations/app/1.0.0/127.0.0.1/18081";
            assertThat(reg.post(path, "{}").status()).isEqualTo(401);
            assertThat(reg.post(path, "{}", "Authorization", "Bearer " + READ).status()).isEqualTo(403);
            assertThat(reg.post(path, "{}", "Authorization", "Bearer " + REGISTER).status()).isEqualTo(200);
            assertThat(reg.get("/registrations", "Authorization", "Bearer " + READ).status()).isEqualTo(200);
            assertThat(api.post(path, "{}", "Authorization", "Bearer " + REGISTER).status()).isEqualTo(200);
        }
    }

    @Test
    void theWebSocketNeedsATokenTooInAHeaderOrBesideTheSubProtocol() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--tokens", tokensFile(dir).toString())) {
            URI ws = URI.create("ws://127.0.0.1:" + stack.server.port() + "/ws");
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<WebSocket> anonymous = client.newWebSocketBuilder().buildAsync(ws,
                    new WebSocket.Listener() { });
            assertThat(anonymous).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
                    .satisfies(e -> assertThat(org.assertj.core.util.Throwables.getRootCause(e))
                            .hasMessageContaining("401"));
            WebSocket withHeader = client.newWebSocketBuilder().header("Authorization", "Bearer " + READ)
                    .buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            withHeader.abort();
            WebSocket likeTheUi = client.newWebSocketBuilder().subprotocols("thalassa", "bearer." + READ)
                    .buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            assertThat(likeTheUi.getSubprotocol()).isEqualTo("thalassa");
            likeTheUi.abort();
        }
    }

    @Test
    void aBadTokensFileStopsTheStartNamingTheLineButNotTheToken() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad"), "admin:" + ADMIN + "\nroot:" + READ + "\n");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TestStack.start(dir, "--tokens",
                bad.toString()))).hasMessageContaining("line 2").hasMessageNotContaining(READ);
    }

    @Test
    void withoutTokensOnAWildcardHostLoopbackClientsAreServedAsToday() throws Exception {
        io.thalassa.runtime.Thalassa backplane = TestStack.backplane(dir);
        DaemonOptions options = DaemonOptions.parse("--host", "0.0.0.0", "--port", "0", "--registrationPort", "0",
                "--dbPath", dir.resolve("db").toString());
        java.io.PrintStream out = System.out; // where logback writes, as it is at each line
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(new java.io.OutputStream() { // both: the console and the check
            @Override
            public void write(int b) {
                out.write(b);
                log.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(b, off, len);
                log.write(b, off, len);
            }
        }, true));
        ThalassaHttp started;
        try {
            started = ThalassaHttp.serve(backplane, options.http());
        } catch (RuntimeException | java.io.IOException e) {
            TestStack.stop(backplane);
            throw e;
        } finally {
            System.setOut(out);
        }
        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).as("said at start")
                .contains("protected mode").contains("--tokens");
        try (ThalassaHttp server = started) {
            Http api = new Http("http://127.0.0.1:" + server.port());
            assertThat(api.put("/backends/b", "{'type':'static'}").status()).isEqualTo(200);
            assertThat(api.get("/backends/b").status()).isEqualTo(200);
            assertThat(server.uri().toString()).startsWith("http://127.0.0.1:");
        } finally {
            TestStack.stop(backplane);
        }
    }
}
