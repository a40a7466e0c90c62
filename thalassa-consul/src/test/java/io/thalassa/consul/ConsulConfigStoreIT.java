package io.thalassa.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.ConfigStore.Snapshot;
import io.thalassa.spi.RegistryHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The configuration store in a real Consul agent's KV (dev mode, loopback only): check-and-set, watches, outages. */
class ConsulConfigStoreIT {
    private static ConsulAgent agent;
    private static int prefixes;
    private ConsulConfigStore store;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = ConsulAgent.start(Path.of("target", "consul-kv-it"));
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @BeforeEach
    void createStore() {
        store = ConsulConfigStore.builder().agent("127.0.0.1", agent.httpPort()).prefix("thalassa/t" + prefixes++)
                .wait(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aWriteExpectsTheVersionItWasGivenAndItsAnswerIsTheNewOne() {
        long v1 = store.put("backend/live", "{\"type\":\"static\"}", ConfigStore.NEW);
        assertThat(v1).isPositive();
        Snapshot s = store.readAll();
        assertThat(s.items()).containsOnlyKeys("backend/live");
        assertThat(s.items().get("backend/live").json()).isEqualTo("{\"type\":\"static\"}");
        assertThat(s.items().get("backend/live").version()).isEqualTo(v1);

        assertThatThrownBy(() -> store.put("backend/live", "{}", ConfigStore.NEW))
                .isInstanceOf(StoreConflictException.class).hasMessageContaining("backend/live");
        long v2 = store.put("backend/live", "{\"type\":\"static\",\"balance\":\"source\"}", v1);
        assertThat(v2).isGreaterThan(v1);
        assertThatThrownBy(() -> store.put("backend/live", "{}", v1)).isInstanceOf(StoreConflictException.class);
        assertThat(store.readAll().items().get("backend/live").version()).isEqualTo(v2);

        assertThatThrownBy(() -> store.delete("backend/live", v1)).isInstanceOf(StoreConflictException.class);
        assertThat(store.delete("backend/live", v2)).isTrue();
        assertThat(store.delete("backend/live", ConfigStore.ANY)).isFalse();
        assertThat(store.readAll().items()).isEmpty();
        assertThatThrownBy(() -> store.put("listen/x", "{}", ConfigStore.ANY)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("frontend/<key> or backend/<key>");
    }

    /** Different documents: Consul acknowledges a write of the very value stored as a no-op, at the same version. */
    @Test
    void twoWritersWithTheSameVersionGetExactlyOneAcknowledgement() throws Exception {
        long v = store.put("frontend/web", "{\"bind\":\"127.0.0.1:8080\"}", ConfigStore.NEW);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                long expected = store.readAll().items().get("frontend/web").version();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> writes = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    int writer = w;
                    int n = round;
                    writes.add(pool.submit(() -> {
                        go.await();
                        try {
                            return store.put("frontend/web", "{\"writer\":" + writer + ",\"round\":" + n + "}",
                                    expected);
                        } catch (StoreConflictException e) {
                            return -1L;
                        }
                    }));
                }
                go.countDown();
                int acknowledged = 0;
                for (Future<Long> f : writes) {
                    acknowledged += f.get(10, TimeUnit.SECONDS) > 0 ? 1 : 0;
                }
                assertThat(acknowledged).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(v).isPositive();
    }

    @Test
    void fourConcurrentWritersLoseNoUpdate() throws Exception {
        List<String> ids = List.of("backend/a", "backend/b", "backend/c");
        Map<String, String> lastAcknowledged = new ConcurrentHashMap<>();
        Map<String, Long> lastVersion = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                Random random = new Random(writer);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (writes.get() < 500 && System.nanoTime() < deadline) {
                    String id = ids.get(random.nextInt(ids.size()));
                    ConfigStore.Item now = store.readAll().items().get(id);
                    String json = "{\"writer\":" + writer + ",\"n\":" + writes.get() + "}";
                    try {
                        long v = store.put(id, json, now == null ? ConfigStore.NEW : now.version());
                        writes.incrementAndGet();
                        synchronized (lastAcknowledged) { // versions grow: the highest acknowledged is the last
                            if (v > lastVersion.getOrDefault(id, 0L)) {
                                lastVersion.put(id, v);
                                lastAcknowledged.put(id, json);
                            }
                        }
                    } catch (StoreConflictException e) {
                        conflicts.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(90, TimeUnit.SECONDS);
        }
        pool.shutdownNow();
        assertThat(writes.get()).isGreaterThanOrEqualTo(500);
        assertThat(conflicts.get()).isPositive(); // they did race
        Snapshot end = store.readAll();
        for (String id : ids) {
            assertThat(end.items().get(id).json()).as(id).isEqualTo(lastAcknowledged.get(id));
            assertThat(end.items().get(id).version()).isEqualTo(lastVersion.get(id));
        }
    }

    @Test
    void aWatchSeesEveryChangeAndSaysWhenTheAgentIsFrozenAndBack() throws Exception {
        BlockingQueue<Snapshot> seen = new LinkedBlockingQueue<>();
        List<RegistryHealth> health = new CopyOnWriteArrayList<>();
        long start = store.readAll().index();
        try (ConfigStore.Watch w = store.watch(start, seen::add, health::add)) {
            store.put("frontend/web", "{\"n\":1}", ConfigStore.ANY);
            Snapshot first = seen.poll(10, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.items().get("frontend/web").json()).isEqualTo("{\"n\":1}");

            agent.freeze(); // SIGSTOP: calls hang without an answer
            try {
                // the watch's blocking query times out (its wait plus the request timeout) and says so
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (health.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(health).first().satisfies(h -> assertThat(h.isConnected()).isFalse());
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> store.put("frontend/web", "{\"n\":2}", ConfigStore.ANY))
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("cannot write");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
            } finally {
                agent.thaw();
            }
            // the write that timed out during the freeze may still be committed after the thaw, even after a later
            // one (its request was in the agent's socket): write again until the watch shows the last write
            Map<String, String> last = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!"{\"n\":3}".equals(last.get("json")) && System.nanoTime() < deadline) {
                if (!"{\"n\":3}".equals(store.readAll().items().get("frontend/web").json())) {
                    store.put("frontend/web", "{\"n\":3}", ConfigStore.ANY);
                }
                Snapshot s = seen.poll(1, TimeUnit.SECONDS);
                if (s != null && s.items().containsKey("frontend/web")) {
                    last.put("json", s.items().get("frontend/web").json());
                }
            }
            assertThat(last.get("json")).isEqualTo("{\"n\":3}");
            assertThat(health).last().satisfies(h -> assertThat(h.isConnected()).isTrue());
        }
    }

    /**
     * Node state is held by the store's session: renewed while the store is open (past its TTL), refused to a second
     * live session under the same name, gone at once when the store closes, and never among the config items.
     */
    @Test
    void nodeStateLivesAsLongAsItsSession() throws Exception {
        String prefix = "thalassa/nodes" + prefixes++;
        ConsulConfigStore a = ConsulConfigStore.builder().agent("127.0.0.1", agent.httpPort()).prefix(prefix)
                .sessionTtl(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(2)).build();
        ConsulConfigStore b = ConsulConfigStore.builder().agent("127.0.0.1", agent.httpPort()).prefix(prefix)
                .sessionTtl(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(2)).build();
        try {
            a.publishNode("n1", "{\"revision\":1}");
            a.publishNode("n1", "{\"revision\":2}");
            assertThat(b.nodes()).containsExactly(java.util.Map.entry("n1", "{\"revision\":2}"));
            assertThat(b.readAll().items()).isEmpty();
            assertThatThrownBy(() -> b.publishNode("n1", "{}")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("same --label");
            Thread.sleep(Duration.ofSeconds(12).toMillis()); // past the TTL: only renewals keep it
            assertThat(b.nodes()).containsOnlyKeys("n1");
            a.close();
            assertThat(b.nodes()).isEmpty();
        } finally {
            a.close();
            b.close();
        }
    }
}
