package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** GET /history, GET /history/{rev} and POST /history/{rev}/revert against the real stack. */
class HistoryApiIT {
    static final String AUTH = "Bearer " + AuthIT.ADMIN;

    @TempDir
    Path dir;

    @Test
    void everyChangeIsARevisionWithItsRoleAndADiffAndRevertGivesTheSameHaproxyCfg() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--tokens", AuthIT.tokensFile(dir).toString())) {
            Http api = stack.api;
            int port = TestStack.freePort();
            api.put("/backends/web", "{'type':'static','members':[{'host':'127.0.0.1','port':8081}]}",
                    "Authorization", AUTH);
            api.put("/frontends/web?wait=20s", "{'bind':'127.0.0.1:" + port + "','backend':'web'}", "Authorization",
                    AUTH);
            String cfg = api.get("/haproxy/config", "Authorization", AUTH).body();
            JsonNode list = api.get("/history", "Authorization", AUTH).json();
            long before = list.get("latest").asLong();
            assertThat(list.get("revisions").get(0).get("by").asText()).isEqualTo("admin");
            assertThat(list.get("revisions").get(0).get("items").get(0).get("id").asText()).isEqualTo("frontend/web");

            Reply changed = api.put("/backends/web?wait=20s", "{'type':'static','balance':'leastconn','members':"
                    + "[{'host':'127.0.0.1','port':8081},{'host':'127.0.0.1','port':8082}]}", "Authorization", AUTH);
            assertThat(changed.status()).isEqualTo(200);
            assertThat(api.get("/haproxy/config", "Authorization", AUTH).body()).isNotEqualTo(cfg);
            JsonNode rev = api.get("/history/" + (before + 1), "Authorization", AUTH).json();
            assertThat(rev.get("change").asLong()).isEqualTo(changed.json().get("change").get("id").asLong());
            JsonNode item = rev.get("items").get(0);
            assertThat(item.get("id").asText()).isEqualTo("backend/web");
            assertThat(item.get("kind").asText()).isEqualTo("changed");
            assertThat(item.get("diff").toString()).contains("{\"path\":\"balance\",\"before\":\"roundrobin\","
                    + "\"after\":\"leastconn\"}").contains("\"path\":\"members[1]\"");
            assertThat(item.get("before").get("balance").asText()).isEqualTo("roundrobin");

            Reply revert = api.post("/history/" + before + "/revert?wait=20s", "", "Authorization", AUTH);
            assertThat(revert.status()).as(revert.toString()).isEqualTo(200);
            assertThat(revert.json().get("revertedTo").asLong()).isEqualTo(before);
            assertThat(revert.json().get("revision").asLong()).isEqualTo(before + 2);
            assertThat(revert.json().get("change").get("state").asText()).isEqualTo("applied");
            assertThat(api.get("/haproxy/config", "Authorization", AUTH).body()).as("byte for byte").isEqualTo(cfg);
            assertThat(api.get("/history?limit=1", "Authorization", AUTH).json().get("revisions").get(0).get("by")
                    .asText()).isEqualTo("admin");
            assertThat(api.get("/history", "Authorization", "Bearer " + AuthIT.READ).status()).isEqualTo(200);
            assertThat(api.post("/history/" + before + "/revert", "", "Authorization", "Bearer " + AuthIT.READ)
                    .status()).isEqualTo(403);
        }
    }

    @Test
    void aRevisionOlderThanTheHistoryIs404AndARevertHonoursIfMatch() throws Exception {
        try (TestStack stack = TestStack.start(dir, "--historySize", "2")) {
            Http api = stack.api;
            for (int i = 1; i <= 4; i++) {
                api.put("/backends/b" + i, "{'type':'static'}");
            }
            JsonNode list = api.get("/history").json();
            assertThat(list.get("revisions")).hasSize(2);
            long oldest = list.get("oldest").asLong();
            assertThat(list.get("by") == null || list.get("revisions").get(0).get("by").isNull()).isTrue();
            assertThat(api.get("/history/" + oldest).status()).isEqualTo(404);
            assertThat(api.post("/history/" + (oldest - 1) + "/revert", "").status()).isEqualTo(404);
            assertThat(api.post("/history/" + (list.get("latest").asLong() + 1) + "/revert", "").status())
                    .isEqualTo(404);
            Reply stale = api.post("/history/" + oldest + "/revert", "{'ifMatch':{'/backends/b4':'\\\"1\\\"'}}");
            assertThat(stale.status()).as(stale.toString()).isEqualTo(412);
            String etag = api.get("/backends/b4").header("ETag").replace("\"", "\\\"");
            Reply ok = api.post("/history/" + oldest + "/revert", "{'ifMatch':{'/backends/b4':'" + etag + "'}}");
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(api.get("/backends/b4").status()).isEqualTo(404);
            assertThat(api.get("/backends/b2").status()).isEqualTo(200);
            assertThat(api.get("/history/abc").status()).isEqualTo(400);
        }
    }
}
