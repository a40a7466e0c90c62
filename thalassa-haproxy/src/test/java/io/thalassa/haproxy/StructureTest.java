package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.ConfigDiff;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.SlotTable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One truth about structure: the renderer's section fingerprints agree with {@link ConfigDiff}. */
class StructureTest {
    private static final HaproxyConfigRenderer RENDERER = HaproxyConfigRenderer.defaultTemplate();
    private static final HaproxySettings SETTINGS = HaproxySettings.defaults();
    private static final int[] PORTS = {18001, 18002, 18003, 18004};

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void membershipOnlyPerConfigDiffIsExactlyEqualFingerprints(long seed) {
        RandomConfigs random = new RandomConfigs(seed, PORTS);
        int structural = 0;
        int membership = 0;
        for (int i = 0; i < 200; i++) {
            ThalassaConfig a = random.config();
            ThalassaConfig b = random.next(a);
            Map<String, SlotTable> slotsA = RandomConfigs.plan(a, new HashMap<>());
            Map<String, SlotTable> slotsB = RandomConfigs.plan(b, slotsA);
            RenderedConfig ra = RENDERER.render(a, SETTINGS, RandomConfigs.layout(slotsA));
            RenderedConfig rb = RENDERER.render(b, SETTINGS, RandomConfigs.layout(slotsB));
            ConfigDiff diff = ConfigDiff.between(a, b);
            boolean membershipOnly = !diff.isStructural();
            assertThat(ra.fingerprints().equals(rb.fingerprints()))
                    .as("seed %d step %d: %s", seed, i, diff)
                    .isEqualTo(membershipOnly);
            if (membershipOnly) {
                membership++;
            } else {
                structural++;
            }
        }
        assertThat(structural).isPositive();
        assertThat(membership).isPositive();
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
