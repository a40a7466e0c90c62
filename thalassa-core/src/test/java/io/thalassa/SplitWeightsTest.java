package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The weight arithmetic of version splits, as properties over instance counts and splits. */
class SplitWeightsTest {
    /** A split of 1..4 versions: random parts, scaled to whole weights adding up to 100. */
    private static final Gen<List<Integer>> SPLITS = lists().of(integers().between(0, 100)).ofSizeBetween(1, 4)
            .assuming(parts -> parts.stream().mapToInt(Integer::intValue).sum() > 0)
            .map(SplitWeightsTest::toHundred);
    /** Instance counts 0..12 for up to 4 versions. */
    private static final Gen<List<Integer>> INSTANCES = lists().of(integers().between(0, 12)).ofSize(4);

    @Test
    void nineOldInstancesAndOneCanaryAtNinetyTenGiveTheCanaryTenPercentNotOne() {
        VersionSplit split = VersionSplit.of(Map.of("1.0.0", 90, "2.0.0", 10));
        Map<String, Integer> instances = Map.of("1.0.0", 9, "2.0.0", 1);
        SortedMap<String, Integer> weights = SplitWeights.weights(split, instances);
        assertThat(weights.get("1.0.0")).isEqualTo(weights.get("2.0.0"));
        assertThat(SplitWeights.served(weights, instances).get("2.0.0")).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void fourOldInstancesAndOneCanaryMeetEverySplitOfTheBenchWithinATenthOfAPercent() {
        Map<String, Integer> instances = Map.of("1.0.0", 4, "2.0.0", 1);
        for (int canary : new int[] {5, 25, 50}) {
            VersionSplit split = VersionSplit.of(Map.of("1.0.0", 100 - canary, "2.0.0", canary));
            Map<String, Double> served = SplitWeights.served(SplitWeights.weights(split, instances), instances);
            assertThat(served.get("2.0.0")).as("canary at %d %%", canary).isCloseTo(canary, within(0.1));
        }
    }

    @Test
    void aVersionWithoutInstancesGivesItsShareToTheOthersInProportion() {
        VersionSplit split = VersionSplit.of(Map.of("1.0.0", 60, "2.0.0", 20, "3.0.0", 20));
        Map<String, Double> shares = SplitWeights.shares(split, Map.of("1.0.0", 3, "3.0.0", 1));
        assertThat(shares).containsEntry("2.0.0", 0.0);
        assertThat(shares.get("1.0.0")).isCloseTo(75.0, within(1e-9));
        assertThat(shares.get("3.0.0")).isCloseTo(25.0, within(1e-9));
        assertThat(SplitWeights.weights(split, Map.of("1.0.0", 3, "3.0.0", 1))).containsEntry("2.0.0", 0);
    }

    @Test
    void noTrafficWhenOnlyVersionsAtZeroHaveInstances() {
        VersionSplit split = VersionSplit.of(Map.of("1.0.0", 100, "2.0.0", 0));
        Map<String, Integer> instances = Map.of("2.0.0", 3);
        assertThat(SplitWeights.shares(split, instances).values()).containsOnly(0.0);
        assertThat(SplitWeights.weights(split, instances).values()).containsOnly(0);
    }

    @Test
    void sharesAddUpToAHundredAndKeepTheRatiosOfVersionsWithInstances() {
        qt().withExamples(2000).forAll(SPLITS, INSTANCES).checkAssert((weights, counts) -> {
            VersionSplit split = split(weights);
            Map<String, Integer> instances = instances(weights.size(), counts);
            Map<String, Double> shares = SplitWeights.shares(split, instances);
            long live = 0;
            for (int i = 0; i < weights.size(); i++) {
                live += counts.get(i) > 0 ? weights.get(i) : 0;
            }
            double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
            assertThat(sum).isCloseTo(live > 0 ? 100.0 : 0.0, within(1e-6));
            for (int i = 0; i < weights.size(); i++) {
                double expected = live == 0 || counts.get(i) == 0 ? 0 : 100.0 * weights.get(i) / live;
                assertThat(shares.get(version(i))).isCloseTo(expected, within(1e-6));
            }
        });
    }

    @Test
    void everyVersionWithAShareGetsAWeightInHaproxysRangeAndTheOthersNone() {
        qt().withExamples(2000).forAll(SPLITS, INSTANCES).checkAssert((weights, counts) -> {
            VersionSplit split = split(weights);
            Map<String, Integer> instances = instances(weights.size(), counts);
            Map<String, Double> shares = SplitWeights.shares(split, instances);
            SortedMap<String, Integer> w = SplitWeights.weights(split, instances);
            assertThat(w.keySet()).isEqualTo(split.weights().keySet());
            w.forEach((v, weight) -> {
                if (shares.get(v) > 0) {
                    assertThat(weight).isBetween(1, SplitWeights.MAX_WEIGHT);
                } else {
                    assertThat(weight).isZero();
                }
            });
        });
    }

    @Test
    void servedSharesMeetTheSplitWithinTheRoundingOfWeightsUpTo256() {
        qt().withExamples(2000).forAll(SPLITS, INSTANCES).checkAssert((weights, counts) -> {
            VersionSplit split = split(weights);
            Map<String, Integer> instances = instances(weights.size(), counts);
            Map<String, Double> shares = SplitWeights.shares(split, instances);
            Map<String, Double> served = SplitWeights.served(SplitWeights.weights(split, instances), instances);
            int all = counts.subList(0, weights.size()).stream().mapToInt(Integer::intValue).sum();
            shares.forEach((v, share) -> {
                double bound = 100.0 * (instances.getOrDefault(v, 0) + all) / SplitWeights.MAX_WEIGHT;
                assertThat(served.get(v)).as("version %s of %s with %s", v, split, instances)
                        .isCloseTo(share, within(bound + 1e-9));
            });
        });
    }

    @Test
    void twoVersionsWithUpToTenInstancesEachAreMetWithinHalfAPercentWhenNoInstanceIsBelowTheSmallestWeight() {
        qt().withExamples(3000).forAll(integers().between(1, 99), integers().between(1, 10), integers().between(1, 10))
                .assuming((canary, a, b) -> (double) canary / b * 256 / ((double) (100 - canary) / a) >= 1
                        && (double) (100 - canary) / a * 256 / ((double) canary / b) >= 1)
                .checkAssert((canary, a, b) -> {
                    VersionSplit split = VersionSplit.of(Map.of("1.0.0", 100 - canary, "2.0.0", canary));
                    Map<String, Integer> instances = Map.of("1.0.0", a, "2.0.0", b);
                    Map<String, Double> served = SplitWeights.served(SplitWeights.weights(split, instances),
                            instances);
                    assertThat(served.get("2.0.0")).as("%d %% over %d and %d instances", canary, a, b)
                            .isCloseTo(canary, within(0.5));
                });
    }

    @Test
    void instancesOfOneVersionShareOneWeightAndStaticMembersAreLeftOut() {
        VersionSplit split = VersionSplit.of(Map.of("1.0.0", 75, "2.0.0", 25));
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(Member.registered("app", "1.0.0", "127.0.0.1", 9000 + i, null, null));
        }
        members.add(Member.registered("app", "2.0.0", "127.0.0.1", 9100, null, null));
        members.add(Member.registered("app", "3.0.0", "127.0.0.1", 9200, null, null));
        members.add(Member.of("127.0.0.1", 9300));
        Map<String, Integer> w = SplitWeights.memberWeights(split, members);
        assertThat(w.get("127.0.0.1:9000")).isEqualTo(w.get("127.0.0.1:9001")).isEqualTo(w.get("127.0.0.1:9002"))
                .isEqualTo(w.get("127.0.0.1:9100")).isPositive();
        assertThat(w).containsEntry("127.0.0.1:9200", 0).containsEntry("127.0.0.1:9300", 0);
    }

    private static List<Integer> toHundred(List<Integer> parts) {
        int sum = parts.stream().mapToInt(Integer::intValue).sum();
        List<Integer> out = new ArrayList<>();
        int given = 0;
        for (int i = 0; i < parts.size(); i++) {
            int w = i == parts.size() - 1 ? 100 - given : parts.get(i) * 100 / sum;
            out.add(w);
            given += w;
        }
        return out;
    }

    private static VersionSplit split(List<Integer> weights) {
        Map<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < weights.size(); i++) {
            m.put(version(i), weights.get(i));
        }
        return VersionSplit.of(m);
    }

    private static Map<String, Integer> instances(int versions, List<Integer> counts) {
        Map<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < versions; i++) {
            m.put(version(i), counts.get(i));
        }
        return m;
    }

    private static String version(int i) {
        return (i + 1) + ".0.0";
    }
}
