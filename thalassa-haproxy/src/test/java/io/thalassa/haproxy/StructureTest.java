package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.ConfigDiff;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.ChangePlan;
import io.thalassa.haproxy.internal.ChangePlanner;
import io.thalassa.haproxy.internal.Endpoints;
import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotTable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One truth about structure: the controller's planner decides, from the renderer's section fingerprints, and
 * {@link ConfigDiff} describes the same changes in the model's terms, but for slot growth, which only the planner
 * sees.
 */
class StructureTest {
    private static final HaproxyConfigRenderer RENDERER = HaproxyConfigRenderer.defaultTemplate();
    private static final HaproxySettings SETTINGS = HaproxySettings.defaults();
    private static final ChangePlanner PLANNER = new ChangePlanner(RENDERER.sections(SETTINGS));
    private static final int[] PORTS = {18001, 18002, 18003, 18004};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void thePlannerFindsStructureExactlyWhereConfigDiffDoesOrABackendOutgrowsItsSlotsWithAHashBalance(long seed) {
        RandomConfigs random = new RandomConfigs(seed, PORTS);
        int structural = 0;
        int membership = 0;
        int staticGrowths = 0;
        int runtimeGrowths = 0;
        for (int i = 0; i < 200; i++) {
            ThalassaConfig a = random.config();
            ThalassaConfig b = random.next(a);
            Map<String, SlotTable> slotsA = RandomConfigs.plan(a, new HashMap<>());
            RenderedConfig ra = RENDERER.render(a, SETTINGS, RandomConfigs.layout(slotsA));
            ChangePlan plan = PLANNER.plan(running(a, slotsA, ra), b, Endpoints.resolve(b, a));
            RenderedConfig rb = RENDERER.render(b, SETTINGS, RandomConfigs.layout(plan.tables(slotsA)));
            ConfigDiff diff = ConfigDiff.between(a, b);
            boolean staticGrowth = plan.backends().values().stream()
                    .anyMatch(p -> p.growth() == SlotPlanner.Growth.RELOAD && p.capacityBefore() > 0);
            boolean grew = staticGrowth || !plan.runtimeGrowth().isEmpty();
            String step = "seed " + seed + " step " + i + ": " + diff;
            assertThat(plan.structural()).as(step).isEqualTo(diff.isStructural() || staticGrowth);
            // a runtime growth changes the fingerprint (more server names) and nothing HAProxy must reload for
            assertThat(ra.fingerprints().equals(rb.fingerprints())).as(step).isEqualTo(!plan.structural() && !grew);
            if (plan.structural()) {
                assertThat(plan.fingerprints()).as(step).isEqualTo(rb.fingerprints());
                assertThat(plan.reloads()).as(step).isEqualTo(!ChangePlanner.differences(rb.fingerprints(),
                        ra.fingerprints()).isEmpty());
            } else {
                assertThat(plan.reloads()).as(step).isFalse();
            }
            structural += plan.structural() ? 1 : 0;
            membership += plan.structural() ? 0 : 1;
            staticGrowths += staticGrowth && diff.isMembershipOnly() ? 1 : 0;
            runtimeGrowths += plan.runtimeGrowth().isEmpty() ? 0 : 1;
        }
        assertThat(structural).isPositive();
        assertThat(membership).isPositive();
        assertThat(staticGrowths + runtimeGrowths).as("slot growth, both kinds over the seeds").isPositive();
    }

    @Test
    void aHashBalancedBackendOutgrowingItsSlotsIsStructuralThoughConfigDiffSeesOnlyMembersJoining() {
        Backend source = Backend.staticBackend("live").balance(Balance.SOURCE).build()
                .withMembers(members(2));
        Backend roundrobin = source.toBuilder().balance(Balance.ROUNDROBIN).build().withMembers(members(2));
        for (Backend before : java.util.List.of(source, roundrobin)) {
            ThalassaConfig a = ThalassaConfig.empty().withBackend(before);
            ThalassaConfig b = a.withBackend(before.withMembers(members(6)));
            Map<String, SlotTable> slotsA = RandomConfigs.plan(a, new HashMap<>());
            assertThat(slotsA.get("live").capacity()).isEqualTo(4);
            ChangePlan plan = PLANNER.plan(running(a, slotsA, RENDERER.render(a, SETTINGS,
                    RandomConfigs.layout(slotsA))), b, Endpoints.resolve(b, a));
            assertThat(ConfigDiff.between(a, b).isMembershipOnly()).isTrue();
            boolean hash = before == source;
            assertThat(plan.structural()).as(before.balance().toString()).isEqualTo(hash);
            assertThat(plan.reloads()).as(before.balance().toString()).isEqualTo(hash);
            assertThat(plan.differs()).isEqualTo(hash ? java.util.Set.of("backend live") : java.util.Set.of());
            assertThat(plan.runtimeGrowth()).isEqualTo(hash ? java.util.Set.of() : java.util.Set.of("live"));
            assertThat(plan.backends().get("live").table().capacity()).isEqualTo(hash ? 8 : 6);
        }
    }

    /** The planner's basis for a controller that accepted {@code config} and whose worker runs it. */
    static ChangePlanner.Basis running(ThalassaConfig config, Map<String, SlotTable> slots, RenderedConfig r) {
        return new ChangePlanner.Basis(config, slots, r.fingerprints(), false, r.fingerprints(), null);
    }

    private static java.util.List<Member> members(int n) {
        java.util.List<Member> list = new java.util.ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(Member.of("127.0.0.1", 20_000 + i));
        }
        return list;
    }

    @Test
    void anIntervalOnlyChangeChangesTheBackendsFingerprintAndNothingElse() {
        Backend live = Backend.staticBackend("live").health(h -> h.interval(Duration.ofSeconds(5)))
                .member("127.0.0.1", 8081).build();
        ThalassaConfig a = ThalassaConfig.empty().withBackend(live).withFrontend(Frontend.builder("web")
                .bind("127.0.0.1:8080").defaultBackend("live").build());
        ThalassaConfig b = a.withBackend(live.toBuilder().health(h -> h.interval(Duration.ofSeconds(9))).build()
                .withMembers(live.members()));
        RenderedConfig ra = RENDERER.render(a, SETTINGS);
        RenderedConfig rb = RENDERER.render(b, SETTINGS);
        assertThat(rb.structuralDifferences(ra.fingerprints())).containsExactly("backend live");
        assertThat(ConfigDiff.between(a, b).structuralChanges()).containsExactly("backend live changed");
    }

    @Test
    void serverAddressesAndAVersionAreNotStructureButServerNamesAre() {
        Backend live = Backend.dynamic("live").service("app", "1").balance(Balance.SOURCE).build()
                .withMembers(java.util.List.of(Member.of("127.0.0.1", 8081)));
        ThalassaConfig a = ThalassaConfig.empty().withBackend(live);
        ThalassaConfig switched = a.withBackend(live.withService("app", "2")
                .withMembers(java.util.List.of(Member.of("127.0.0.1", 9090))));
        Map<String, SlotTable> slotsA = RandomConfigs.plan(a, new HashMap<>());
        Map<String, SlotTable> slotsB = RandomConfigs.plan(switched, slotsA);
        assertThat(RENDERER.render(switched, SETTINGS, RandomConfigs.layout(slotsB)).fingerprints())
                .isEqualTo(RENDERER.render(a, SETTINGS, RandomConfigs.layout(slotsA)).fingerprints());
        // one server per member, named by address: a member change renames a server
        assertThat(RENDERER.render(switched, SETTINGS).fingerprints())
                .isNotEqualTo(RENDERER.render(a, SETTINGS).fingerprints());
    }

    @Test
    void fingerprintsDoNotConfuseOneNativeWithTwo() {
        Backend one = Backend.staticBackend("live").nativeLine("http-request set-header X-A a,b").build();
        Backend two = Backend.staticBackend("live").nativeLine("http-request set-header X-A a")
                .nativeLine("b").build();
        assertThat(RENDERER.render(ThalassaConfig.empty().withBackend(one), SETTINGS).fingerprints())
                .isNotEqualTo(RENDERER.render(ThalassaConfig.empty().withBackend(two), SETTINGS).fingerprints());
    }
}
