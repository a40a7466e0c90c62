package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Natives are judged against the safe allow-list, and every listener the file would open is checked for overlap. */
class NativesIT {
    @TempDir
    Path dir;

    @Test
    void aNativeServingAFileIsRefusedNamingItAndTheReason() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "the secret");
        try (TestStack stack = TestStack.start(dir)) {
            int port = TestStack.freePort();
            String before = stack.api.get("/haproxy/config").body();
            Reply r = stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'b','natives':["
                    + "'http-request set-header X-A 1','http-request return status 200 content-type text/plain file "
                    + secret + "']}");
            assertBadRequest(r, "invalid_value", "natives[1]");
            assertThat(r.json().get("value").asText()).endsWith("file " + secret);
            assertThat(r.json().get("reason").asText()).contains("reads or writes a file").contains("--unsafeNatives");
            assertBadRequest(stack.api.put("/backends/b", "{'type':'static','natives':['server s /tmp/x.sock']}"),
                    "invalid_value", "natives[0]");
            assertBadRequest(stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'b',"
                    + "'natives':['bind 127.0.0.1:" + TestStack.freePort() + "']}"), "invalid_value", "natives[0]");
            assertThat(stack.api.get("/haproxy/config").body()).isEqualTo(before).doesNotContain(secret.toString());
            assertThat(stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'b','natives':["
                    + "'http-request return status 200 content-type text/plain string ok']}").status()).isEqualTo(200);
        }
    }

    @Test
    void withUnsafeNativesTheBindOverlapCheckStillSeesNativeListeners() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--unsafeNatives")) {
            int port = TestStack.freePort();
            int other = TestStack.freePort();
            assertThat(stack.api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':1}]}")
                    .status()).isEqualTo(200);
            assertThat(stack.api.put("/frontends/one", "{'bind':'127.0.0.1:" + port + "','backend':'b'}").status())
                    .isEqualTo(200);
            String before = stack.api.get("/haproxy/config").body();
            Reply hijack = stack.api.put("/frontends/two", "{'bind':'127.0.0.1:" + other + "','backend':'b',"
                    + "'natives':['bind 127.0.0.1:" + port + "']}");
            assertBadRequest(hijack, "invalid_value", "natives[0]"); // the field that opens the listener
            assertThat(hijack.json().get("value").asText()).isEqualTo("bind 127.0.0.1:" + port);
            assertThat(hijack.json().get("reason").asText()).contains("frontend one");
            Reply wildcard = stack.api.put("/frontends/two", "{'bind':'127.0.0.1:" + other + "','backend':'b',"
                    + "'natives':['bind :" + port + "']}");
            assertThat(wildcard.status()).as(wildcard.toString()).isEqualTo(400);
            String cfg = stack.api.get("/haproxy/config").body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("listen stats\\s+bind 127.0.0.1:(\\d+)")
                    .matcher(cfg);
            assertThat(m.find()).as(cfg).isTrue();
            int statsPort = Integer.parseInt(m.group(1));
            Reply onStats = stack.api.put("/frontends/three", "{'bind':'127.0.0.1:" + other + "','backend':'b',"
                    + "'natives':['bind 127.0.0.1:" + statsPort + "']}");
            assertThat(onStats.status()).as(onStats.toString()).isEqualTo(400);
            assertThat(onStats.body()).contains("stats listener");
            assertThat(stack.api.get("/haproxy/config").body()).isEqualTo(before);
            // the admin's choice: a file-serving native is accepted and HAProxy serves it
            Path page = Files.writeString(dir.resolve("page.txt"), "served from a file");
            Reply file = stack.api.put("/frontends/two", "{'bind':'127.0.0.1:" + other + "','backend':'b',"
                    + "'natives':['http-request return status 200 content-type text/plain file " + page + "']}");
            assertThat(file.status()).as(file.toString()).isEqualTo(200);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            TestStack.await(() -> {
                try {
                    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other + "/")).build(),
                            HttpResponse.BodyHandlers.ofString()).body().contains("served from a file");
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
