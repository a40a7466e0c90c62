package io.thalassa.http;

import static io.thalassa.http.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** /backends/{key}/rollout through the daemon's API: real HAProxy, the embedded registry, real traffic. */
class RolloutApiIT {
    @TempDir
    Path dir;
    TestStack stack;
    Http api;
    int port;
    final List<NamedHttpServer> servers = new ArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong failed = new AtomicLong();
    Thread traffic;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
        api = stack.api;
        port = TestStack.freePort();
        api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'web'}");
        api.put("/backends/web", "{'type':'dynamic','name':'webapp','version':'1.0.0'}");
        register("1.0.0");
        register("1.0.0");
        register("2.0.0");
        stack.awaitSize("/backends/web/members", 2);
        await(() -> NamedHttpServer.answerOf(port).startsWith("200"));
        traffic = new Thread(() -> {
            while (running.get()) {
                if (!NamedHttpServer.answerOf(port).startsWith("200")) {
                    failed.incrementAndGet();
                }
            }
        }, "rollout-api-traffic");
        traffic.setDaemon(true);
        traffic.start();
    }

    void register(String version) throws Exception {
        NamedHttpServer s = new NamedHttpServer(version + "-" + servers.size());
        servers.add(s);
        stack.registrations.post("/registrations/webapp/" + version + "/127.0.0.1/" + s.port(),
                "{'secondsToExpire':'600'}");
    }

    @AfterEach
    void stop() throws Exception {
        running.set(false);
        traffic.join(10_000);
        stack.close();
        servers.forEach(NamedHttpServer::close);
    }

    static final String PLAN = "{'version':'2.0.0','steps':[25,100],'stepSeconds':1,"
            + "'guard':{'maxErrorRatePct':1,'maxResponseTimeMs':2000,'minRequests':10}}";

    @Test
    void aRolloutIsStartedReadPausedResumedAndEndsAsAPlainSwitchWithoutAReload() {
        long reloads = stack.backplane.controller().reloadCount();
        Reply started = api.post("/backends/web/rollout", PLAN);
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.header("Location")).isEqualTo("/backends/web/rollout");
        JsonNode s = started.json();
        assertThat(s.get("state").asText()).isEqualTo("running");
        assertThat(s.get("step").asInt()).isEqualTo(1);
        assertThat(s.get("shares").toString()).isEqualTo("{\"1.0.0\":75,\"2.0.0\":25}");
        assertThat(s.get("guard").toString()).isEqualTo("{\"maxErrorRatePct\":1.0,\"maxResponseTimeMs\":2000,"
                + "\"minRequests\":10}");
        Reply second = api.post("/backends/web/rollout", PLAN);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.json().get("error").asText()).isEqualTo("rollout_conflict");
        assertThat(api.get("/backends/web").json().get("versions").toString())
                .isEqualTo("{\"1.0.0\":75,\"2.0.0\":25}");

        assertThat(api.post("/backends/web/rollout/pause", "").json().get("state").asText()).isEqualTo("paused");
        assertThat(api.post("/backends/web/rollout/resume", "").json().get("state").asText()).isEqualTo("running");
        await(() -> api.get("/backends/web/rollout").json().get("state").asText().equals("done"));
        JsonNode done = api.get("/backends/web/rollout").json();
        assertThat(done.get("measured").get("2.0.0").get("requests").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(done.get("decisions").toString()).contains("\"action\":\"paused\"", "\"action\":\"resumed\"",
                "\"action\":\"advanced\"", "\"action\":\"done\"");
        JsonNode web = api.get("/backends/web").json();
        assertThat(web.get("version").asText()).isEqualTo("2.0.0");
        assertThat(web.has("versions")).isFalse();
        assertThat(api.get("/rollouts").json().get("rollouts")).hasSize(1);
        assertThat(api.get("/activity?verb=rolloutDone").json().get("events")).hasSize(1);
        assertThat(stack.backplane.controller().reloadCount()).isEqualTo(reloads);
        assertThat(failed.get()).isZero();
    }

    @Test
    void deleteAbortsAndAnotherWriteToTheVersionAbortsAndSaysSo() {
        api.post("/backends/web/rollout", "{'version':'2.0.0','steps':[50,100],'stepSeconds':600}");
        Reply aborted = api.delete("/backends/web/rollout");
        assertThat(aborted.status()).isEqualTo(200);
        assertThat(aborted.json().get("state").asText()).isEqualTo("aborted");
        assertThat(aborted.json().get("reason").asText()).startsWith("aborted by hand at step 1 (50 % to 2.0.0)");
        assertThat(api.get("/backends/web").json().get("version").asText()).isEqualTo("1.0.0");
        assertThat(api.delete("/backends/web/rollout").status()).as("ended").isEqualTo(409);

        assertThat(api.post("/backends/web/rollout", "{'version':'2.0.0','steps':[50,100],'stepSeconds':600}")
                .status()).isEqualTo(201);
        Reply other = api.post("/backends/web", "{'version':'1.0.0'}");
        assertThat(other.status()).isEqualTo(200);
        JsonNode ended = other.json().get("abortedRollouts").get(0);
        assertThat(ended.get("state").asText()).isEqualTo("aborted");
        assertThat(ended.get("reason").asText()).startsWith("a write changed backend web's version or split");
        assertThat(api.get("/activity?verb=rolloutAborted").json().get("events")).hasSize(2);
    }

    @Test
    void badRolloutsAre400sNamingTheFieldAnd404sForWhatDoesNotExist() {
        String[][] cases = {
            {"{}", "version"},
            {"{'version':'2.0.0','steps':[5,50]}", "steps"},
            {"{'version':'2.0.0','steps':[50,25,100]}", "steps"},
            {"{'version':'2.0.0','steps':'5,100'}", "steps"},
            {"{'version':'2.0.0','stepSeconds':0}", "stepSeconds"},
            {"{'version':'2.0.0','guard':{'minRequests':0}}", "guard.minRequests"},
            {"{'version':'2.0.0','guard':{'maxErrorRatePct':101}}", "guard.maxErrorRatePct"},
            {"{'version':'2.0.0','guard':{'other':1}}", "guard.other"},
            {"{'version':'2.0.0','other':1}", "other"},
            {"{'version':'1.0.0'}", "version"},
            {"{'version':2}", "version"},
        };
        for (String[] c : cases) {
            Reply r = api.post("/backends/web/rollout", c[0]);
            assertThat(r.status()).as(c[0] + " -> " + r).isEqualTo(400);
            assertThat(r.json().get("field").asText()).as(c[0] + " -> " + r).isEqualTo(c[1]);
        }
        assertThat(api.post("/backends/nothing/rollout", PLAN).status()).isEqualTo(404);
        assertThat(api.get("/backends/web/rollout").status()).isEqualTo(404);
        assertThat(api.post("/backends/web/rollout/pause", "").status()).isEqualTo(404);
        api.put("/backends/static", "{'type':'static'}");
        assertThat(api.post("/backends/static/rollout", PLAN).json().get("field").asText()).isEqualTo("type");
    }
}
