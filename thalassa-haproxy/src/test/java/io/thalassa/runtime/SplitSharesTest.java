package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.StatsSnapshot;
import io.thalassa.haproxy.StatsSnapshot.BackendStats;
import io.thalassa.haproxy.StatsSnapshot.ServerStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitSharesTest {
    private static final Backend LIVE = Backend.dynamic("live").service("app", "1.0.0").build();
    private static final List<Member> MEMBERS = List.of(
            Member.registered("app", "1.0.0", "127.0.0.1", 8081, null, null),
            Member.registered("app", "1.0.0", "127.0.0.1", 8082, null, null),
            Member.registered("app", "2.0.0", "127.0.0.1", 9091, null, null));

    private static StatsSnapshot snapshot(long millis, long a, long b, long c) {
        return new StatsSnapshot(Instant.ofEpochMilli(millis), Map.of(), Map.of("live", new BackendStats("live", "UP",
                3, 3, 0, List.of(new ServerStats("live_slot1", "UP", "L4OK", 0, a, "127.0.0.1:8081", 128),
                        new ServerStats("live_slot2", "UP", "L4OK", 0, b, "127.0.0.1:8082", 128),
                        new ServerStats("live_slot3", "UP", "L4OK", 0, c, "127.0.0.1:9091", 28)))));
    }

    @Test
    void theSharesServedComeFromEachVersionsServerCountersBetweenTwoSnapshots() {
        ThalassaConfig config = ThalassaConfig.empty().withBackend(LIVE.withSplit(Map.of("1.0.0", 90, "2.0.0", 10))
                .withMembers(MEMBERS));
        Map<String, Object> splits = SplitShares.between(snapshot(1000, 10, 10, 0), snapshot(3000, 55, 55, 10),
                config);
        assertThat(splits.toString()).isEqualTo("{live={requested={1.0.0=90, 2.0.0=10}, intervalMs=2000, "
                + "versions={1.0.0={requests=90, share=90.0}, 2.0.0={requests=10, share=10.0}}}}");
        assertThat(SplitShares.withSplits(null, snapshot(3000, 1, 1, 1), config)).isInstanceOf(Map.class);
    }

    @Test
    void withoutASplitTheSnapshotKeepsItsShape() {
        ThalassaConfig config = ThalassaConfig.empty().withBackend(LIVE.withMembers(MEMBERS.subList(0, 2)));
        StatsSnapshot now = snapshot(3000, 5, 5, 5);
        assertThat(SplitShares.withSplits(snapshot(1000, 1, 1, 1), now, config)).isSameAs(now);
    }

    @Test
    void theAnswerToASplitNamesAVersionWithoutInstances() {
        Backend b = LIVE.withSplit(Map.of("1.0.0", 80, "3.0.0", 20)).withMembers(MEMBERS.subList(0, 2));
        assertThat(SplitShares.answer(b).toString()).isEqualTo("{requested={1.0.0=80, 3.0.0=20}, "
                + "instances={1.0.0=2, 3.0.0=0}, serving={1.0.0=100.0, 3.0.0=0.0}, "
                + "note=3.0.0 has no instance, its 20 % goes to the others; serving 1.0.0:100,3.0.0:0}");
        assertThat(SplitShares.answer(LIVE)).isNull();
    }
}
