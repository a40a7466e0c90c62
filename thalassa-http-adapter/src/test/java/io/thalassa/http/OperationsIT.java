package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, /health/live, /health/ready and HAProxy's own warnings in the log and the activity feed. */
class OperationsIT {
    @TempDir
    Path dir;

    @Test
    void metricsCountReloadsAppliesRequestsAndShowHaproxyUp() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            int port = TestStack.freePort();
            assertThat(stack.api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}")
                    .status()).isEqualTo(200);
            assertThat(stack.api.put("/frontends/f?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'b'}")
                    .status()).isEqualTo(200);
            assertThat(stack.api.put("/backends/b?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1',"
                    + "'port':9001},{'host':'127.0.0.1','port':9002}]}").status()).isEqualTo(200);
            stack.api.get("/frontends/nope");
            stack.api.put("/backends/b", "{'type':'weird'}");
            TestStack.await(() -> stack.api.get("/metrics").body().contains("thalassa_haproxy_reload_seconds_count"));
            Reply m = stack.api.get("/metrics");
            assertThat(m.status()).isEqualTo(200);
            assertThat(m.header("Content-Type")).startsWith("text/plain");
            String text = m.body();
            assertThat(text).containsPattern("(?m)^thalassa_haproxy_reloads_total [1-9]")
                    .contains("thalassa_haproxy_reloads_failed_total 0.0")
                    .containsPattern("(?m)^thalassa_haproxy_up 1.0")
                    .containsPattern("(?m)^thalassa_registry_healthy 1.0")
                    .containsPattern("(?m)^thalassa_config_version [1-9]")
                    .containsPattern("thalassa_apply_seconds_bucket\\{kind=\"runtime\",le=")
                    .containsPattern("(?m)^thalassa_haproxy_runtime_changes_total [1-9]")
                    .containsPattern("thalassa_api_requests_seconds_count\\{method=\"PUT\",route=\"/backends/\\{key}\","
                            + "status=\"200\"} [1-9]")
                    .containsPattern("route=\"/backends/\\{key}\",status=\"400\"")
                    .containsPattern("route=\"/frontends/\\{key}\",status=\"404\"");
        }
    }

    @Test
    void readyMeansHaproxyRunsTheAcceptedConfiguration() throws Exception {
        try (TestStack stack = TestStack.startWith(dir, new String[] {"--reloadWindow", "3s"})) {
            assertThat(stack.api.get("/health/live").json().get("status").asText()).isEqualTo("live");
            TestStack.await(() -> stack.api.get("/health/ready").status() == 200);
            assertThat(stack.api.put("/frontends/f", "{'bind':'127.0.0.1:" + TestStack.freePort() + "','backend':'b'}")
                    .status()).isEqualTo(200);
            Reply pending = stack.api.get("/health/ready");
            assertThat(pending.status()).as(pending.toString()).isEqualTo(503);
            assertThat(pending.json().get("reason").asText()).contains("pending");
            TestStack.await(() -> stack.api.get("/health/ready").status() == 200);
        }
    }

    @Test
    void haproxysWarningsReachTheActivityFeed() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            Reply r = stack.api.put("/backends/t?wait=10s", "{'type':'static','mode':'tcp','natives':["
                    + "'option forwardfor'],'members':[{'host':'127.0.0.1','port':9001}]}");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            TestStack.await(() -> stack.api.get("/activity?verb=haproxyLog&limit=1000").body()
                    .contains("'option forwardfor' ignored for backend 't' as it requires HTTP mode"));
            assertThat(stack.api.get("/activity?verb=haproxyLog").json().get("events").get(0).get("detail").asText())
                    .containsPattern("\\[(WARNING|ALERT)]");
            assertThat(stack.api.get("/metrics").body()).containsPattern("(?m)^thalassa_haproxy_log_alerts_total [1-9]");
        }
    }
}
