package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dead master is started again; the pauses between attempts never hold the lock every change needs. */
class SupervisorTest {
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ReentrantLock lock = new ReentrantLock();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Launches fail {@code failures} times, then work; records where each step ran. */
    private final class FakeRestarts implements Supervisor.Restarts<Integer> {
        final AtomicInteger launches = new AtomicInteger();
        final int failures;
        volatile boolean alive;

        FakeRestarts(int failures) {
            this.failures = failures;
        }

        @Override
        public boolean alive() {
            return alive;
        }

        @Override
        public long pid() {
            return 42;
        }

        @Override
        public Integer prepare(long deadPid) {
            calls.add("prepare " + deadPid + (lock.isHeldByCurrentThread() ? " locked" : " unlocked"));
            return launches.get();
        }

        @Override
        public void launch(Integer restart) {
            calls.add("launch" + (lock.isHeldByCurrentThread() ? " locked" : " unlocked"));
            if (launches.incrementAndGet() <= failures) {
                throw new IllegalStateException("cannot bind socket");
            }
            alive = true;
        }

        @Override
        public void started(Integer restart) {
            calls.add("started" + (lock.isHeldByCurrentThread() ? " locked" : " unlocked"));
        }

        @Override
        public void gaveUp(long deadPid) {
            calls.add("gave up " + deadPid);
        }
    }

    @Test
    void aDeadMasterIsStartedAgainAndThePausesBetweenAttemptsLeaveTheLockFree() throws Exception {
        FakeRestarts restarts = new FakeRestarts(2);
        Supervisor<Integer> supervisor = new Supervisor<>(scheduler, Duration.ofMillis(20), Duration.ofMillis(150),
                lock, restarts);
        supervisor.start();
        long longestWait = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!restarts.alive && System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            assertThat(lock.tryLock(5, TimeUnit.SECONDS)).isTrue();
            try {
                longestWait = Math.max(longestWait, System.nanoTime() - t0);
            } finally {
                lock.unlock();
            }
            Thread.sleep(5);
        }
        assertThat(restarts.alive).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(longestWait)).as("the 150 and 300 ms pauses hold no lock")
                .isLessThan(120);
        awaitCall("started locked");
        assertThat(calls).containsExactly("prepare 42 locked", "launch unlocked", "prepare 42 locked",
                "launch unlocked", "prepare 42 locked", "launch unlocked", "started locked");
        assertThat(supervisor.isDown()).isFalse();
    }

    @Test
    void aRoundOfFailedAttemptsIsReportedAndTheNextCheckBeginsAnother() throws Exception {
        FakeRestarts restarts = new FakeRestarts(Supervisor.ATTEMPTS + 1);
        Supervisor<Integer> supervisor = new Supervisor<>(scheduler, Duration.ofMillis(20), Duration.ofMillis(5),
                lock, restarts);
        supervisor.start();
        awaitCall("started locked");
        assertThat(calls.stream().filter(c -> c.startsWith("gave up")).toList()).containsExactly("gave up 42");
        assertThat(calls.indexOf("gave up 42")).isEqualTo(2 * Supervisor.ATTEMPTS);
        assertThat(restarts.launches).hasValue(Supervisor.ATTEMPTS + 2);
        assertThat(supervisor.isDown()).isFalse();
    }

    @Test
    void aClosedSupervisorBeginsNoAttempt() throws Exception {
        FakeRestarts restarts = new FakeRestarts(0);
        Supervisor<Integer> supervisor = new Supervisor<>(scheduler, Duration.ofMillis(10), Duration.ofMillis(5),
                lock, restarts);
        supervisor.close();
        supervisor.start();
        Thread.sleep(100);
        assertThat(calls).isEmpty();
    }

    private void awaitCall(String call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!calls.contains(call) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(calls).contains(call);
    }
}
