package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The REST API of the original Thalassa, black-box over HTTP, against the real stack (a real HAProxy runs). */
class RestApiIT {
    @TempDir
    Path dir;
    TestStack stack;
    Http api;
    int port; // frontends bind free loopback ports: the real HAProxy binds them
    int port2;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
        api = stack.api;
        port = TestStack.freePort();
        port2 = TestStack.freePort();
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    static JsonNode tree(String json) throws Exception {
        return Http.JSON.readTree(Http.q(json));
    }

    /** The 400 body names the field and the reason. */
    static void assertBadRequest(Reply r, String error, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.get("error").asText()).as(r.toString()).isEqualTo(error);
        if (field == null) {
            assertThat(body.has("field")).as(r.toString()).isFalse();
        } else {
            assertThat(body.path("field").asText()).as(r.toString()).isEqualTo(field);
        }
        assertThat(body.get("reason").asText()).isNotBlank();
    }

    @Test
    void seedWalkthroughWorksWithLoopbackAddresses() throws Exception {
        assertThat(api.put("/frontends/mysql-frontend",
                "{ 'bind': '127.0.0.1:" + port2 + "', 'backend': 'mysql-backend', 'mode': 'tcp'}").status())
                .isEqualTo(200);
        assertThat(api.put("/frontends/webapp-frontend",
                "{ 'bind': '127.0.0.1:" + port + "', 'backend': 'webapp-backend', 'mode': 'http'}").status()).isEqualTo(200);
        assertThat(api.put("/backends/mysql-backend", "{ 'type':'dynamic', 'name':'mysql-backend', 'version':'1.0.0',"
                + "'balance':'source', 'mode':'tcp','natives':['option mysql-check']}").status()).isEqualTo(200);
        Reply web = api.put("/backends/webapp-backend", "{ 'type':'dynamic', 'name':'webapp-backend',"
                + " 'version':'1.0.0','balance':'source', 'mode':'http','health':{'interval':'5000'}}");
        assertThat(web.status()).as(web.toString()).isEqualTo(200);
        assertThat(web.json().get("health")).isEqualTo(tree(
                "{'method':'GET','uri':'/','httpVersion':'HTTP/1.0','interval':5000}"));
        assertThat(api.get("/backends/mysql-backend/members").json()).isEmpty();

        Reply reg = stack.registrations.post("/registrations/mysql-backend/1.0.0/127.0.0.1/3306",
                "{ 'secondsToExpire':'10000'}");
        assertThat(reg.status()).as(reg.toString()).isEqualTo(200);
        assertThat(stack.registrations.post("/registrations/webapp-backend/1.0.0/127.0.0.2/8080",
                "{ 'secondsToExpire':'10000'}").status()).isEqualTo(200);
        stack.awaitSize("/backends/mysql-backend/members", 1);
        stack.awaitSize("/backends/webapp-backend/members", 1);

        JsonNode members = api.get("/backends/mysql-backend/members").json();
        assertThat(members).hasSize(1);
        assertThat(members.get(0).get("id").asText()).isEqualTo("/mysql-backend/1.0.0/127.0.0.1/3306");
        assertThat(members.get(0).get("meta").get("secondsToExpire").asText()).isEqualTo("10000");
        assertThat(api.get("/backends").json()).hasSize(2);
        assertThat(api.get("/frontends").json().get(0)).isEqualTo(tree("{'id':'frontend/mysql-frontend',"
                + "'_type':'frontend','key':'mysql-frontend','name':'mysql-frontend','bind':'127.0.0.1:" + port2 + "','backend':'mysql-backend',"
                + "'mode':'tcp','keepalive':'default','rules':[],'natives':[]}"));
        String cfg = api.get("/haproxy/config").body();
        assertThat(cfg).contains("frontend mysql-frontend", "default_backend mysql-backend",
                "server mysql-backend_slot1 127.0.0.1:3306", "server webapp-backend_slot1 127.0.0.2:8080",
                "option mysql-check", "balance source");
    }

    @Test
    void putAnswersTheStoredObjectWithDefaultsAndItsEtag() throws Exception {
        Reply put = api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
        assertThat(put.status()).isEqualTo(200);
        // the stored item, and the change that carries it to HAProxy
        assertThat(put.json().at("/change/id").asLong()).isEqualTo(Long.parseLong(put.header("X-Thalassa-Change")));
        assertThat(withoutChange(put)).isEqualTo(tree("{'id':'frontend/web','_type':'frontend','key':'web',"
                + "'name':'web','bind':'127.0.0.1:" + port + "','backend':'live','mode':'http','keepalive':'default','rules':[],"
                + "'natives':[]}"));
        Reply get = api.get("/frontends/web");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json()).isEqualTo(withoutChange(put));
        assertThat(get.header("ETag")).matches("\"[0-9]+\"").isEqualTo(put.header("ETag"));
        assertThat(api.get("/frontends/web", "If-None-Match", get.header("ETag")).status()).isEqualTo(304);
    }

    @Test
    void putIsAFullReplace() throws Exception {
        api.put("/backends/a", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}");
        api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9002}]}");
        api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'a','natives':['http-request set-header X-A 1'],"
                + "'rules':[{'type':'path','operation':'path_beg','value':'/a','backend':'a'},"
                + "{'type':'path','operation':'path_beg','value':'/b','backend':'b'}]}");
        Reply shrunk = api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'a',"
                + "'rules':[{'type':'path','operation':'path_beg','value':'/a','backend':'a'}]}");
        assertThat(shrunk.status()).isEqualTo(200);
        JsonNode stored = api.get("/frontends/web").json();
        assertThat(stored.get("rules")).hasSize(1);
        assertThat(stored.get("natives")).isEmpty();
        assertThat(api.get("/haproxy/config").body()).contains("path_beg /a").doesNotContain("path_beg /b")
                .doesNotContain("X-A");
    }

    @Test
    void theGetShapeCanBePutBack() throws Exception {
        api.put("/backends/db", "{'type':'static','mode':'tcp','members':[{'host':'127.0.0.1','port':'3306'}]}");
        api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0','host':'myapp.example.com',"
                + "'health':{'uri':'/health','httpVersion':'HTTP/1.1','interval':'5000'}}");
        stack.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8080", "{'hostname':'dev-01'}");
        stack.awaitSize("/backends/live/members", 1);
        api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live','keepalive':'server-close',"
                + "'rules':[{'type':'header','header':'host','operation':'hdr_dom','value':'db.example.com',"
                + "'backend':'db'}]}");
        for (String path : new String[] {"/backends/db", "/backends/live", "/frontends/web"}) {
            Reply got = api.get(path);
            Reply putBack = api.send("PUT", path, got.body().replace('\'', '"'));
            assertThat(putBack.status()).as(path + ": " + putBack).isEqualTo(200);
            assertThat(withoutChange(putBack)).isEqualTo(got.json());
            assertThat(putBack.header("ETag")).isEqualTo(got.header("ETag"));
        }
        assertThat(api.get("/backends/live").json().get("members")).hasSize(1);
    }

    @Test
    void numbersAsStringsAndReadOnlyFieldsAreAccepted() throws Exception {
        Reply r = api.put("/backends/db", "{'id':'backend/other','_type':'backend','key':'other','type':'static',"
                + "'mode':'tcp','members':[{'host':'127.0.0.1','port':'3306','id':'127.0.0.1:3306'}]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("key").asText()).as("the path key wins").isEqualTo("db");
        assertThat(r.json().get("members").get(0).get("port").asInt()).isEqualTo(3306);
        Reply dyn = api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0','members':["
                + "{'name':'myapp','version':'1.0.0','host':'127.0.0.9','port':8080}]}");
        assertThat(dyn.status()).isEqualTo(200);
        assertThat(dyn.json().get("members")).as("members of a dynamic backend come from the registry").isEmpty();
    }

    @Test
    void aFrontendCreatedBeforeItsBackendIsAcceptedAndTheConfigStaysValid() {
        Reply r = api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'later'}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(api.get("/haproxy/config").body()).contains("frontend web").doesNotContain("default_backend later");
        assertThat(api.put("/backends/later", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}")
                .status()).isEqualTo(200);
        assertThat(api.get("/haproxy/config").body()).contains("default_backend later");
    }

    @Test
    void deleteAnswersTheDeletedItemThenItIsGone() throws Exception {
        api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
        Reply del = api.delete("/frontends/web");
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().get("key").asText()).isEqualTo("web");
        assertThat(api.get("/frontends/web").status()).isEqualTo(404);
        Reply again = api.delete("/frontends/web");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("error").asText()).isEqualTo("not_found");
        api.put("/backends/b", "{'type':'static'}");
        assertThat(api.delete("/backends/b").status()).isEqualTo(200);
        assertThat(api.delete("/backends/b").status()).isEqualTo(404);
        assertThat(api.get("/backends").json()).isEmpty();
    }

    @Test
    void unknownItemsAre404WithTheErrorShape() {
        for (String path : new String[] {"/frontends/nope", "/backends/nope", "/backends/nope/members"}) {
            Reply r = api.get(path);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().get("error").asText()).isEqualTo("not_found");
            assertThat(r.json().get("reason").asText()).contains("nope");
        }
        assertThat(api.post("/backends/nope", "{'version':'2'}").status()).isEqualTo(404);
    }

    @Test
    void aPathKeyThatIsNotAnIdentifierIs400() {
        assertBadRequest(api.put("/frontends/bad%20key", "{'bind':'127.0.0.1:" + port + "','backend':'b'}"),
                "invalid_key", "key");
        assertBadRequest(api.get("/backends/-x"), "invalid_key", "key");
        assertBadRequest(api.delete("/frontends/a%2Cb"), "invalid_key", "key");
    }

    @Test
    void malformedJsonIs400AndNothingChanges() {
        api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
        String before = api.get("/frontends/web").body();
        assertBadRequest(api.sendRaw("PUT", "/frontends/web", "{\"bind\": \"127.0.0.1:1\","), "malformed_json", null);
        assertBadRequest(api.sendRaw("PUT", "/frontends/web", "[1,2]"), "malformed_json", null);
        assertBadRequest(api.sendRaw("PUT", "/frontends/web", "{\"bind\":\"127.0.0.1:1\",\"bind\":\"127.0.0.1:2\","
                + "\"backend\":\"b\"}"), "malformed_json", null);
        assertBadRequest(api.sendRaw("PUT", "/frontends/web", ""), "missing_body", null);
        assertThat(api.get("/frontends/web").body()).isEqualTo(before);
    }

    @Test
    void unknownFieldsAre400NamingThem() {
        Reply r = api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live','colour':'red'}");
        assertBadRequest(r, "unknown_field", "colour");
        assertThat(r.json().get("reason").asText()).contains("colour").contains("keepalive");
        assertBadRequest(api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'live','rules':["
                + "{'type':'path','operation':'path','value':'/x','backend':'b','weight':1}]}"), "unknown_field",
                "rules[0].weight");
        assertBadRequest(api.put("/backends/b", "{'type':'static','health':{'timeout':5}}"), "unknown_field",
                "health.timeout");
        assertThat(api.get("/frontends/web").status()).isEqualTo(404);
        assertThat(api.get("/backends/b").status()).isEqualTo(404);
    }

    @Test
    void invalidValuesAre400NamingTheFieldAndNothingChanges() {
        api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}");
        String before = api.get("/backends/b").body();
        assertBadRequest(api.put("/backends/b", "{'type':'static','balance':'fastest'}"), "invalid_value", "balance");
        assertBadRequest(api.put("/backends/b", "{'type':'weird'}"), "invalid_value", "type");
        assertBadRequest(api.put("/backends/b", "{'balance':'source'}"), "missing_field", "type");
        assertBadRequest(api.put("/backends/b", "{'type':'static','mode':'udp'}"), "invalid_value", "mode");
        assertBadRequest(api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001},"
                + "{'host':'127.0.0.1','port':'x'}]}"), "invalid_value", "members[1].port");
        assertBadRequest(api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':70000}]}"),
                "invalid_value", "members[0].port");
        assertBadRequest(api.put("/backends/b", "{'type':'static','members':[{'host':'no host','port':80}]}"),
                "invalid_value", "members[0].host");
        assertBadRequest(api.put("/backends/b", "{'type':'static','health':{'httpVersion':'HTTP/1.1'}}"),
                "invalid_value", "health.httpVersion");
        assertBadRequest(api.put("/backends/b", "{'type':'static','health':{'interval':'soon'}}"),
                "invalid_value", "health.interval");
        assertBadRequest(api.put("/backends/b", "{'type':'static','natives':['option a\\nlisten x']}"),
                "invalid_value", "natives[0]");
        assertBadRequest(api.put("/backends/b", "{'type':'dynamic','name':'a'}"), "missing_field", "version");
        assertThat(api.get("/backends/b").body()).isEqualTo(before);

        assertBadRequest(api.put("/frontends/f", "{'backend':'b'}"), "missing_field", "bind");
        assertBadRequest(api.put("/frontends/f", "{'bind':'127.0.0.1:99999','backend':'b'}"), "invalid_value", "bind");
        assertBadRequest(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','keepalive':'never'}"),
                "invalid_value", "keepalive");
        assertBadRequest(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','rules':[{'type':'path',"
                + "'operation':'path_beg','value':'/x','backend':'no good'}]}"), "invalid_value", "rules[0].backend");
        assertBadRequest(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','rules':[{'type':'path',"
                + "'operation':'hdr_dom','value':'/x','backend':'b'}]}"), "invalid_value", "rules[0].operation");
        assertBadRequest(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','mode':'tcp','rules':["
                + "{'type':'path','operation':'path_beg','value':'/x','backend':'b'}]}"), "invalid_value", "rules");
        assertThat(api.get("/frontends/f").status()).isEqualTo(404);
    }

    /** The 400 of a refusal names the exact field, and the value refused. */
    static void assertRefused(Reply r, String error, String field, Object value) {
        assertBadRequest(r, error, field);
        if (value == null) {
            assertThat(r.json().has("value")).as(r.toString()).isFalse();
        } else {
            assertThat(r.json().path("value").asText()).as(r.toString()).isEqualTo(String.valueOf(value));
        }
    }

    @Test
    void crossFieldRefusalsAre400NamingTheExactFieldAndNothingChanges() {
        api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}");
        String before = api.get("/backends/b").body();
        assertRefused(api.put("/backends/b", "{'type':'static','health':{'httpVersion':'HTTP/1.1'}}"),
                "invalid_value", "health.httpVersion", "HTTP/1.1");
        assertRefused(api.put("/backends/b", "{'type':'dynamic','name':'a','balance':'source',"
                + "'versions':{'1.0.0':90,'2.0.0':10}}"), "invalid_value", "versions", "1.0.0:90,2.0.0:10");
        assertRefused(api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001},"
                + "{'host':'127.0.0.2','port':9001},{'host':'127.0.0.1','port':'9001'}]}"), "invalid_value", "members[2]",
                "127.0.0.1:9001");
        assertRefused(api.put("/backends/b", "{'type':'static','mode':'tcp','health':{}}"), "invalid_value", "health",
                null);
        assertRefused(api.put("/backends/b", "{'type':'static','mode':'tcp','balance':'uri'}"), "invalid_value",
                "balance", "uri");
        assertRefused(api.put("/backends/b", "{'type':'static','mode':'tcp','host':'example.com'}"), "invalid_value",
                "host", "example.com");
        assertRefused(api.put("/backends/b", "{'type':'static','name':'a'}"), "invalid_value", "name", "a");
        assertRefused(api.put("/backends/b", "{'type':'dynamic','name':'a','version':'3',"
                + "'versions':{'1':50,'2':50}}"), "invalid_value", "version", "3");
        assertRefused(api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':1,'name':'a'}]}"),
                "invalid_value", "members[0].version", null);
        assertRefused(api.put("/backends/b", "{'type':'static','natives':['option httplog','errorfile 503 /etc/passwd']}"),
                "invalid_value", "natives[1]", "errorfile 503 /etc/passwd");
        assertThat(api.get("/backends/b").body()).isEqualTo(before);

        assertRefused(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','mode':'tcp',"
                + "'keepalive':'server-close'}"), "invalid_value", "keepalive", "server-close");
        assertRefused(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "'}"), "missing_field", "backend", null);
        assertRefused(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','rules':["
                + "{'type':'path','operation':'path','value':'/a','backend':'b'},"
                + "{'type':'path','operation':'path','value':'/b','backend':'no good'}]}"), "invalid_value",
                "rules[1].backend", "no good");
        assertRefused(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','rules':["
                + "{'type':'path','operation':'path','value':'/a','backend':'b'},"
                + "{'type':'path','header':'host','operation':'path','value':'/b','backend':'b'}]}"), "invalid_value",
                "rules[1].header", "host");
        assertRefused(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + ",127.0.0.1:" + port + "','backend':'b'}"),
                "invalid_value", "bind", "127.0.0.1:" + port + ",127.0.0.1:" + port);
        assertThat(api.get("/frontends/f").status()).isEqualTo(404);

        // what the model does not refuse: a rule naming a backend that does not exist yet (the route waits for it)
        // and a static backend without members
        assertThat(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b','rules':["
                + "{'type':'path','operation':'path','value':'/a','backend':'later'}]}").status()).isEqualTo(200);
        assertThat(api.put("/backends/empty", "{'type':'static'}").status()).isEqualTo(200);
    }

    @Test
    void pathAndQueryRefusalsNameTheirParameter() {
        assertRefused(api.get("/activity?verb=nonsense"), "invalid_value", "verb", "nonsense");
        assertRefused(stack.registrations.post("/registrations/app/1.0.0/127.0.0.1/8080", "{'secondsToExpire':0}"),
                "invalid_value", "secondsToExpire", 0);
        assertRefused(stack.registrations.post("/registrations/app/1.0.0/no%20host/8080", "{}"), "invalid_value",
                "host", "no host");
        assertRefused(api.get("/frontends/a%20b"), "invalid_key", "key", "a b");
    }

    @Test
    void aSecondFrontendOnTheSameAddressIs400NamingBind() {
        api.put("/frontends/one", "{'bind':'127.0.0.1:" + port + "','backend':'b'}");
        assertBadRequest(api.put("/frontends/two", "{'bind':'*:" + port + "','backend':'b'}"), "invalid_value", "bind");
        assertThat(api.get("/frontends/two").status()).isEqualTo(404);
    }

    @Test
    void aChangeHaproxyRejectsIs400WithHaproxysMessageAndNothingChanges() {
        api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}");
        String before = api.get("/backends/b").body();
        String cfgBefore = api.get("/haproxy/config").body();
        Reply r = api.put("/backends/b", "{'type':'static','natives':['option no-such-option']}");
        assertBadRequest(r, "config_rejected", null);
        assertThat(r.json().get("haproxyMessage").asText()).contains("no-such-option");
        assertThat(r.json().get("line").asInt()).isPositive();
        assertThat(r.json().get("reason").asText()).contains("HAProxy rejected");
        assertThat(api.get("/backends/b").body()).isEqualTo(before);
        assertThat(api.get("/haproxy/config").body()).isEqualTo(cfgBefore);
    }

    @Test
    void concurrentChangesAreValidatedTogetherAndABadOneFailsAlone() throws Exception {
        int n = 40;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                replies.add(pool.submit(() -> api.put("/backends/b" + k, "{'type':'static','members':[{'host':"
                        + "'127.0.0.1','port':" + (9000 + k) + "}]}")));
                if (i == n / 2) {
                    replies.add(pool.submit(() -> api.put("/backends/bad", "{'type':'static',"
                            + "'natives':['option no-such-option']}")));
                }
            }
            int ok = 0;
            for (java.util.concurrent.Future<Reply> f : replies) {
                Reply r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (r.json().path("key").asText().equals("bad") || r.status() == 400) {
                    assertBadRequest(r, "config_rejected", null);
                } else {
                    assertThat(r.status()).as(r.toString()).isEqualTo(200);
                    ok++;
                }
            }
            assertThat(ok).isEqualTo(n);
        } finally {
            pool.shutdownNow();
        }
        assertThat(api.get("/backends").json()).hasSize(n);
        assertThat(api.get("/backends/bad").status()).isEqualTo(404);
        String cfg = api.get("/haproxy/config").body();
        assertThat(cfg).contains("127.0.0.1:9000 ", "127.0.0.1:" + (9000 + n - 1) + " ").doesNotContain("no-such");
        TestStack.await(() -> api.get("/activity?verb=reloadDone").json().get("events").size() > 0);
        int applied = api.get("/activity?verb=configApplied&limit=1000").json().get("events").size();
        assertThat(applied).as("changes that arrive together are applied together").isLessThan(n);
    }

    @Test
    void ifMatchGuardsEveryChange() {
        api.put("/backends/b", "{'type':'static'}");
        String etag = api.get("/backends/b").header("ETag");
        String stale = "\"999999\"";
        Reply conflict = api.put("/backends/b", "{'type':'static','balance':'source'}", "If-Match", stale);
        assertThat(conflict.status()).isEqualTo(412);
        assertThat(conflict.json().get("error").asText()).isEqualTo("precondition_failed");
        assertThat(api.get("/backends/b").json().get("balance").asText()).isEqualTo("roundrobin");
        assertThat(api.put("/backends/b", "{'type':'static'}", "If-Match", "W/" + etag).status())
                .as("weak tags never match If-Match").isEqualTo(412);
        Reply ok = api.put("/backends/b", "{'type':'static','balance':'source'}", "If-Match", stale + ", " + etag);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("ETag")).isNotEqualTo(etag);
        assertThat(api.delete("/backends/b", "If-Match", etag).status()).isEqualTo(412);
        assertThat(api.put("/backends/b", "{'type':'static'}", "If-Match", "*").status()).isEqualTo(200);
        assertThat(api.put("/backends/new", "{'type':'static'}", "If-Match", "*").status())
                .as("* needs an existing item").isEqualTo(412);
        assertThat(api.get("/backends/new").status()).isEqualTo(404);
        assertThat(api.put("/backends/new", "{'type':'static'}", "If-None-Match", "*").status()).isEqualTo(200);
        assertThat(api.put("/backends/new", "{'type':'static'}", "If-None-Match", "*").status())
                .as("create-only").isEqualTo(412);
        assertThat(api.delete("/backends/b", "If-Match", api.get("/backends/b").header("ETag")).status())
                .isEqualTo(200);
        assertThat(api.delete("/backends/b", "If-Match", "*").status()).as("404 before 412").isEqualTo(404);
        api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b'}");
        assertThat(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port2 + "','backend':'b'}", "If-Match", stale).status())
                .isEqualTo(412);
        assertThat(api.get("/frontends/f").json().get("bind").asText()).isEqualTo("127.0.0.1:" + port);
    }

    @Test
    void versionSwitchRepointsADynamicBackend() {
        api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0'}");
        stack.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8081", "");
        stack.registrations.post("/registrations/myapp/2.0.0/127.0.0.1/8082", "");
        stack.registrations.post("/registrations/other/3/127.0.0.1/8083", "");
        stack.awaitSize("/backends/live/members", 1);
        assertThat(api.get("/backends/live/members").json().get(0).get("port").asInt()).isEqualTo(8081);
        String etag = api.get("/backends/live").header("ETag");

        Reply r = api.post("/backends/live", "{'version':'2.0.0'}", "If-Match", etag);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("version").asText()).isEqualTo("2.0.0");
        assertThat(r.json().get("name").asText()).isEqualTo("myapp");
        assertThat(api.get("/backends/live/members").json().get(0).get("port").asInt()).isEqualTo(8082);
        assertThat(api.post("/backends/live", "{'version':'1.0.0'}", "If-Match", etag).status()).isEqualTo(412);

        Reply number = api.post("/backends/live", "{'name':'other','version':3}");
        assertBadRequest(number, "invalid_value", "version"); // a version is a string, never a number
        assertThat(number.json().get("reason").asText()).isEqualTo("version must be a string, not a number: 3");
        Reply renamed = api.post("/backends/live", "{'name':'other','version':'3'}");
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(api.get("/backends/live/members").json().get(0).get("port").asInt()).isEqualTo(8083);

        assertBadRequest(api.post("/backends/live", "{'name':'other'}"), "missing_field", "version");
        assertBadRequest(api.post("/backends/live", "{'version':'1','colour':'red'}"), "unknown_field", "colour");
        assertBadRequest(api.post("/backends/live", "{'version':'bad version'}"), "invalid_value", "version");
        api.put("/backends/db", "{'type':'static'}");
        assertBadRequest(api.post("/backends/db", "{'version':'2'}"), "invalid_value", "type");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405WithAllow() {
        Reply r = api.get("/nothing/here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().get("error").asText()).isEqualTo("not_found");
        Reply m = api.send("PATCH", "/frontends/web", "{}");
        assertThat(m.status()).isEqualTo(405);
        assertThat(m.header("Allow")).isEqualTo("DELETE, GET, PUT");
        assertThat(m.json().get("error").asText()).isEqualTo("method_not_allowed");
        assertThat(api.post("/frontends", "{}").status()).isEqualTo(405);
        assertThat(api.delete("/haproxy/config").status()).isEqualTo(405);
    }

    @Test
    void statusSaysWhoThisDaemonIsAndWhatItRuns(@TempDir Path other) throws Exception {
        try (TestStack labelled = TestStack.start(other, "--label", "myapp-dev", "--location", "lab-1",
                "--datacenter", "dc1")) {
            labelled.api.put("/backends/b", "{'type':'static'}");
            JsonNode status = labelled.api.get("/status").json();
            assertThat(status.get("label").asText()).isEqualTo("myapp-dev");
            assertThat(status.get("location").asText()).isEqualTo("lab-1");
            assertThat(status.get("datacenter").asText()).isEqualTo("dc1");
            assertThat(status.get("backends").asInt()).isEqualTo(1);
            assertThat(status.get("version").asText()).isNotBlank();
            assertThat(status.get("haproxy").get("masterPid").asLong())
                    .isEqualTo(labelled.backplane.controller().masterPid());
            assertThat(status.get("haproxy").get("workerPids")).isNotEmpty();
            assertThat(status.get("registry").get("kind").asText()).isEqualTo("embedded");
            assertThat(status.get("registry").get("health").get("status").asText()).isEqualTo("CONNECTED");
            JsonNode started = labelled.api.get("/activity?verb=started&object=thalassa").json().get("events");
            assertThat(started).hasSize(1);
            assertThat(started.get(0).get("detail").asText()).contains("label=myapp-dev", "location=lab-1");
        }
        assertThat(api.get("/status").json().get("label").isNull()).isTrue();
    }

    @Test
    void haproxyConfigIsPlainText() {
        Reply r = api.get("/haproxy/config");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).contains("global", "defaults", "listen stats");
        assertThat(r.body()).isEqualTo(stack.backplane.haproxyConfig());
    }

    @Test
    void aBodyOverOneMebibyteIs413() {
        String big = "{\"bind\":\"127.0.0.1:1\",\"backend\":\"" + "x".repeat(1 << 20) + "\"}";
        for (int i = 0; i < 5; i++) { // the client sends the whole body first: it must still read the 413
            Reply r = api.sendRaw("PUT", "/frontends/big", big);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.json().get("error").asText()).isEqualTo("payload_too_large");
        }
        assertThat(api.get("/frontends/big").status()).isEqualTo(404);
    }

    @Test
    void theWebSocketPathWithoutUpgradeIs426() {
        Reply r = api.get("/ws");
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.json().get("error").asText()).isEqualTo("upgrade_required");
    }

    @Test
    void errorsJettyAnswersItselfUseTheSameShape() {
        Reply r = api.get("/frontends/a%2Fb");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().get("status").asInt()).isEqualTo(400);
        assertThat(r.json().get("reason").asText()).isNotBlank();
    }

    /** A write's answer without the change it names: the stored item. */
    static tools.jackson.databind.JsonNode withoutChange(Reply r) {
        tools.jackson.databind.node.ObjectNode body = (tools.jackson.databind.node.ObjectNode) r.json();
        body.remove("change");
        return body;
    }
}
