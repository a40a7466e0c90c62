package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionSplitTest {
    @Test
    void weightsMustBeWholeNumbersAddingUpToAHundredAndEveryMessageNamesVersions() {
        assertThatThrownBy(() -> VersionSplit.of(Map.of("1.0.0", 90, "2.0.0", 20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("versions ")
                .hasMessageContaining("add up to 100: 110");
        assertThatThrownBy(() -> VersionSplit.of(Map.of())).hasMessageStartingWith("versions ");
        assertThatThrownBy(() -> VersionSplit.of(Map.of("1.0.0", 110, "2.0.0", -10)))
                .hasMessageStartingWith("versions ").hasMessageContaining("0..100");
        assertThatThrownBy(() -> VersionSplit.parse(Map.of("1.0.0", 90.5, "2.0.0", 9.5)))
                .hasMessageStartingWith("versions ").hasMessageContaining("whole number");
        assertThatThrownBy(() -> VersionSplit.parse(Map.of("1.0.0", true)))
                .hasMessageStartingWith("versions ");
        assertThatThrownBy(() -> VersionSplit.of(Map.of("1.0.0\nserver x", 100)))
                .hasMessageStartingWith("versions key must be");
        assertThat(VersionSplit.parse(Map.of("1.0.0", "95", "2.0.0", 5L)))
                .isEqualTo(VersionSplit.of(Map.of("1.0.0", 95, "2.0.0", 5)));
    }

    @Test
    void thePrimaryVersionHasTheLargestWeight() {
        assertThat(VersionSplit.of(Map.of("1.0.0", 95, "2.0.0", 5)).primaryVersion()).isEqualTo("1.0.0");
        assertThat(VersionSplit.of(Map.of("1.0.0", 50, "2.0.0", 50)).primaryVersion()).isEqualTo("2.0.0");
        assertThat(VersionSplit.of(Map.of("1.0.0", 0, "2.0.0", 100)).primaryVersion()).isEqualTo("2.0.0");
        assertThat(VersionSplit.of(Map.of("2.0.0", 5, "1.0.0", 95)).toString()).isEqualTo("1.0.0:95,2.0.0:5");
    }

    @Test
    void aSplitIsAMembershipChangeAndASplitOfOneVersionIsASwitch() {
        Backend live = Backend.dynamic("live").service("app", "1.0.0").build();
        Backend canary = live.withSplit(Map.of("1.0.0", 95, "2.0.0", 5));
        assertThat(canary.split()).isPresent();
        assertThat(canary.serviceVersion()).isEqualTo("1.0.0");
        assertThat(canary.serviceVersions()).containsExactly("1.0.0", "2.0.0");
        assertThat(canary.sameStructure(live)).isTrue();
        assertThat(canary).isNotEqualTo(live);
        ConfigDiff diff = ConfigDiff.between(ThalassaConfig.empty().withBackend(live),
                ThalassaConfig.empty().withBackend(canary));
        assertThat(diff.isMembershipOnly()).isTrue();
        assertThat(diff.membershipChanges().get("live").toService()).isEqualTo("app@1.0.0:95,2.0.0:5");
        Backend done = canary.withSplit(Map.of("2.0.0", 100));
        assertThat(done.split()).isEmpty();
        assertThat(done).isEqualTo(live.withService("app", "2.0.0"));
        assertThat(canary.withService("app", "3.0.0").split()).isEmpty();
        assertThat(canary.withSplit(Map.of("1.0.0", 100, "2.0.0", 0)).servesVersion("2.0.0")).isFalse();
    }

    @Test
    void balanceAlgorithmsThatIgnoreRuntimeWeightsRefuseASplitNamingVersions() {
        for (Balance b : new Balance[] {Balance.SOURCE, Balance.STATIC_RR, Balance.FIRST, Balance.URI,
                Balance.hdr("host"), Balance.urlParam("user"), Balance.of("rdp-cookie")}) {
            Backend.Builder builder = Backend.dynamic("live").service("app", "1.0.0").balance(b)
                    .split(Map.of("1.0.0", 90, "2.0.0", 10));
            assertThatThrownBy(builder::build).as("balance %s", b).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("backend live: versions need a balance that takes weights at run time")
                    .hasMessageContaining("balance " + b + " ignores them");
        }
        for (Balance b : new Balance[] {Balance.ROUNDROBIN, Balance.LEASTCONN, Balance.RANDOM, Balance.of("random(2)")}) {
            assertThat(Backend.dynamic("live").service("app", "1.0.0").balance(b).health(h -> h.interval(
                    Duration.ofSeconds(1))).split(Map.of("1.0.0", 90, "2.0.0", 10)).build().split()).isPresent();
        }
        assertThatThrownBy(() -> Backend.staticBackend("s").split(Map.of("1.0.0", 100)))
                .hasMessageStartingWith("versions are only allowed for dynamic backends");
    }

    @Test
    void aSplitsWeightsAreKeptInOrderOfVersion() {
        Map<String, Integer> in = new LinkedHashMap<>();
        in.put("2.0.0", 10);
        in.put("1.0.0", 90);
        assertThat(VersionSplit.of(in).weights().keySet()).containsExactly("1.0.0", "2.0.0");
    }
}
