package io.thalassa.http;

import static io.thalassa.http.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Version splits through the daemon's API: real HAProxy, the embedded registry, real traffic on 127.0.0.1. */
class SplitApiIT {
    @TempDir
    Path dir;
    TestStack stack;
    final List<NamedHttpServer> servers = new ArrayList<>();
    final Map<String, String> versionOf = new HashMap<>();
    int port;

    @BeforeEach
    void setUp() throws IOException {
        stack = TestStack.start(dir);
        port = TestStack.freePort();
        assertThat(stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'web'}").status())
                .isEqualTo(200);
        // no slowstart: a member that joins serves its share at once, where these tests measure it (the ramp of a
        // new member over the default 10 s would keep the canary under 25 % for a while)
        assertThat(stack.api.put("/backends/web", "{'type':'dynamic','name':'webapp','version':'1.0.0',"
                + "'slowstart':0}").status())
                .isEqualTo(200);
        register("1.0.0", 3);
        register("2.0.0", 1);
        await(() -> stack.api.get("/backends/web/members").json().size() == 3);
    }

    @AfterEach
    void tearDown() {
        stack.close();
        servers.forEach(NamedHttpServer::close);
    }

    void register(String version, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            NamedHttpServer s = new NamedHttpServer(version + "-" + i);
            servers.add(s);
            versionOf.put("200 " + s.name(), version);
            assertThat(stack.registrations.post("/registrations/webapp/" + version + "/127.0.0.1/" + s.port(),
                    "{'secondsToExpire':'60'}").status()).isEqualTo(200);
        }
    }

    /** Whether HAProxy answers with the instances of 1.0.0 only (it runs the frontend and the members). */
    boolean servesOldVersionOnly() {
        for (int i = 0; i < 10; i++) {
            if (!"1.0.0".equals(versionOf.get(NamedHttpServer.answerOf(port)))) {
                return false;
            }
        }
        return true;
    }

    /** The share of {@code requests} answered by 2.0.0, in percent; every answer must come from an instance. */
    double canaryShare(int requests) {
        int canary = 0;
        for (int i = 0; i < requests; i++) {
            String answer = NamedHttpServer.answerOf(port);
            assertThat(versionOf).containsKey(answer);
            canary += versionOf.get(answer).equals("2.0.0") ? 1 : 0;
        }
        return 100.0 * canary / requests;
    }

    @Test
    void aSplitIsAPostWithVersionsThatMovesRealTrafficWithoutAReload() throws Exception {
        await(this::servesOldVersionOnly);
        long reloads = stack.backplane.controller().reloadCount();

        Reply split = stack.api.post("/backends/web?wait=5s", "{'versions':{'1.0.0':75,'2.0.0':25}}");
        assertThat(split.status()).as(split.toString()).isEqualTo(200);
        JsonNode body = split.json();
        assertThat(body.get("version").asText()).isEqualTo("1.0.0");
        assertThat(body.get("versions").toString()).isEqualTo("{\"1.0.0\":75,\"2.0.0\":25}");
        assertThat(body.get("members")).hasSize(4);
        assertThat(body.get("split").get("instances").toString()).isEqualTo("{\"1.0.0\":3,\"2.0.0\":1}");
        assertThat(body.get("split").get("serving").get("2.0.0").asDouble()).isEqualTo(25.0);
        assertThat(body.get("change").get("kind").asText()).isEqualTo("runtime");
        assertThat(canaryShare(400)).isCloseTo(25.0, within(3.0));
        assertThat(stack.api.get("/backends/web").json().get("versions").toString())
                .isEqualTo("{\"1.0.0\":75,\"2.0.0\":25}");
        assertThat(stack.api.get("/activity?verb=splitChanged").body())
                .contains("webapp@1.0.0 -> webapp@1.0.0:75,2.0.0:25");

        // /stats: what each version served over the last poll interval, from its servers' counters
        await(() -> {
            JsonNode stats = stack.api.get("/stats").json();
            JsonNode canary = stats.path("splits").path("web").path("versions").path("2.0.0");
            return canaryShare(50) >= 0 && canary.path("requests").asLong() > 0
                    && Math.abs(canary.path("share").asDouble() - 25.0) <= 10.0;
        });

        // back to one version at once: a plain switch, the original shape
        Reply back = stack.api.post("/backends/web", "{'version':'1.0.0'}");
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().has("versions")).isFalse();
        assertThat(back.json().has("split")).isFalse();
        await(() -> canaryShare(20) == 0);
        assertThat(stack.backplane.controller().reloadCount()).isEqualTo(reloads);
    }

    @Test
    void aVersionWithoutInstancesGivesItsShareAwayAndTheAnswerAndAnEventSaySo() {
        await(this::servesOldVersionOnly);
        Reply split = stack.api.post("/backends/web", "{'versions':{'1.0.0':80,'3.0.0':20}}");
        assertThat(split.status()).as(split.toString()).isEqualTo(200);
        assertThat(split.json().get("split").get("serving").toString()).isEqualTo("{\"1.0.0\":100.0,\"3.0.0\":0.0}");
        assertThat(split.json().get("split").get("note").asText())
                .isEqualTo("3.0.0 has no instance, its 20 % goes to the others; serving 1.0.0:100,3.0.0:0");
        await(() -> stack.api.get("/activity?verb=splitShares").body().contains("3.0.0 has no instance"));
        assertThat(canaryShare(20)).isZero();
    }

    @Test
    void badSplitsAre400sNamingTheField() {
        String[] bad = {
            "{'versions':{'1.0.0':90,'2.0.0':20}}",
            "{'versions':{'1.0.0':90.5,'2.0.0':9.5}}",
            "{'versions':{}}",
            "{'versions':{'1.0.0 x':100}}",
            "{'versions':{'1.0.0':'ninety','2.0.0':10}}",
            "{'versions':[90,10]}",
            "{'versions':{'1.0.0':-10,'2.0.0':110}}",
            "{'version':'2.0.0','versions':{'1.0.0':90,'2.0.0':10}}",
        };
        for (String body : bad) {
            Reply r = stack.api.post("/backends/web", body);
            assertThat(r.status()).as(body + " -> " + r).isEqualTo(400);
            assertThat(r.json().get("field").asText()).as(body).startsWith("versions"); // or versions.<version>
        }
        assertThat(stack.api.put("/backends/hashed", "{'type':'dynamic','name':'webapp','version':'1.0.0',"
                + "'balance':'source'}").status()).isEqualTo(200);
        Reply hashed = stack.api.post("/backends/hashed", "{'versions':{'1.0.0':90,'2.0.0':10}}");
        assertThat(hashed.status()).isEqualTo(400);
        assertThat(hashed.json().get("field").asText()).isEqualTo("versions");
        assertThat(hashed.json().get("reason").asText()).contains("balance source ignores them");
        Reply put = stack.api.put("/backends/web2", "{'type':'dynamic','name':'webapp','versions':{'1.0.0':50}}");
        assertThat(put.status()).isEqualTo(400);
        assertThat(put.json().get("field").asText()).isEqualTo("versions");
        assertThat(stack.api.get("/backends/web").json().has("versions")).isFalse();
    }
}
