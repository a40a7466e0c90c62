package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus.Measure;
import io.thalassa.runtime.internal.RolloutJudge.Action;
import io.thalassa.runtime.internal.RolloutJudge.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a rollout does next, from the new version's numbers in a step. */
class RolloutJudgeTest {
    static final Rollout.Guard GUARD = Rollout.Guard.defaults().maxErrorRatePct(1)
            .maxResponseTime(Duration.ofMillis(800)).minRequests(20);
    static final Duration STEP = Duration.ofSeconds(30);

    static Verdict judge(long requests, long errors, double rtime, Duration elapsed, boolean last) {
        Double rate = requests == 0 ? null : 100.0 * errors / requests;
        return RolloutJudge.judge(GUARD, "2.0.0", new Measure(requests, errors, rate, requests == 0 ? null : rtime,
                1, 0), elapsed, STEP, last, List.of(), List.of());
    }

    @Test
    void aBreachBeforeMinRequestsIsNotJudgedYet() {
        assertThat(judge(19, 5, 10, Duration.ofSeconds(1), false).action()).isEqualTo(Action.WAIT);
    }

    @Test
    void errorsOverTheGuardOnceMinRequestsWereServedAbortWithTheNumbers() {
        Verdict v = judge(20, 2, 10, Duration.ofSeconds(1), false);
        assertThat(v.action()).isEqualTo(Action.ABORT);
        assertThat(v.detail()).isEqualTo("2.0.0 had 2 errors in 20 requests (10.0 %), over the guard's 1.0 %");
    }

    @Test
    void aSlowNewVersionAbortsOnItsResponseTime() {
        Verdict v = judge(100, 0, 950, Duration.ofSeconds(1), false);
        assertThat(v.action()).isEqualTo(Action.ABORT);
        assertThat(v.detail()).contains("950 ms (rtime), over the guard's 800 ms");
    }

    @Test
    void aStepAdvancesWhenItsTimeIsOverAndItServedMinRequestsElseItHolds() {
        assertThat(judge(500, 1, 10, Duration.ofSeconds(29), false).action()).isEqualTo(Action.WAIT);
        assertThat(judge(500, 1, 10, STEP, false).action()).isEqualTo(Action.ADVANCE);
        assertThat(judge(500, 1, 10, STEP, true).action()).isEqualTo(Action.FINISH);
        Verdict held = judge(3, 0, 10, Duration.ofSeconds(31), false);
        assertThat(held.action()).isEqualTo(Action.HOLD);
        assertThat(held.detail()).contains("served 3 of the 20 requests the guard needs");
    }

    @Test
    void aMemberThatTurnsDownAbortsAtOnceAndOneDownAllStepAtItsEnd() {
        Measure quiet = new Measure(0, 0, null, null, 2, 1);
        Verdict turned = RolloutJudge.judge(GUARD, "2.0.0", quiet, Duration.ofSeconds(1), STEP, false,
                List.of("127.0.0.1:8081"), List.of());
        assertThat(turned.action()).isEqualTo(Action.ABORT);
        assertThat(turned.detail()).isEqualTo("member 127.0.0.1:8081 of 2.0.0 turned DOWN");
        Verdict never = RolloutJudge.judge(GUARD, "2.0.0", quiet, STEP, STEP, false, List.of(),
                List.of("127.0.0.1:8082"));
        assertThat(never.detail()).isEqualTo("member 127.0.0.1:8082 of 2.0.0 stayed DOWN for the whole step");
    }
}
