package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** POST /batch: every operation as one change, or none; a refusal names the operation and the field. */
class BatchApiIT {
    @TempDir
    Path dir;
    TestStack stack;
    Http api;
    int port;
    int port2;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
        api = stack.api;
        port = TestStack.freePort();
        port2 = TestStack.freePort();
        api.put("/backends/web", "{'type':'static','members':[{'host':'127.0.0.1','port':8081}]}");
        api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0'}");
        assertThat(api.put("/frontends/old?wait=20s", "{'bind':'127.0.0.1:" + port + "','backend':'web'}").status())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    /** The five good operations; {@code bad} replaces the one at {@code position} (-1: none). */
    String batch(int position, String bad) {
        String old = api.get("/frontends/old").header("ETag").replace("\"", "\\\"");
        String[] ops = {
            "{'op':'put','path':'/backends/api','body':{'type':'static','members':[{'host':'127.0.0.1','port':8090}]}}",
            "{'op':'post','path':'/backends/live','body':{'versions':{'1.0.0':90,'2.0.0':10}}}",
            "{'op':'delete','path':'/frontends/old','ifMatch':'" + old + "'}",
            "{'op':'put','path':'/frontends/new','body':{'bind':'127.0.0.1:" + port2 + "','backend':'api'}}",
            "{'op':'post','path':'/backends/live','body':{'version':'1.0.0'}}",
        };
        if (position >= 0) {
            ops[position] = bad;
        }
        return "{'operations':[" + String.join(",", ops) + "]}";
    }

    @Test
    void aBatchIsOneChangeWithOneValidationAndAtMostOneReload() throws Exception {
        long reloads = stack.backplane.controller().reloadCount();
        long revision = api.get("/history?limit=1").json().get("latest").asLong();
        Reply r = api.post("/batch?wait=20s", batch(-1, null));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("operations").asInt()).isEqualTo(5);
        assertThat(r.json().get("etags").get("/frontends/old").isNull()).isTrue();
        assertThat(r.json().get("etags").get("/backends/api").asText())
                .isEqualTo(api.get("/backends/api").header("ETag"));
        assertThat(r.json().get("change").get("state").asText()).isEqualTo("applied");
        assertThat(api.get("/frontends/old").status()).isEqualTo(404);
        assertThat(api.get("/backends/live").json().has("versions")).as("split, then switched back").isFalse();
        assertThat(stack.backplane.controller().reloadCount()).isLessThanOrEqualTo(reloads + 1);
        JsonNode history = api.get("/history?limit=5").json().get("revisions");
        assertThat(history.get(0).get("revision").asLong()).isEqualTo(revision + 1);
        assertThat(history.get(1).get("revision").asLong()).isEqualTo(revision);
        assertThat(history.get(0).get("items").toString()).contains("backend/api", "frontend/new", "frontend/old");
    }

    /** One bad operation at each position, of every kind of refusal: nothing changes, the answer names it. */
    @Test
    void oneBadOperationAtAnyPositionChangesNothingAndIsNamed() throws Exception {
        String[][] cases = {
            // position 0: an invalid body
            {"0", "{'op':'put','path':'/backends/x','body':{'type':'static','members':[{'host':'127.0.0.1',"
                    + "'port':70000}]}}", "400", "operations[0].body.members[0].port"},
            // position 1: an item that does not exist
            {"1", "{'op':'delete','path':'/frontends/nothing'}", "409", "operations[1].path"},
            // position 2: an ETag that does not hold
            {"2", "{'op':'put','path':'/backends/web','body':{'type':'static'},'ifMatch':'\\\"999999\\\"'}", "412",
                "operations[2].ifMatch"},
            // position 3: HAProxy refuses the batch up to it
            {"3", "{'op':'put','path':'/backends/web','body':{'type':'static','natives':['timeout server abc']}}",
                "422", "operations[3]"},
            // position 4: a switch of a static backend
            {"4", "{'op':'post','path':'/backends/web','body':{'version':'2.0.0'}}", "400", "operations[4].type"},
        };
        long reloads = stack.backplane.controller().reloadCount();
        String before = api.get("/haproxy/config").body();
        long revision = api.get("/history?limit=1").json().get("latest").asLong();
        for (String[] c : cases) {
            Reply r = api.post("/batch", batch(Integer.parseInt(c[0]), c[1]));
            assertThat(r.status()).as(c[1] + " -> " + r).isEqualTo(Integer.parseInt(c[2]));
            assertThat(r.json().get("field").asText()).as(r.toString()).isEqualTo(c[3]);
            if (!c[0].equals("0")) {
                assertThat(r.json().get("index").asInt()).isEqualTo(Integer.parseInt(c[0]));
            }
            assertThat(api.get("/backends/api").status()).isEqualTo(404);
            assertThat(api.get("/frontends/old").status()).isEqualTo(200);
            assertThat(api.get("/backends/live").json().has("versions")).isFalse();
            assertThat(api.get("/history?limit=1").json().get("latest").asLong()).isEqualTo(revision);
        }
        Reply haproxy = api.post("/batch", batch(3, "{'op':'put','path':'/backends/web','body':{'type':'static',"
                + "'natives':['timeout server abc']}}"));
        assertThat(haproxy.json().get("haproxyMessage").asText()).isNotBlank();
        assertThat(api.get("/haproxy/config").body()).isEqualTo(before);
        assertThat(stack.backplane.controller().reloadCount()).isEqualTo(reloads);
    }

    @Test
    void malformedBatchesAre400sNamingTheField() {
        String[][] cases = {
            {"{'operations':[]}", "operations"},
            {"{'operations':[{'op':'patch','path':'/backends/web'}]}", "operations[0].op"},
            {"{'operations':[{'op':'put','path':'/things/x','body':{}}]}", "operations[0].path"},
            {"{'operations':[{'op':'put','path':'/backends/x'}]}", "operations[0].body"},
            {"{'operations':[{'op':'delete','path':'/backends/web','ifMatch':'12'}]}", "operations[0].ifMatch"},
            {"{'operations':[{'op':'delete','path':'/backends/web','extra':1}]}", "operations[0].extra"},
            {"{'ops':[]}", "ops"},
        };
        for (String[] c : cases) {
            Reply r = api.post("/batch", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r).isEqualTo(400);
            assertThat(r.json().get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
        StringBuilder many = new StringBuilder("{'operations':[");
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",").append("{'op':'delete','path':'/backends/web'}");
        }
        assertThat(api.post("/batch", many + "]}").json().get("field").asText()).isEqualTo("operations");
    }
}
