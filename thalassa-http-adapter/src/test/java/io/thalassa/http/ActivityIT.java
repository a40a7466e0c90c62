package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.thalassa.http.Http.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /activity (paging, filters, kept across restarts), GET /stats and the /ws stream. */
class ActivityIT {
    @TempDir
    Path dir;

    @Test
    void theFeedListsEventsNewestFirstWithPagingAndFilters() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            stack.api.put("/backends/a", "{'type':'static'}");
            stack.api.put("/backends/b", "{'type':'static'}");
            stack.registrations.post("/registrations/x/1/127.0.0.1/8080", "");
            stack.api.put("/backends/c", "{'type':'static'}");

            JsonNode all = stack.api.get("/activity").json();
            assertThat(all.get("events")).hasSize(4);
            assertThat(all.get("nextBefore").isNull()).isTrue();
            List<String> verbs = new ArrayList<>();
            all.get("events").forEach(e -> verbs.add(e.get("verb").asText()));
            assertThat(verbs).containsExactly("configApplied", "online", "configApplied", "configApplied");
            assertThat(all.get("events").get(0).get("detail").asText()).contains("backend c added");
            assertThat(all.get("events").get(0).get("time").asText()).endsWith("Z");

            JsonNode page1 = stack.api.get("/activity?limit=3").json();
            assertThat(page1.get("events")).hasSize(3);
            long next = page1.get("nextBefore").asLong();
            JsonNode page2 = stack.api.get("/activity?limit=3&before=" + next).json();
            assertThat(page2.get("events")).hasSize(1);
            assertThat(page2.get("events").get(0).get("detail").asText()).contains("backend a added");
            assertThat(page2.get("nextBefore").isNull()).isTrue();

            JsonNode online = stack.api.get("/activity?verb=online").json().get("events");
            assertThat(online).hasSize(1);
            assertThat(online.get(0).get("object").asText()).isEqualTo("/x/1/127.0.0.1/8080");
            assertThat(stack.api.get("/activity?verb=online,configApplied&limit=10").json().get("events")).hasSize(4);
            assertThat(stack.api.get("/activity?object=127.0.0.1").json().get("events")).hasSize(1);

            assertBadRequest(stack.api.get("/activity?verb=exploded"), "invalid_value", "verb");
            assertBadRequest(stack.api.get("/activity?limit=0"), "invalid_value", "limit");
            assertBadRequest(stack.api.get("/activity?limit=many"), "invalid_value", "limit");
            assertBadRequest(stack.api.get("/activity?before=-1"), "invalid_value", "before");
        }
    }

    @Test
    void theFeedIsKeptAcrossRestarts() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            stack.api.put("/backends/a", "{'type':'static'}");
        }
        try (TestStack restarted = TestStack.start(dir)) {
            restarted.api.put("/backends/b", "{'type':'static'}");
            JsonNode events = restarted.api.get("/activity").json().get("events");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).get("id").asLong()).isGreaterThan(events.get(1).get("id").asLong());
            assertThat(events.get(1).get("detail").asText()).contains("backend a added");
        }
    }

    @Test
    void statsAre204BeforeTheFirstSnapshotThenTheSnapshot() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            Reply none = stack.api.get("/stats");
            assertThat(none.status()).isEqualTo(204);
            assertThat(none.body()).isEmpty();
            ((ValidatingBackplane) stack.backplane).publishStats(Map.of("frontends", Map.of("web", "OPEN")));
            Reply some = stack.api.get("/stats");
            assertThat(some.status()).isEqualTo(200);
            assertThat(some.json().get("frontends").get("web").asText()).isEqualTo("OPEN");
        }
    }

    @Test
    void theWebSocketStreamsActivityAndStats() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + stack.server.port() + "/ws"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                messages.add(partial.toString());
                                partial.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            try {
                stack.api.put("/backends/a", "{'type':'static'}");
                JsonNode activity = Http.JSON.readTree(next(messages));
                assertThat(activity.get("type").asText()).isEqualTo("activity");
                assertThat(activity.get("event").get("verb").asText()).isEqualTo("configApplied");
                assertThat(activity.get("event").get("id").asLong()).isPositive();

                ((ValidatingBackplane) stack.backplane).publishStats(Map.of("backends", Map.of("a", "UP")));
                JsonNode stats = Http.JSON.readTree(next(messages));
                assertThat(stats.get("type").asText()).isEqualTo("stats");
                assertThat(stats.get("stats").get("backends").get("a").asText()).isEqualTo("UP");
            } finally {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        }
    }

    private static String next(LinkedBlockingQueue<String> messages) throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message within 10 s").isNotNull();
        return m;
    }
}
