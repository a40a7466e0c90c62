package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.internal.Documents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The revert property against a real HAProxy, over seeded random sequences of writes (static and dynamic backends
 * added, changed, split and removed, frontends on them added and removed, several items a write): reverting to any
 * revision r gives the stored items of r, and HAProxy runs it.
 */
class RevertPropertyIT {
    static final String[] BALANCES = {"roundrobin", "leastconn", "source"};

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {20, 21, 22})
    void forAnySequenceOfWritesRevertingToRevisionRGivesTheItemsOfR(long seed) throws Exception {
        Random random = new Random(seed);
        int[] ports = {NamedHttpServer.freePort(), NamedHttpServer.freePort(), NamedHttpServer.freePort()};
        Map<Long, Map<String, String>> items = new TreeMap<>();
        try (Thalassa thalassa = Thalassa.builder().workDir(dir.resolve("s" + seed))
                .haproxyBinary(NamedHttpServer.haproxyBinary()).stopHaproxyOnClose(true).start()) {
            for (int w = 0; w < 25; w++) {
                int edits = 1 + random.nextInt(3);
                List<java.util.function.UnaryOperator<ThalassaConfig>> ops = new ArrayList<>();
                for (int e = 0; e < edits; e++) {
                    ops.add(edit(random, ports));
                }
                thalassa.update(c -> {
                    ThalassaConfig next = c;
                    for (var op : ops) {
                        next = op.apply(next);
                    }
                    return next;
                }).await(Duration.ofSeconds(60));
                List<Revision> latest = thalassa.history(1, 0);
                if (!latest.isEmpty()) {
                    items.put(latest.get(0).number(), Documents.itemsOf(thalassa.config()));
                }
            }
            List<Long> revisions = new ArrayList<>(items.keySet());
            for (int i = 0; i < 6; i++) {
                long r = revisions.get(random.nextInt(revisions.size()));
                thalassa.revert(r).await(Duration.ofSeconds(60));
                assertThat(Documents.itemsOf(thalassa.config())).as("seed %d, revert to %d", seed, r)
                        .isEqualTo(items.get(r));
                assertThat(thalassa.status().haproxy().runsDesired()).isTrue();
            }
        }
    }

    /** One random edit, drawn now: a backend put, split, switched or removed, or a frontend put or removed. */
    static java.util.function.UnaryOperator<ThalassaConfig> edit(Random random, int[] ports) {
        int n = random.nextInt(3);
        String backend = "b" + n;
        String balance = BALANCES[random.nextInt(3)];
        int port = 9000 + random.nextInt(5);
        String version = "1." + random.nextInt(3);
        int weight = 1 + random.nextInt(99);
        return switch (random.nextInt(6)) {
            case 0 -> c -> c.withBackend(Backend.staticBackend(backend).balance(Balance.of(balance))
                    .member("127.0.0.1", port).build());
            case 1 -> c -> c.withBackend(Backend.dynamic(backend).service("app", version).build());
            case 2 -> c -> c.backend(backend).filter(Backend::isDynamic)
                    .map(b -> c.withBackend(b.withSplit(Map.of("1.0", weight, "2.0", 100 - weight)))).orElse(c);
            case 3 -> c -> c.withoutBackend(backend);
            case 4 -> c -> c.withFrontend(Frontend.builder("f" + n).bind("127.0.0.1:" + ports[n])
                    .defaultBackend(backend).build());
            default -> c -> c.withoutFrontend("f" + n);
        };
    }
}
