package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsHistoryTest {
    private static void add(StatsHistory h, long t, String[] backends, int... cur) {
        h.add(t, new String[0], new int[0], new int[0], backends, cur);
    }

    @Test
    void keepsTheNewestSamplesUpToItsCapacityOldestFirst() {
        StatsHistory h = new StatsHistory(2);
        add(h, 1, new String[] {"a"}, 1);
        add(h, 2, new String[] {"a"}, 2);
        add(h, 3, new String[] {"a"}, 3);
        assertThat(h.size()).isEqualTo(2);
        Map<String, Object> c = h.columns(0);
        assertThat((long[]) c.get("times")).containsExactly(2, 3);
        assertThat((Integer[]) ((Map<?, ?>) ((Map<?, ?>) c.get("backends")).get("a")).get("cur"))
                .containsExactly(2, 3);
    }

    @Test
    void sinceLeavesOutOlderSamplesAndItemsAddedLaterStartWithNull() {
        StatsHistory h = new StatsHistory(10);
        add(h, 10, new String[] {"a"}, 1);
        add(h, 20, new String[] {"a", "b"}, 2, 5);
        add(h, 30, new String[] {"a", "b"}, 3, 6);
        Map<String, Object> all = h.columns(0);
        assertThat((Integer[]) ((Map<?, ?>) ((Map<?, ?>) all.get("backends")).get("b")).get("cur"))
                .containsExactly(null, 5, 6);
        assertThat((long[]) h.columns(15).get("times")).containsExactly(20, 30);
        assertThat((long[]) h.columns(30).get("times")).isEmpty();
    }

    @Test
    void samplesShareTheirNamesWhileTheSetIsUnchanged() {
        StatsHistory h = new StatsHistory(3);
        add(h, 1, new String[] {"a", "b"}, 1, 2);
        add(h, 2, new String[] {"a", "b"}, 1, 2);
        var samples = h.since(0);
        assertThat(samples.get(1).backends()).isSameAs(samples.get(0).backends());
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new StatsHistory(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }
}
