package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.StatRow;
import io.thalassa.runtime.RolloutStatus.Measure;
import io.thalassa.runtime.internal.RolloutCounters.Totals;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A rollout's numbers from HAProxy's per-server counters: the change since the step began, per version. */
class RolloutCountersTest {
    static final String HEADER = "# pxname,svname,status,stot,req_tot,hrsp_5xx,eresp,econ,rtime,addr,type\n";

    static List<StatRow> rows(String... lines) {
        return StatRow.parseCsv(HEADER + String.join("\n", lines) + "\n");
    }

    @Test
    void errorsAre5xxPlusResponseAndConnectionErrorsOverRequestsSinceTheStepBegan() {
        Map<String, RolloutCounters.Server> base = RolloutCounters.read(rows(
                "web,web_slot1,UP,100,100,0,0,0,5,127.0.0.1:8081,2",
                "web,web_slot2,UP,10,10,1,0,0,7,127.0.0.1:8082,2",
                "web,web_slot3,MAINT,0,0,0,0,0,0,127.0.0.1:1,2"));
        assertThat(base).hasSize(2);
        Map<String, RolloutCounters.Server> now = RolloutCounters.read(rows(
                "web,web_slot1,UP,300,300,0,0,0,5,127.0.0.1:8081,2",
                "web,web_slot2,UP,40,40,4,1,1,9,127.0.0.1:8082,2"));
        Map<String, Totals> t = RolloutCounters.since(base, now, Map.of("127.0.0.1:8081", "1.0.0",
                "127.0.0.1:8082", "2.0.0"), Set.of("1.0.0", "2.0.0", "3.0.0"));
        assertThat(t.get("1.0.0").measure()).isEqualTo(new Measure(200, 0, 0.0, 5.0, 1, 0));
        assertThat(t.get("2.0.0").measure()).isEqualTo(new Measure(30, 5, 16.67, 9.0, 1, 0));
        assertThat(t.get("3.0.0").measure()).isEqualTo(Measure.NONE);
    }

    @Test
    void aCounterThatWentBackCountsFromZeroAndDownMembersAreCounted() {
        Map<String, RolloutCounters.Server> base = RolloutCounters.read(rows(
                "web,web_slot1,UP,500,500,0,0,0,5,127.0.0.1:8081,2"));
        Map<String, RolloutCounters.Server> now = RolloutCounters.read(rows(
                "web,web_slot1,DOWN,12,12,2,0,0,5,127.0.0.1:8081,2"));
        Totals t = RolloutCounters.since(base, now, Map.of("127.0.0.1:8081", "2.0.0"), Set.of("2.0.0"))
                .get("2.0.0");
        assertThat(t.measure().requests()).isEqualTo(12);
        assertThat(t.measure().errors()).isEqualTo(2);
        assertThat(t.measure().down()).isEqualTo(1);
    }

    @Test
    void numbersOfSeveralNodesAddUpWithTheResponseTimeWeightedByRequests() {
        Totals a = new Totals(new RolloutCounters.Server(100, 1, 10, false), 2, 0);
        Totals b = new Totals(new RolloutCounters.Server(300, 3, 30, false), 2, 1);
        Measure m = a.plus(b).measure();
        assertThat(m.requests()).isEqualTo(400);
        assertThat(m.errors()).isEqualTo(4);
        assertThat(m.responseTimeMs()).isEqualTo(25.0);
        assertThat(m.down()).isEqualTo(1);
    }
}
