package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThalassaConfigTest {
    private static final Backend LIVE = Backend.dynamic("live").service("myapp", "1.0.0")
            .members(List.of(member("1.0.0", 8080), member("1.0.0", 8081))).build();
    private static final Frontend WEB = Frontend.builder("web").bind("127.0.0.1:8000").defaultBackend("live").build();
    private static final ThalassaConfig BASE = ThalassaConfig.empty().withBackend(LIVE).withFrontend(WEB);

    private static Member member(String version, int port) {
        return Member.registered("myapp", version, "127.0.0.1", port, Instant.ofEpochMilli(1), Map.of());
    }

    @Test
    void editsReturnNewSnapshotsAndLeaveTheOldOneAlone() {
        ThalassaConfig next = BASE.withoutFrontend("web");
        assertThat(BASE.frontends()).containsKey("web");
        assertThat(next.frontends()).isEmpty();
        assertThat(BASE.withBackend(LIVE)).isSameAs(BASE);
        assertThat(ThalassaConfig.of(List.of(WEB), List.of(LIVE))).isEqualTo(BASE).hasSameHashCodeAs(BASE);
    }

    @Test
    void versionSwitchIsAMembershipChangeNotAStructuralOne() {
        ThalassaConfig next = BASE.withBackend(LIVE.withService("myapp", "1.1.0")
                .withMembers(List.of(member("1.1.0", 9090))));
        ConfigDiff diff = ConfigDiff.between(BASE, next);
        assertThat(diff.isStructural()).isFalse();
        assertThat(diff.isMembershipOnly()).isTrue();
        ConfigDiff.MembershipChange change = diff.membershipChanges().get("live");
        assertThat(change.isVersionSwitch()).isTrue();
        assertThat(change.fromService()).isEqualTo("myapp@1.0.0");
        assertThat(change.toService()).isEqualTo("myapp@1.1.0");
        assertThat(change.added()).extracting(Member::port).containsExactly(9090);
        assertThat(change.removed()).extracting(Member::port).containsExactly(8080, 8081);
    }

    @Test
    void refreshedRegistrationIsNoChangeAtAll() {
        Member refreshed = Member.registered("myapp", "1.0.0", "127.0.0.1", 8080, Instant.ofEpochMilli(99),
                Map.of("pid", 7));
        ThalassaConfig next = BASE.withMembers("live", List.of(refreshed, member("1.0.0", 8081)));
        assertThat(next).isNotEqualTo(BASE);
        assertThat(ConfigDiff.between(BASE, next).isEmpty()).isTrue();
    }

    @Test
    void settingChangesAndNewSectionsAreStructural() {
        ConfigDiff balance = ConfigDiff.between(BASE, BASE.withBackend(LIVE.toBuilder().balance(Balance.SOURCE).build()));
        assertThat(balance.structuralChanges()).containsExactly("backend live changed");
        ConfigDiff added = ConfigDiff.between(BASE, BASE.withBackend(Backend.staticBackend("other").build()));
        assertThat(added.structuralChanges()).containsExactly("backend other added");
        ConfigDiff removed = ConfigDiff.between(BASE, BASE.withoutFrontend("web"));
        assertThat(removed.structuralChanges()).containsExactly("frontend web removed");
        assertThat(ConfigDiff.between(BASE, BASE).isEmpty()).isTrue();
    }

    @Test
    void overlappingBindsAcrossFrontendsAreRejected() {
        Frontend other = Frontend.builder("other").bind("*:8000").defaultBackend("live").build();
        assertThatThrownBy(() -> BASE.withFrontend(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bind *:8000 overlaps bind 127.0.0.1:8000 of frontend web");
        assertThat(BASE.withFrontend(WEB.toBuilder().bind("127.0.0.1:8001").build()).frontends()).hasSize(1);
    }

    @Test
    void danglingRoutesAreReported() {
        ThalassaConfig config = ThalassaConfig.empty().withFrontend(WEB);
        assertThat(config.danglingRoutes()).containsExactly(
                "frontend web routes to backend live, which does not exist");
        assertThat(BASE.danglingRoutes()).isEmpty();
    }
}
