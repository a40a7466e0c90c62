package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.RolloutStatus.State;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts against a real HAProxy with real traffic: a good version rolled out step by step, a bad one rolled back by
 * its guard, paused, aborted by hand, another write, a restart in the middle. Timings are generous: the machine may
 * be loaded.
 */
class RolloutIT {
    static final Duration LONG = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    final List<TestApp> apps = new ArrayList<>();
    final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
    Thalassa thalassa;
    int port;
    TestApp.Traffic traffic;

    @BeforeEach
    void start() throws Exception {
        port = NamedHttpServer.freePort();
        thalassa = builder().start();
        thalassa.onEvent(events::add);
        app("blue-1", "1.0.0", 0);
        app("blue-2", "1.0.0", 0);
        thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                .await(Duration.ofSeconds(30));
        await(() -> thalassa.config().backend("live").orElseThrow().members().size() == 2
                && TestApp.Traffic.once(port).equals("200"));
    }

    Thalassa.Builder builder() {
        return Thalassa.builder().workDir(dir).haproxyBinary(NamedHttpServer.haproxyBinary());
    }

    @AfterEach
    void stop() throws Exception {
        if (traffic != null) {
            traffic.close();
        }
        if (thalassa != null) {
            thalassa.stop();
        }
        apps.forEach(TestApp::close);
    }

    TestApp app(String name, String version, int failEvery) throws Exception {
        TestApp a = new TestApp(name, failEvery);
        apps.add(a);
        thalassa.registry().register(Registration.of("myapp", version, "127.0.0.1", a.port(), Map.of(),
                Duration.ofMinutes(10)));
        return a;
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within " + LONG.toSeconds() + " s").isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    RolloutStatus awaitState(State state) {
        await(() -> thalassa.rollout("live").orElseThrow().state() == state);
        return thalassa.rollout("live").orElseThrow();
    }

    static Rollout plan(String version, Duration every, int... steps) {
        return Rollout.to(version).steps(steps).every(every).guard(Rollout.Guard.defaults().maxErrorRatePct(1)
                .maxResponseTime(Duration.ofSeconds(2)).minRequests(20));
    }

    @Test
    void aGoodVersionIsRolledOutStepByStepWithoutAReloadAndEndsAsAPlainSwitch() throws Exception {
        TestApp green = app("green", "2.0.0", 0);
        long reloads = thalassa.controller().reloadCount();
        traffic = new TestApp.Traffic(port, 3, 5);
        RolloutStatus started = thalassa.rollout("live", plan("2.0.0", Duration.ofSeconds(2), 10, 50, 100));
        assertThat(started.state()).isEqualTo(State.RUNNING);
        assertThat(started.shares()).containsEntry("1.0.0", 90).containsEntry("2.0.0", 10);
        assertThat(thalassa.config().backend("live").orElseThrow().split().orElseThrow().toString())
                .isEqualTo("1.0.0:90,2.0.0:10");

        RolloutStatus done = awaitState(State.DONE);
        traffic.close();
        Backend live = thalassa.config().backend("live").orElseThrow();
        assertThat(live.serviceVersion()).isEqualTo("2.0.0");
        assertThat(live.split()).isEmpty();
        assertThat(done.decisions()).extracting(RolloutStatus.Decision::action)
                .containsSubsequence("started", "advanced", "advanced", "done").doesNotContain("aborted");
        // a step advances only once the new version served minRequests in it (its member joins after its first
        // check passes and ramps up over the slowstart, so the first step may hold before it advances)
        RolloutStatus.Decision firstAdvance = done.decisions().stream().filter(d -> d.action().equals("advanced"))
                .findFirst().orElseThrow();
        assertThat(firstAdvance.measured().get("2.0.0").requests()).isGreaterThanOrEqualTo(20);
        assertThat(thalassa.controller().reloadCount()).as("0 reloads").isEqualTo(reloads);
        assertThat(traffic.failed.get()).as("failed requests: %s", traffic.failures).isZero();
        assertThat(green.requests.get()).isPositive();
        assertThat(events).extracting(ThalassaEvent::verb).contains(ThalassaEvent.Verb.ROLLOUT_STARTED,
                ThalassaEvent.Verb.ROLLOUT_STEP, ThalassaEvent.Verb.ROLLOUT_DONE);
        assertThat(thalassa.history(10, 0).get(0).by()).isEqualTo("rollout");
    }

    @Test
    void aBadVersionIsRolledBackByItsGuardWithTheNumbersAndGetsNoRequestAfterwards() throws Exception {
        TestApp bad = app("bad", "2.0.0", 10);
        long reloads = thalassa.controller().reloadCount();
        traffic = new TestApp.Traffic(port, 3, 5);
        thalassa.rollout("live", plan("2.0.0", Duration.ofSeconds(5), 20, 50, 100));
        RolloutStatus aborted = awaitState(State.ABORTED);
        assertThat(aborted.step()).isEqualTo(1);
        assertThat(aborted.reason()).contains("the guard broke at step 1").contains("errors in")
                .contains("over the guard's 1.0 %").contains("all the traffic is back on 1.0.0");
        assertThat(aborted.measured().get("2.0.0").errors()).isPositive();
        Backend live = thalassa.config().backend("live").orElseThrow();
        assertThat(live.serviceVersion()).isEqualTo("1.0.0");
        assertThat(live.split()).isEmpty();
        ThalassaEvent event = events.stream().filter(e -> e.verb() == ThalassaEvent.Verb.ROLLOUT_ABORTED)
                .findFirst().orElseThrow();
        assertThat(event.object()).isEqualTo("backend/live");
        assertThat(event.detail()).contains("2.0.0: ").contains(" errors");

        Thread.sleep(500); // requests that were open when it went back finish
        long reached = bad.requests.get();
        long sent = traffic.sent.get();
        await(() -> traffic.sent.get() > sent + 200);
        assertThat(bad.requests.get()).as("requests to the bad version after the abort").isEqualTo(reached);
        assertThat(thalassa.controller().reloadCount()).isEqualTo(reloads);
    }

    @Test
    void aPausedRolloutHoldsItsStepUntilResumedAndAnAbortByHandGoesBackAtOnce() throws Exception {
        app("green", "2.0.0", 0);
        traffic = new TestApp.Traffic(port, 2, 5);
        thalassa.rollout("live", plan("2.0.0", Duration.ofSeconds(1), 10, 50, 100));
        RolloutStatus paused = thalassa.pauseRollout("live");
        assertThat(paused.state()).isEqualTo(State.PAUSED);
        Thread.sleep(3000);
        RolloutStatus still = thalassa.rollout("live").orElseThrow();
        assertThat(still.state()).isEqualTo(State.PAUSED);
        assertThat(still.step()).isEqualTo(1);
        assertThat(thalassa.resumeRollout("live").state()).isEqualTo(State.RUNNING);
        await(() -> thalassa.rollout("live").orElseThrow().step() == 2);

        RolloutStatus aborted = thalassa.abortRollout("live");
        assertThat(aborted.state()).isEqualTo(State.ABORTED);
        assertThat(aborted.reason()).startsWith("aborted by hand at step 2 (50 % to 2.0.0)");
        assertThat(thalassa.config().backend("live").orElseThrow().serviceVersion()).isEqualTo("1.0.0");
        assertThat(thalassa.config().backend("live").orElseThrow().split()).isEmpty();
        assertThat(aborted.decisions()).extracting(RolloutStatus.Decision::action)
                .containsSubsequence("started", "paused", "resumed", "advanced", "aborted");
        assertThatThrownBy(() -> thalassa.abortRollout("live")).isInstanceOf(RolloutConflictException.class);
        assertThat(traffic.failed.get()).as("%s", traffic.failures).isZero();
    }

    @Test
    void oneRolloutPerBackendAndAnotherWriteToItsVersionAbortsItAndSaysSo() throws Exception {
        app("green", "2.0.0", 0);
        thalassa.rollout("live", plan("2.0.0", Duration.ofSeconds(60), 10, 100));
        assertThatThrownBy(() -> thalassa.rollout("live", plan("3.0.0", Duration.ofSeconds(60), 100)))
                .isInstanceOf(RolloutConflictException.class).hasMessageContaining("being rolled out to 2.0.0");
        Change other = thalassa.split("live", Map.of("1.0.0", 50, "2.0.0", 50));
        assertThat(other.abortedRollouts()).hasSize(1);
        RolloutStatus ended = other.abortedRollouts().get(0);
        assertThat(ended.state()).isEqualTo(State.ABORTED);
        assertThat(ended.reason()).isEqualTo("a write changed backend live's version or split to"
                + " myapp@1.0.0:50,2.0.0:50; the rollout stopped there");
        assertThat(thalassa.config().backend("live").orElseThrow().split().orElseThrow().toString())
                .as("the other write stays").isEqualTo("1.0.0:50,2.0.0:50");
        assertThat(thalassa.update(c -> c).abortedRollouts()).isEmpty();
    }

    @Test
    void aRolloutIsRefusedNamingTheField() {
        assertThatThrownBy(() -> thalassa.rollout("live", plan("1.0.0", Duration.ofSeconds(1), 100)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("version"));
        assertThatThrownBy(() -> thalassa.rollout("nothing", plan("2.0.0", Duration.ofSeconds(1), 100)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("backend"));
        assertThatThrownBy(() -> Rollout.to("2.0.0").steps(5, 50)).isInstanceOfSatisfying(
                InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("steps"));
        assertThatThrownBy(() -> thalassa.pauseRollout("live")).isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void aRolloutSurvivesARestartAndContinuesFromItsStep() throws Exception {
        app("green", "2.0.0", 0);
        traffic = new TestApp.Traffic(port, 2, 5);
        thalassa.rollout("live", plan("2.0.0", Duration.ofSeconds(3), 10, 50, 100));
        await(() -> thalassa.rollout("live").orElseThrow().step() == 2);
        long pid = thalassa.controller().masterPid();
        thalassa.close(); // HAProxy keeps serving at 50/50
        thalassa = builder().start();
        assertThat(thalassa.controller().masterPid()).isEqualTo(pid);
        RolloutStatus after = thalassa.rollout("live").orElseThrow();
        assertThat(after.state()).isEqualTo(State.RUNNING);
        assertThat(after.step()).isEqualTo(2);
        RolloutStatus done = awaitState(State.DONE);
        assertThat(done.decisions()).extracting(RolloutStatus.Decision::action).contains("resumed");
        assertThat(thalassa.config().backend("live").orElseThrow().serviceVersion()).isEqualTo("2.0.0");
        assertThat(thalassa.controller().reloadCount()).isZero();
        traffic.close();
        assertThat(traffic.failed.get()).as("%s", traffic.failures).isZero();
    }
}
