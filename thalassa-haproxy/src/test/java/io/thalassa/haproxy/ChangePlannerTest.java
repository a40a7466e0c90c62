package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Balance;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The controller's planner: pure, so every decision it makes is checked here without HAProxy. */
class ChangePlannerTest {
    private static final HaproxyConfigRenderer RENDERER = HaproxyConfigRenderer.defaultTemplate();
    private static final HaproxySettings SETTINGS = HaproxySettings.defaults();
    private static final ChangePlanner PLANNER = new ChangePlanner(RENDERER.sections(SETTINGS));

    private static final Backend LIVE = Backend.dynamic("live").service("app", "1.0").build()
            .withMembers(List.of(Member.of("127.0.0.1", 9001), Member.of("127.0.0.1", 9002)));
    private static final ThalassaConfig A = ThalassaConfig.empty().withBackend(LIVE)
            .withBackend(Backend.staticBackend("api").member("127.0.0.1", 9101).build())
            .withFrontend(Frontend.builder("web").bind("127.0.0.1:18080").defaultBackend("live").build());

    /** A controller that accepted {@code accepted}, whose worker runs {@code runs} (their slots: accepted's). */
    private static ChangePlanner.Basis basis(ThalassaConfig accepted, ThalassaConfig runs, Map<String, String> refused,
            boolean fullCheck) {
        Map<String, SlotTable> slots = RandomConfigs.plan(accepted, new HashMap<>());
        Map<String, SlotTable> running = RandomConfigs.plan(runs, new HashMap<>());
        return new ChangePlanner.Basis(accepted, slots, fingerprints(accepted, slots), fullCheck,
                fingerprints(runs, running), refused);
    }

    private static Map<String, String> fingerprints(ThalassaConfig c, Map<String, SlotTable> slots) {
        return RENDERER.render(c, SETTINGS, RandomConfigs.layout(slots)).fingerprints();
    }

    private static ChangePlan plan(ChangePlanner.Basis basis, ThalassaConfig next) {
        return PLANNER.plan(basis, next, Endpoints.resolve(next, basis.desired()));
    }

    @Test
    void membersJoiningAndLeavingWithinTheSlotsAreNoStructuralChange() {
        ThalassaConfig next = A.withMembers("live", List.of(Member.of("127.0.0.1", 9002),
                Member.of("127.0.0.1", 9003)));
        ChangePlan plan = plan(basis(A, A, null, false), next);
        assertThat(plan.structural()).isFalse();
        assertThat(plan.reloads()).isFalse();
        assertThat(plan.moves()).isTrue();
        assertThat(plan.backends()).containsOnlyKeys("live");
        assertThat(plan.backends().get("live").changes()).hasSize(2); // 9001 drains, 9003 takes a free slot
    }

    @Test
    void theSameConfigurationMovesNothing() {
        ChangePlan plan = plan(basis(A, A, null, false), A);
        assertThat(plan.backends()).isEmpty();
        assertThat(plan.structural()).isFalse();
        assertThat(plan.moves()).isFalse();
    }

    @Test
    void planningLeavesTheCurrentTablesAsTheyWere() {
        ChangePlanner.Basis basis = basis(A, A, null, false);
        List<ServerLine> before = basis.slots().get("live").lines();
        ChangePlan plan = plan(basis, A.withMembers("live", List.of(Member.of("127.0.0.1", 9005))));
        assertThat(basis.slots().get("live").lines()).isEqualTo(before);
        assertThat(plan.backends().get("live").table()).isNotSameAs(basis.slots().get("live"));
        assertThat(plan.tables(basis.slots())).containsOnlyKeys("live", "api");
    }

    @Test
    void anIntervalChangeIsStructuralAndDiffersFromWhatRunsInThatBackendOnly() {
        ThalassaConfig next = A.withBackend(LIVE.toBuilder().health(h -> h.interval(Duration.ofSeconds(7))).build()
                .withMembers(LIVE.members()));
        ChangePlan plan = plan(basis(A, A, null, false), next);
        assertThat(plan.structural()).isTrue();
        assertThat(plan.reloads()).isTrue();
        assertThat(plan.differs()).containsExactly("backend live");
        assertThat(plan.fingerprints()).isEqualTo(RENDERER.render(next, SETTINGS,
                RandomConfigs.layout(plan.tables(basis(A, A, null, false).slots()))).fingerprints());
    }

    @Test
    void aFrontendOrABackendAddedOrRemovedIsStructural() {
        ChangePlanner.Basis basis = basis(A, A, null, false);
        assertThat(plan(basis, A.withoutBackend("api")).differs()).containsExactly("backend api");
        assertThat(plan(basis, A.withBackend(Backend.staticBackend("new").build())).differs())
                .containsExactly("backend new");
        assertThat(plan(basis, A.withFrontend(Frontend.builder("other").bind("127.0.0.1:18081")
                .defaultBackend("api").build())).differs()).containsExactly("frontend other");
    }

    @Test
    void aBackendThatOutgrowsItsSlotsReloadsWithAHashBalanceAndGrowsAtRunTimeWithADynamicOne() {
        List<Member> six = List.of(Member.of("127.0.0.1", 9001), Member.of("127.0.0.1", 9002),
                Member.of("127.0.0.1", 9003), Member.of("127.0.0.1", 9004), Member.of("127.0.0.1", 9005),
                Member.of("127.0.0.1", 9006));
        ChangePlan dynamic = plan(basis(A, A, null, false), A.withMembers("live", six));
        assertThat(dynamic.backends().get("live").growth()).isEqualTo(SlotPlanner.Growth.RUNTIME);
        assertThat(dynamic.runtimeGrowth()).containsExactly("live");
        assertThat(dynamic.structural()).isFalse();

        ThalassaConfig hashed = A.withBackend(LIVE.toBuilder().balance(Balance.SOURCE).build()
                .withMembers(LIVE.members()));
        ChangePlan grown = plan(basis(hashed, hashed, null, false), hashed.withMembers("live", six));
        assertThat(grown.backends().get("live").growth()).isEqualTo(SlotPlanner.Growth.RELOAD);
        assertThat(grown.structural()).isTrue();
        assertThat(grown.reloads()).isTrue();
        assertThat(grown.differs()).containsExactly("backend live");
    }

    @Test
    void aChangeBackToWhatTheWorkerRunsIsStructuralButNeedsNoReload() {
        ThalassaConfig accepted = A.withBackend(Backend.staticBackend("new").build());
        ChangePlan undo = plan(basis(accepted, A, null, false), A);
        assertThat(undo.structural()).isTrue();
        assertThat(undo.removed()).containsExactly("new");
        assertThat(undo.differs()).isEmpty();
        assertThat(undo.reloads()).isFalse();
    }

    @Test
    void theStructureHaproxyRefusedIsRecognisedAndAnyOtherIsNot() {
        ThalassaConfig refused = A.withFrontend(Frontend.builder("clash").bind("127.0.0.1:18099")
                .defaultBackend("live").build());
        Map<String, String> refusedFingerprints = fingerprints(refused, RandomConfigs.plan(refused, new HashMap<>()));
        ChangePlan again = plan(basis(A, A, refusedFingerprints, false), refused);
        assertThat(again.refusedBefore()).isTrue();
        assertThat(again.reloads()).isTrue();
        ChangePlan other = plan(basis(A, A, refusedFingerprints, false), refused.withFrontend(Frontend
                .builder("clash").bind("127.0.0.1:18098").defaultBackend("live").build()));
        assertThat(other.refusedBefore()).isFalse();
    }

    @Test
    void afterAnAdoptionTheFirstChangeIsComparedSectionBySectionWithWhatRuns() {
        ChangePlan first = plan(basis(A, A, null, true), A);
        assertThat(first.structural()).isTrue();
        assertThat(first.differs()).isEmpty();
        assertThat(first.reloads()).isFalse();
    }

    @Test
    void onlyTheBackendsThatChangeAreResolvedAndPlannedAndAMissingOneIsAnError() {
        ThalassaConfig next = A.withMembers("api", List.of(Member.of("localhost", 9102)));
        assertThat(ChangePlanner.toPlan(A, basis(A, A, null, false).slots(), next)).containsExactly("api");
        Endpoints endpoints = Endpoints.resolve(next, A);
        assertThat(endpoints.of("live")).isNull();
        assertThat(endpoints.of("api")).singleElement().satisfies(e -> {
            assertThat(e.ip()).isIn("127.0.0.1", "::1");
            assertThat(e.port()).isEqualTo(9102);
        });
        assertThat(endpoints.missing(Set.of("live", "api"))).containsExactly("live");
        assertThatThrownBy(() -> PLANNER.plan(basis(A, A, null, false), next, Endpoints.resolve(A, A)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("backend api");
    }
}
