package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** --persistence: every accepted change written atomically, replayed at start; an unreadable file stops the start. */
class PersistenceIT {
    @TempDir
    Path dir;

    @Test
    void frontendsAndBackendsSurviveARestart() throws Exception {
        Path file = dir.resolve("thalassa.json");
        String frontends;
        String backends;
        try (TestStack first = TestStack.start(dir, "--persistence", file.toString())) {
            first.api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0','balance':'source'}");
            first.api.put("/backends/db", "{'type':'static','mode':'tcp','members':[{'host':'127.0.0.1','port':3306}]}");
            first.api.put("/backends/gone", "{'type':'static'}");
            first.api.put("/frontends/web", "{'bind':'127.0.0.1:" + TestStack.freePort() + "','backend':'live',"
                    + "'rules':[{'type':'path',"
                    + "'operation':'path_beg','value':'/db','backend':'db'}]}");
            first.api.delete("/backends/gone");
            first.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8080", "");
            first.awaitSize("/backends/live/members", 1);
            first.api.post("/backends/live", "{'version':'1.0.0'}");
            frontends = first.api.get("/frontends").body();
            backends = first.api.get("/backends").body();
        }
        JsonNode saved = Http.JSON.readTree(Files.readString(file));
        assertThat(saved.get("backends")).hasSize(2);
        assertThat(saved.get("backends").findValues("members")).allSatisfy(m -> {
            if (m.size() > 0) {
                assertThat(m.get(0).get("port").asInt()).as("only static members are saved").isEqualTo(3306);
            }
        });
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        Path second = Files.createDirectories(dir.resolve("second"));
        try (TestStack restarted = TestStack.start(second, "--persistence", file.toString())) {
            assertThat(restarted.api.get("/frontends").body()).isEqualTo(frontends);
            JsonNode live = restarted.api.get("/backends/live").json();
            assertThat(live.get("balance").asText()).isEqualTo("source");
            assertThat(live.get("members")).as("the new registry has no instance yet").isEmpty();
            assertThat(restarted.api.get("/backends/db").json())
                    .isEqualTo(Http.JSON.readTree(backends).get(0));
            assertThat(restarted.api.get("/backends/gone").status()).isEqualTo(404);
            assertThat(restarted.api.get("/haproxy/config").body()).contains("frontend web", "backend live");
        }
    }

    @Test
    void aMissingFileStartsEmptyAndIsWrittenOnTheFirstChange() throws Exception {
        Path file = dir.resolve("new.json");
        try (TestStack stack = TestStack.start(dir, "--persistence", file.toString())) {
            assertThat(file).doesNotExist();
            stack.api.put("/backends/b", "{'type':'static'}");
            assertThat(file).exists();
            assertThat(Http.JSON.readTree(Files.readString(file)).get("backends").get(0).get("key").asText())
                    .isEqualTo("b");
        }
    }

    @Test
    void aCorruptFileIsAStartupErrorNamingItAndIsLeftUntouched() throws Exception {
        for (String content : new String[] {"{\"frontends\": [", "not json at all",
                "{\"frontends\":[],\"backends\":[{\"key\":\"b\",\"type\":\"static\",\"balance\":\"fastest\"}]}",
                "{\"frontends\":[],\"servers\":[]}"}) {
            Path file = dir.resolve("corrupt.json");
            Files.writeString(file, content);
            assertThatThrownBy(() -> TestStack.backplane(dir, "--persistence", file.toString()))
                    .as(content).isInstanceOf(IllegalStateException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("left untouched");
            assertThat(Files.readString(file)).isEqualTo(content);
            assertThat(dir.resolve("haproxy.pid")).as("no HAProxy started").doesNotExist();
        }
    }

    @Test
    void theErrorNamesTheBadFieldOfTheFile() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"backends\":[{\"key\":\"b\",\"type\":\"static\",\"balance\":\"fastest\"}]}");
        assertThatThrownBy(() -> TestStack.start(dir, "--persistence", file.toString()))
                .hasMessageContaining("balance").hasMessageContaining("fastest");
    }

    @Test
    void aFileHaproxyRejectsIsAStartupErrorAndIsLeftUntouched() throws Exception {
        Path file = dir.resolve("rejected.json");
        String content = "{\"frontends\":[],\"backends\":[{\"key\":\"b\",\"type\":\"static\","
                + "\"natives\":[\"option no-such-option\"]}]}";
        Files.writeString(file, content);
        assertThatThrownBy(() -> TestStack.start(dir, "--persistence", file.toString()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("no-such-option");
        assertThat(Files.readString(file)).isEqualTo(content);
    }
}
