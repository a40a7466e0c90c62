package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** GET /activity (paging, filters, kept across restarts), GET /stats and the /ws stream, on the real stack. */
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
            String mine = "/activity?verb=online,configApplied";
            TestStack.await(() -> stack.api.get(mine).json().get("events").size() == 4);

            JsonNode all = stack.api.get(mine).json();
            assertThat(all.get("nextBefore").isNull()).isTrue();
            List<String> verbs = new ArrayList<>();
            all.get("events").forEach(e -> verbs.add(e.get("verb").asText()));
            assertThat(verbs).containsExactly("configApplied", "online", "configApplied", "configApplied");
            assertThat(all.get("events").get(0).get("detail").asText()).contains("backend c added");
            assertThat(all.get("events").get(0).get("time").asText()).endsWith("Z");

            JsonNode page1 = stack.api.get(mine + "&limit=3").json();
            assertThat(page1.get("events")).hasSize(3);
            long next = page1.get("nextBefore").asLong();
            JsonNode page2 = stack.api.get(mine + "&limit=3&before=" + next).json();
            assertThat(page2.get("events")).hasSize(1);
            assertThat(page2.get("events").get(0).get("detail").asText()).contains("backend a added");
            assertThat(page2.get("nextBefore").isNull()).isTrue();

            JsonNode online = stack.api.get("/activity?verb=online").json().get("events");
            assertThat(online).hasSize(1);
            assertThat(online.get(0).get("object").asText()).isEqualTo("/x/1/127.0.0.1/8080");
            assertThat(stack.api.get("/activity?object=127.0.0.1").json().get("events")).hasSize(1);

            TestStack.await(() -> stack.api.get("/activity?verb=reloadDone").json().get("events").size() > 0);
            JsonNode everything = stack.api.get("/activity?limit=1000").json().get("events");
            List<String> allVerbs = new ArrayList<>();
            everything.forEach(e -> allVerbs.add(e.get("verb").asText()));
            assertThat(allVerbs).as("the stack's own events are in the feed").contains("started", "reloadDone")
                    .last().isEqualTo("started");

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
            JsonNode events = restarted.api.get("/activity?verb=configApplied").json().get("events");
            assertThat(events).hasSize(2);
            assertThat(events.get(0).get("id").asLong()).isGreaterThan(events.get(1).get("id").asLong());
            assertThat(events.get(0).get("detail").asText()).contains("backend b added");
            assertThat(events.get(1).get("detail").asText()).contains("backend a added");
            assertThat(restarted.api.get("/activity?verb=started&object=haproxy").json().get("events")).as("one per start")
                    .hasSize(2);
        }
    }

    @Test
    void statsAreTheLatestSnapshotOfTheRealHaproxy() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            stack.api.put("/backends/a", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}");
            TestStack.await(() -> {
                Reply r = stack.api.get("/stats");
                return r.status() == 200 && r.json().path("backends").has("a");
            });
            JsonNode a = stack.api.get("/stats").json().get("backends").get("a");
            assertThat(a.get("total").asInt()).as("placeholder slots are left out").isEqualTo(1);
            assertThat(stack.api.get("/stats").json().get("time").asText()).isNotBlank();
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
                JsonNode activity = next(messages, "activity", m -> m.get("event").get("verb").asText()
                        .equals("configApplied"));
                assertThat(activity.get("event").get("detail").asText()).contains("backend a added");
                assertThat(activity.get("event").get("id").asLong()).isPositive();

                JsonNode stats = next(messages, "stats", m -> m.get("stats").get("backends").has("a"));
                assertThat(stats.get("stats").get("backends").get("a").get("name").asText()).isEqualTo("a");
            } finally {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The first message of {@code type} that {@code wanted} accepts, within 15 s; others are skipped. */
    private static JsonNode next(LinkedBlockingQueue<String> messages, String type, Predicate<JsonNode> wanted)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            String m = messages.poll(100, TimeUnit.MILLISECONDS);
            if (m != null) {
                JsonNode node = Http.JSON.readTree(m);
                if (node.get("type").asText().equals(type) && wanted.test(node)) {
                    return node;
                }
            }
        }
        throw new AssertionError("no " + type + " message as wanted within 15 s");
    }
}
