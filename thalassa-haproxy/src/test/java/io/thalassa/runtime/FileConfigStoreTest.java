package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persistence file: round trip, dynamic members left out, unreadable files never overwritten. */
class FileConfigStoreTest {
    @TempDir
    Path dir;

    private static ThalassaConfig sample() {
        return ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0")
                        .member(Member.registered("myapp", "1.0.0", "127.0.0.1", 8080, null, null)).build())
                .withBackend(Backend.staticBackend("db").member("127.0.0.1", 3306).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:18080").defaultBackend("live").build());
    }

    @Test
    void whatIsSavedIsLoadedWithoutDynamicMembers() throws Exception {
        FileConfigStore store = FileConfigStore.at(dir.resolve("t.json"));
        assertThat(store.load()).isEmpty();
        store.save(sample());
        ThalassaConfig loaded = FileConfigStore.at(dir.resolve("t.json")).load().orElseThrow();
        assertThat(loaded.backend("live").orElseThrow().members()).isEmpty();
        assertThat(loaded.backend("db")).isEqualTo(sample().backend("db"));
        assertThat(loaded.frontends()).isEqualTo(sample().frontends());
        assertThat(loaded).isEqualTo(sample().withMembers("live", List.of()));
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void parseReadsTheFilesFormatAndSaysWhereAnItemIsWrong() throws Exception {
        FileConfigStore store = FileConfigStore.at(dir.resolve("t.json"));
        store.save(sample());
        assertThat(FileConfigStore.parse(Files.readAllBytes(dir.resolve("t.json"))))
                .isEqualTo(sample().withMembers("live", List.of()));
        assertThat(FileConfigStore.parse("{}".getBytes())).isEqualTo(ThalassaConfig.empty());

        assertThatThrownBy(() -> FileConfigStore.parse(("{\"backends\":[{\"key\":\"a\",\"type\":\"static\"},"
                + "{\"key\":\"b\",\"type\":\"static\",\"balance\":\"fastest\"}]}").getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backends[1]: balance")
                .hasMessageContaining("\"fastest\"");
        assertThatThrownBy(() -> FileConfigStore.parse("{\"frontend\":[]}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown field \"frontend\"");
        assertThatThrownBy(() -> FileConfigStore.parse("{\"backends\":{}}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("backends must be an array");
        assertThatThrownBy(() -> FileConfigStore.parse("[1".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON: ");
        assertThatThrownBy(() -> FileConfigStore.parse(new byte[] {'"', (byte) 0xC3, '"'}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON: not UTF-8");
    }

    @Test
    void parseTreeReadsTheSameFormatFromADocumentAlreadyRead() {
        assertThat(FileConfigStore.parseTree(Map.of("backends", List.of(Map.of("key", "a", "type", "static")),
                "frontends", List.of(Map.of("key", "web", "bind", "127.0.0.1:8080", "backend", "a")))))
                .isEqualTo(ThalassaConfig.empty().withBackend(Backend.staticBackend("a").build())
                        .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("a").build()));
        assertThatThrownBy(() -> FileConfigStore.parseTree(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("it must hold a JSON object");
        assertThatThrownBy(() -> FileConfigStore.parseTree(Map.of("backends", List.of(Map.of("key", "a", "type",
                "static", "slowstart", java.util.Date.from(java.time.Instant.EPOCH))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backends[0]: slowstart");
    }

    @Test
    void anUnreadableFileIsAnErrorAndIsNeverOverwritten() throws Exception {
        Path file = Files.writeString(dir.resolve("t.json"), "{\"frontends\":[{\"bind\":");
        FileConfigStore store = FileConfigStore.at(file);
        assertThatThrownBy(store::load).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("left untouched");
        assertThatThrownBy(() -> store.save(sample())).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(file)).isEqualTo("{\"frontends\":[{\"bind\":");
    }

    @Test
    void theOriginalsFileWithReadOnlyFieldsIsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("t.json"), q("{'frontends':[{'id':'frontend/web',"
                + "'_type':'frontend','key':'web','bind':'*:18080','backend':'live'}],'backends':[{'id':'backend/live',"
                + "'_type':'backend','key':'live','type':'dynamic','name':'myapp','version':'1.0.0','members':[]}]}"));
        ThalassaConfig c = FileConfigStore.at(file).load().orElseThrow();
        assertThat(c.frontend("web")).isPresent();
        assertThat(c.backend("live").orElseThrow().serviceVersion()).isEqualTo("1.0.0");
    }

    /** The same contract as Consul's store (ConsulConfigStoreIT): check-and-set versions, watches, the file shape. */
    @Test
    void asTheLocalConfigStoreItWritesItemsWithCheckAndSet() throws Exception {
        Path file = dir.resolve("t.json");
        FileConfigStore store = FileConfigStore.at(file);
        store.save(sample());
        io.thalassa.spi.ConfigStore.Snapshot s = store.readAll();
        assertThat(s.items().keySet()).containsExactly("backend/db", "backend/live", "frontend/web");
        long v = s.items().get("backend/db").version();
        java.util.concurrent.BlockingQueue<io.thalassa.spi.ConfigStore.Snapshot> seen =
                new java.util.concurrent.LinkedBlockingQueue<>();
        try (io.thalassa.spi.ConfigStore.Watch w = store.watch(s.index(), seen::add, h -> { })) {
            String db = "{\"key\":\"db\",\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":3307}]}";
            long v2 = store.put("backend/db", db, v);
            assertThat(v2).isGreaterThan(s.index());
            assertThatThrownBy(() -> store.put("backend/db", db, v)).isInstanceOf(io.thalassa.StoreConflictException.class);
            assertThatThrownBy(() -> store.put("backend/db", db, io.thalassa.spi.ConfigStore.NEW))
                    .isInstanceOf(io.thalassa.StoreConflictException.class);
            assertThatThrownBy(() -> store.put("backend/x", "{\"key\":\"y\"}", io.thalassa.spi.ConfigStore.NEW))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key x");
            assertThatThrownBy(() -> store.put("backend/x", "{\"key\":\"x\",\"type\":\"static\",\"members\":"
                    + "[{\"host\":\"127.0.0.1\",\"port\":70000}]}", io.thalassa.spi.ConfigStore.NEW))
                    .isInstanceOf(RuntimeException.class);
            io.thalassa.spi.ConfigStore.Snapshot after = seen.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(after).isNotNull();
            assertThat(after.items().get("backend/db").json()).isEqualTo(db);
            assertThat(store.delete("frontend/web", store.readAll().items().get("frontend/web").version())).isTrue();
            assertThat(store.delete("frontend/web", io.thalassa.spi.ConfigStore.ANY)).isFalse();
        }
        // the file is the persistence file as always: what was written through the SPI is loaded back
        ThalassaConfig loaded = FileConfigStore.at(file).load().orElseThrow();
        assertThat(loaded.frontends()).isEmpty();
        assertThat(loaded.backend("db").orElseThrow().members().get(0).port()).isEqualTo(3307);
        assertThat(loaded.backend("live")).isPresent();
        store.publishNode("n1", "{}");
        assertThat(store.nodes()).containsOnlyKeys("n1");
        store.close();
    }

    /** JSON with single quotes, for readable literals. */
    private static String q(String json) {
        return json.replace('\'', '"');
    }
}
