package io.thalassa.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent.Verb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RemovalGuardTest {
    private final RemovalGuard guard = new RemovalGuard(50, Duration.ofSeconds(30));

    private static List<Member> ports(int... ports) {
        List<Member> out = new ArrayList<>();
        for (int p : ports) {
            out.add(Member.registered("app", "1", "127.0.0.1", p, Instant.EPOCH, Map.of()));
        }
        out.sort(Member.BY_ADDRESS);
        return List.copyOf(out);
    }

    @Test
    void removingMoreThanHalfAndAtLeastTwoIsHeldWhileAdditionsGoOn() {
        RemovalGuard.State s = new RemovalGuard.State();
        RemovalGuard.Decision d = guard.offer(s, ports(1, 2, 3, 4), ports(1, 5), false);
        assertThat(d.verb()).isEqualTo(Verb.REMOVAL_HELD);
        assertThat(d.recheck()).isTrue();
        assertThat(d.members()).isEqualTo(ports(1, 2, 3, 4, 5));
        assertThat(d.detail()).contains("3 of 4");
    }

    @Test
    void aStillMassiveAnswerAfterTheHoldIsConfirmed() {
        RemovalGuard.State s = new RemovalGuard.State();
        guard.offer(s, ports(1, 2, 3, 4), ports(1), false);
        RemovalGuard.Decision d = guard.expire(s);
        assertThat(d.verb()).isEqualTo(Verb.REMOVAL_CONFIRMED);
        assertThat(d.members()).isEqualTo(ports(1));
        assertThat(s.holding()).isFalse();
        assertThat(guard.expire(s)).isNull();
    }

    @Test
    void membersBackBeforeTheHoldEndsCancelItAndRemoveNothing() {
        RemovalGuard.State s = new RemovalGuard.State();
        guard.offer(s, ports(1, 2, 3, 4), List.of(), false);
        RemovalGuard.Decision back = guard.offer(s, ports(1, 2, 3, 4), ports(1, 2, 3, 4), false);
        assertThat(back.verb()).isEqualTo(Verb.REMOVAL_CANCELLED);
        assertThat(back.members()).isEqualTo(ports(1, 2, 3, 4));
        assertThat(back.detail()).contains("nothing removed");
        assertThat(guard.expire(s)).isNull();
    }

    @Test
    void whileHeldTheMembersStayAndNewOnesJoin() {
        RemovalGuard.State s = new RemovalGuard.State();
        guard.offer(s, ports(1, 2, 3, 4), List.of(), false);
        RemovalGuard.Decision d = guard.offer(s, ports(1, 2, 3, 4), ports(9), false);
        assertThat(d.verb()).isNull();
        assertThat(d.members()).isEqualTo(ports(1, 2, 3, 4, 9));
        assertThat(guard.expire(s).verb()).isEqualTo(Verb.REMOVAL_CONFIRMED);
    }

    @Test
    void smallRemovalsOneRemovalFirstDeliveriesAndTheDisabledGuardAreNeverHeld() {
        assertThat(guard.offer(new RemovalGuard.State(), ports(1, 2, 3, 4), ports(1, 2), false).verb()).isNull();
        assertThat(guard.offer(new RemovalGuard.State(), ports(1), List.of(), false).verb()).isNull();
        assertThat(guard.offer(new RemovalGuard.State(), ports(1, 2), List.of(), true).verb()).isNull();
        RemovalGuard off = new RemovalGuard(100, Duration.ofSeconds(30));
        assertThat(off.offer(new RemovalGuard.State(), ports(1, 2), List.of(), false).members()).isEmpty();
        RemovalGuard noHold = new RemovalGuard(50, Duration.ZERO);
        assertThat(noHold.offer(new RemovalGuard.State(), ports(1, 2), List.of(), false).members()).isEmpty();
    }

    @Test
    void seededDeliveriesNeverLoseAMemberWithoutAHoldAndAdditionsAreNeverHeld() {
        Random random = new Random(2121);
        for (int round = 0; round < 2_000; round++) {
            int[] before = random.ints(random.nextInt(20), 1, 40).distinct().toArray();
            int[] after = random.ints(random.nextInt(20), 1, 40).distinct().toArray();
            List<Member> inUse = ports(before);
            List<Member> delivered = ports(after);
            RemovalGuard.Decision d = guard.offer(new RemovalGuard.State(), inUse, delivered, false);
            assertThat(d.members()).containsAll(delivered);
            long removed = inUse.stream().filter(m -> !delivered.contains(m)).count();
            boolean mass = removed >= 2 && removed * 100 > 50L * inUse.size();
            assertThat(d.verb()).isEqualTo(mass ? Verb.REMOVAL_HELD : null);
            if (mass) {
                assertThat(d.members()).containsAll(inUse);
            } else {
                assertThat(d.members()).isEqualTo(delivered);
            }
        }
    }

    @Test
    void somebackWithinTheHoldWaitForItsEndAndThenOnlyWhatIsWithinTheLimitGoes() {
        RemovalGuard.State s = new RemovalGuard.State();
        guard.offer(s, ports(1, 2, 3, 4), List.of(), false);
        RemovalGuard.Decision partly = guard.offer(s, ports(1, 2, 3, 4), ports(1, 2, 3), false);
        assertThat(partly.verb()).isNull();
        assertThat(partly.members()).isEqualTo(ports(1, 2, 3, 4));
        RemovalGuard.Decision end = guard.expire(s);
        assertThat(end.verb()).isEqualTo(Verb.REMOVAL_CANCELLED);
        assertThat(end.members()).isEqualTo(ports(1, 2, 3));
        assertThat(end.detail()).contains("1 of 4 removed");
    }
}
