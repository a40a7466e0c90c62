package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.ServerLine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** Host names are resolved before the controller's lock is taken, and a plan is always made on endpoints it has. */
class PlanningTest {
    private final ReentrantLock lock = new ReentrantLock();
    private final ControllerState state = new ControllerState(HaproxyConfigRenderer.defaultTemplate(),
            HaproxySettings.defaults(), null, new ReloadScheduler(null, null, () -> { }, Path.of("unused")),
            Path.of("unused"));
    private final ChangePlanner planner = new ChangePlanner(new ChangePlanner.Sections() {
        @Override
        public String backend(Backend backend, List<ServerLine> servers) {
            return Fingerprint.of("backend", backend.key(), servers.size());
        }

        @Override
        public Map<String, String> frontendsAndSettings(ThalassaConfig config) {
            return Map.of();
        }
    });
    private final Planning planning = new Planning(lock, state, planner);

    @Test
    void aHostNameIsResolvedBeforeTheLockIsTaken() throws Exception {
        ThalassaConfig next = ThalassaConfig.empty().withBackend(Backend.staticBackend("live")
                .member("thalassa-planning-test.invalid", 8080).build());
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            lock.lock();
            try {
                held.countDown();
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        holder.start();
        try {
            assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
            // the lock is held elsewhere the whole time: resolving fails without waiting for it
            assertThatThrownBy(() -> planning.plan(next, () -> { }, p -> p))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("thalassa-planning-test.invalid");
        } finally {
            done.countDown();
            holder.join(5_000);
        }
    }

    @Test
    void aBackendAcceptedMeanwhileIsResolvedInAnotherRoundWithoutTheLock() {
        Backend live = Backend.staticBackend("live").member("127.0.0.1", 8080).build();
        ThalassaConfig next = ThalassaConfig.empty().withBackend(live);
        state.desired(next); // resolution sees it as accepted already: nothing to resolve
        AtomicInteger rounds = new AtomicInteger();
        ChangePlan plan = planning.plan(next, () -> {
            if (rounds.incrementAndGet() == 1) {
                state.desired(ThalassaConfig.empty()); // another change was accepted meanwhile
            }
        }, p -> p);
        assertThat(rounds).hasValue(2);
        assertThat(lock.isHeldByCurrentThread()).isFalse();
        assertThat(plan.backends()).containsOnlyKeys("live");
        assertThat(plan.backends().get("live").table().lines().get(0).port()).isEqualTo(8080);
    }

    @Test
    void theStepAfterPlanningRunsUnderTheLock() {
        ThalassaConfig next = ThalassaConfig.empty().withBackend(Backend.staticBackend("live").build()
                .withMembers(List.of(Member.of("127.0.0.1", 8080))));
        boolean locked = planning.plan(next, () -> { }, p -> lock.isHeldByCurrentThread());
        assertThat(locked).isTrue();
    }
}
