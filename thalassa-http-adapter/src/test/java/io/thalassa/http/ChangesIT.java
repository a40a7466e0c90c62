package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every write can be followed to the end, against the real stack: its answer names its change (header and body),
 * {@code GET /changes/{id}} and {@code ?wait} tell pending, applied or failed with HAProxy's words, and
 * {@code /status} says whether HAProxy runs what was accepted.
 */
class ChangesIT {
    @TempDir
    Path dir;
    TestStack stack;
    NamedHttpServer a;

    @BeforeEach
    void setUp() throws IOException {
        stack = TestStack.start(dir);
        a = new NamedHttpServer("a");
    }

    @AfterEach
    void tearDown() {
        stack.close();
        a.close();
    }

    @Test
    void aWriteNamesItsChangeAndWaitAnswersOnceHaproxyRunsIt() {
        int port = TestStack.freePort();
        Reply put = stack.api.put("/backends/live?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1',"
                + "'port':" + a.port() + "}]}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        long id = Long.parseLong(put.header("X-Thalassa-Change"));
        assertThat(put.json().at("/change/id").asLong()).isEqualTo(id);
        assertThat(put.json().at("/change/state").asText()).isEqualTo("applied");
        // the ETag is the item's, as GET gives it
        assertThat(put.header("ETag")).isEqualTo(stack.api.get("/backends/live").header("ETag"));

        Reply frontend = stack.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port
                + "','backend':'live'}");
        assertThat(frontend.status()).isEqualTo(200);
        assertThat(frontend.json().at("/change/kind").asText()).isEqualTo("reload");
        assertThat(frontend.json().at("/change/state").asText()).isEqualTo("applied");
        // applied means HAProxy serves it: no polling needed
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 a");

        long fid = frontend.json().at("/change/id").asLong();
        JsonNode change = stack.api.get("/changes/" + fid).json();
        assertThat(change.get("state").asText()).isEqualTo("applied");
        assertThat(change.get("url").asText()).isEqualTo("/changes/" + fid);
        assertThat(stack.api.get("/changes/999999").status()).isEqualTo(404);
        assertThat(stack.api.get("/changes/x").status()).isEqualTo(400);
        assertThat(stack.api.put("/frontends/web?wait=forever", "{'bind':'127.0.0.1:" + port + "'}").json()
                .get("field").asText()).isEqualTo("wait");

        // the answer of a write can be put back as it is
        Reply again = stack.api.send("PUT", "/backends/live", put.body());
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(stack.api.get("/status").json().at("/haproxy/runsDesired").asBoolean()).isTrue();
    }

    @Test
    void aReloadHaproxyRefusesIsAFailedChangeWithItsWordsInTheApiAndStatus() throws Exception {
        int port = TestStack.freePort();
        stack.api.put("/backends/live?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1','port':"
                + a.port() + "}]}");
        stack.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
        int clash = TestStack.freePort();
        Reply accepted = stack.api.put("/frontends/clash", "{'bind':'127.0.0.1:" + clash + "','backend':'live'}");
        assertThat(accepted.status()).isEqualTo(200);
        long id = accepted.json().at("/change/id").asLong();
        assertThat(accepted.json().at("/change/state").asText()).isEqualTo("pending");
        JsonNode failed;
        // another process takes the port before the reload (100 ms window): HAProxy cannot bind it
        try (ServerSocket taken = new ServerSocket(clash, 1, InetAddress.getByName("127.0.0.1"))) {
            failed = stack.api.get("/changes/" + id + "?wait=20s").json();
        }
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("message").asText()).contains("cannot bind socket").contains("127.0.0.1:" + clash);
        JsonNode status = stack.api.get("/status").json().get("haproxy");
        assertThat(status.get("runsDesired").asBoolean()).isFalse();
        assertThat(status.at("/failed/id").asLong()).isEqualTo(id);
        assertThat(status.get("failedReloads").asInt()).isEqualTo(1);
        assertThat(stack.api.get("/activity").body()).contains("cannot bind socket");
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 a");

        // a write of the same structure with ?wait is refused at once: it is not tried again
        Reply same = stack.api.put("/frontends/clash?wait=5s", "{'bind':'127.0.0.1:" + clash + "','backend':'live',"
                + "'mode':'http'}");
        assertThat(same.status()).as(same.toString()).isEqualTo(409);
        assertThat(same.json().get("error").asText()).isEqualTo("change_failed");
        assertThat(stack.api.get("/status").json().at("/haproxy/failedReloads").asInt()).isEqualTo(1);

        // taking it back: HAProxy runs what is accepted again
        Reply undo = stack.api.delete("/frontends/clash?wait=5s");
        assertThat(undo.status()).isEqualTo(200);
        assertThat(stack.api.get("/status").json().at("/haproxy/runsDesired").asBoolean()).isTrue();
    }

    @Test
    void aConfigurationOverTheFileDescriptorLimitIsA400ThatNamesNeedAndLimit() throws IOException {
        stack.close();
        stack = TestStack.startWith(java.nio.file.Files.createDirectories(dir.resolve("limited")),
                new String[] {"--haproxyMaxFiles", "8600"});
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            members.append(i == 0 ? "" : ",").append("{'host':'127.0.0.1','port':").append(20_000 + i).append('}');
        }
        // 2 x maxconn 4096 take 8,192 of the 8,600; 400 members and their headroom are checked servers too
        Reply r = stack.api.put("/backends/big", "{'type':'static','members':[" + members + "]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(stack.api.get("/backends").json()).isEmpty();
        JsonNode body = r.json();
        assertThat(body.get("error").asText()).isEqualTo("capacity_exceeded");
        assertThat(body.get("needed").asLong()).isGreaterThan(body.get("available").asLong());
        assertThat(body.get("reason").asText()).contains("file descriptors");
        JsonNode status = stack.api.get("/status").json().get("haproxy");
        assertThat(status.at("/fileDescriptors/needed").asLong())
                .isLessThanOrEqualTo(status.at("/fileDescriptors/available").asLong());
        assertThat(status.get("runsDesired").asBoolean()).isTrue();
    }
}
