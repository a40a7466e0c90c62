package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotPlanner.Growth;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SlotPlannerTest {

    private static List<Endpoint> endpoints(int from, int count) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(new Endpoint("127.0.0.1", from + i));
        }
        return list;
    }

    @ParameterizedTest
    @CsvSource({"0,2", "1,3", "10,12", "20,22", "21,24", "100,110"})
    void aBackendThatTakesServersAtRunTimeGetsATenthOfHeadroom(int members, int capacity) {
        assertThat(SlotPlanner.capacityFor(members, true)).isEqualTo(capacity);
    }

    @ParameterizedTest
    @CsvSource({"0,4", "1,4", "3,4", "4,8", "6,8", "7,16", "12,16", "13,32", "20,32", "100,128"})
    void anyOtherBackendGetsAPowerOfTwoWithAQuarterOfHeadroom(int members, int capacity) {
        assertThat(SlotPlanner.capacityFor(members, false)).isEqualTo(capacity);
    }

    @Test
    void planningLeavesTheCurrentTableAsItWas() {
        SlotTable current = SlotPlanner.plan("live", null, endpoints(8000, 2), true).table();
        List<String> before = current.lines().stream().map(ServerLine::address).toList();
        SlotPlanner.Plan plan = SlotPlanner.plan("live", current, endpoints(9000, 2), true);
        assertThat(current.lines().stream().map(ServerLine::address).toList()).isEqualTo(before);
        assertThat(plan.table()).isNotSameAs(current);
        assertThat(plan.changes()).hasSize(4); // two join, two start draining
    }

    @Test
    void aDynamicBackendGrowsAtRunTimeByWhatItLacksAndAHashOneWithAReload() {
        SlotTable dynamic = SlotPlanner.plan("live", null, endpoints(8000, 2), true).table(); // 4 slots
        SlotPlanner.Plan grown = SlotPlanner.plan("live", dynamic, endpoints(9000, 3), true);
        assertThat(grown.growth()).isEqualTo(Growth.RUNTIME);
        assertThat(grown.capacityBefore()).isEqualTo(4);
        assertThat(grown.table().capacity()).isEqualTo(5); // 2 draining + 3 joining

        SlotTable hashed = SlotPlanner.plan("src", null, endpoints(8000, 3), false).table(); // 4 slots
        SlotPlanner.Plan reload = SlotPlanner.plan("src", hashed, endpoints(9000, 3), false);
        assertThat(reload.growth()).isEqualTo(Growth.RELOAD);
        assertThat(reload.table().capacity()).isEqualTo(8);
    }

    @Test
    void membersThatFitNeedNoGrowthAndSurvivorsKeepTheirSlots() {
        SlotTable current = SlotPlanner.plan("live", null, endpoints(8000, 3), false).table();
        SlotPlanner.Plan plan = SlotPlanner.plan("live", current, endpoints(8001, 3), false);
        assertThat(plan.growth()).isEqualTo(Growth.NONE);
        assertThat(plan.table().lines().get(1).address()).isEqualTo("127.0.0.1:8001");
        assertThat(plan.table().lines().get(3).address()).isEqualTo("127.0.0.1:8003");
    }

    @Test
    void aRegisteredMemberWhoseHostDoesNotResolveIsLeftOutAloneWithTheReason() {
        io.thalassa.Backend b = io.thalassa.Backend.dynamic("live").service("app", "1").build().withMembers(List.of(
                io.thalassa.Member.registered("app", "1", "127.0.0.1", 8001, null, null),
                io.thalassa.Member.registered("app", "1", "nosuchhost.invalid", 8002, null, null),
                io.thalassa.Member.registered("app", "1", "127.0.0.1", 8003, null, null)));
        List<SlotPlanner.Rejected> rejected = new ArrayList<>();
        List<Endpoint> endpoints = SlotPlanner.endpoints(b, rejected);
        assertThat(endpoints).extracting(Endpoint::port).containsExactly(8001, 8003);
        assertThat(rejected).singleElement().satisfies(r -> {
            assertThat(r.backend()).isEqualTo("live");
            assertThat(r.member()).isEqualTo("/app/1/nosuchhost.invalid/8002");
            assertThat(r.reason()).contains("cannot be resolved");
        });
    }

    @Test
    void aStaticMemberWhoseHostDoesNotResolveStillRefusesTheConfiguration() {
        io.thalassa.Backend b = io.thalassa.Backend.staticBackend("fixed").member("nosuchhost.invalid", 80).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SlotPlanner.endpoints(b, new ArrayList<>()))
                .hasMessageContaining("cannot be resolved");
    }
}
