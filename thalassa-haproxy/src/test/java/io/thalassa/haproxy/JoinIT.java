package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** No traffic to a member before its first check passes, against the real HAProxy under steady traffic. */
class JoinIT extends ControllerTraffic {

    /** A dynamic backend of {@code version} with an HTTP check every 500 ms, members on 127.0.0.1. */
    private static Backend live(String version, TestApp... apps) {
        Backend b = Backend.dynamic("live").service("myapp", version)
                .health(h -> h.uri(TestApp.CHECK_PATH).interval(Duration.ofMillis(500))).build();
        return b.withMembers(java.util.Arrays.stream(apps)
                .map(a -> Member.registered("myapp", version, "127.0.0.1", a.port(), null, null)).toList());
    }

    private TestApp app(String name, int status) throws IOException {
        TestApp a = new TestApp(name, status);
        servers.add(a);
        return a;
    }

    /** Requests through {@code web} on another thread until closed; the answers counted by "status body". */
    private final class Traffic implements AutoCloseable {
        final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(() -> {
            while (running.get()) {
                String a;
                try {
                    a = get();
                } catch (IOException e) {
                    a = "error " + e.getMessage();
                }
                answers.computeIfAbsent(a, k -> new AtomicLong()).incrementAndGet();
            }
        }, "traffic");

        Traffic() {
            thread.start();
        }

        long count(String answer) {
            AtomicLong n = answers.get(answer);
            return n == null ? 0 : n.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    @Test
    void aMemberThatFailsItsChecksJoinsUnderTrafficWithoutOneErrorResponse() throws Exception {
        TestApp good = app("good", 200);
        TestApp broken = app("broken", 500); // answers 500 to everything, its checks too
        controller = fx.builder().build().start(web(live("1.0.0", good)));
        try (Traffic traffic = new Traffic()) {
            TimeUnit.MILLISECONDS.sleep(300);
            ApplyResult joined = controller.apply(web(live("1.0.0", good, broken)));
            assertThat(joined.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
            TimeUnit.MILLISECONDS.sleep(2500); // five check intervals
            traffic.close();
            assertThat(traffic.count("200 good")).isGreaterThan(20);
            assertThat(traffic.answers.keySet()).as("every answer under traffic").containsExactly("200 good");
        }
        assertThat(broken.traffic()).as("requests that reached the member whose check never passed").isZero();
        assertThat(broken.checks()).as("its checks ran, in drain").isPositive();
        assertThat(controller.reloadCount()).isZero();
    }

    @Test
    void aHealthyMemberGetsTrafficOnlyAfterItsFirstCheckPassedAndTheChangeSaysWhenItWasInService() throws Exception {
        TestApp a = app("a", 200);
        TestApp b = app("b", 200);
        controller = fx.builder().build().start(web(live("1.0.0", a)));
        ApplyResult joined = controller.apply(web(live("1.0.0", a, b)));
        assertThat(joined.changes()).anySatisfy(c -> assertThat(c).contains("in service once its first check passes"));
        ChangeStatus done = controller.awaitChange(joined.changeId(), Duration.ofSeconds(15)).orElseThrow();
        assertThat(done.state()).isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(b.firstPassedCheckNanos()).as("b passed a check").isPositive();
        awaitAnswers(java.util.Set.of("200 a", "200 b"));
        assertThat(b.firstTrafficNanos()).as("b's first request came after its first passed check")
                .isGreaterThan(b.firstPassedCheckNanos());
        assertThat(fx.events(Verb.MEMBER_CHECK)).anySatisfy(e -> assertThat(e.detail()).contains("127.0.0.1:"
                + b.port()).contains("passed its first check"));
    }

    @Test
    void aVersionSwitchKeepsTheOldVersionServingUntilANewMemberPassesItsCheck() throws Exception {
        TestApp v1 = app("v1", 200);
        TestApp v2 = app("v2", 200);
        controller = fx.builder().build().start(web(live("1.0.0", v1)));
        try (Traffic traffic = new Traffic()) {
            TimeUnit.MILLISECONDS.sleep(200);
            ApplyResult switched = controller.apply(web(live("2.0.0", v2)));
            assertThat(switched.changes()).anySatisfy(c -> assertThat(c)
                    .contains("serves until a joining member passes its first check"));
            ChangeStatus done = controller.awaitChange(switched.changeId(), Duration.ofSeconds(15)).orElseThrow();
            assertThat(done.state()).isEqualTo(ChangeStatus.State.APPLIED);
            awaitAnswers(java.util.Set.of("200 v2"));
            traffic.close();
            assertThat(traffic.answers.keySet()).as("no 503 while switching").containsOnly("200 v1", "200 v2");
        }
        assertThat(v2.firstTrafficNanos()).isGreaterThan(v2.firstPassedCheckNanos());
        assertThat(fx.events(Verb.DRAIN)).anySatisfy(e -> assertThat(e.detail())
                .contains("a joining member is in service"));
    }

    @Test
    void aVersionSwitchToAVersionThatNeverPassesDrainsTheOldOneAfterTheJoinTimeoutAndSaysSo() throws Exception {
        TestApp v1 = app("v1", 200);
        TestApp v2 = app("v2", 500);
        controller = fx.builder().joinTimeout(Duration.ofSeconds(2)).build().start(web(live("1.0.0", v1)));
        long t0 = System.nanoTime();
        ApplyResult switched = controller.apply(web(live("2.0.0", v2)));
        for (int i = 0; i < 10; i++) {
            assertThat(get()).isEqualTo("200 v1");
        }
        ChangeStatus done = controller.awaitChange(switched.changeId(), Duration.ofSeconds(15)).orElseThrow();
        assertThat(done.state()).isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1900));
        assertThat(done.changes()).anySatisfy(c -> assertThat(c).contains("127.0.0.1:" + v2.port() + " (L7STS)"
                + " failed the first check"));
        assertThat(fx.events(Verb.DRAIN)).anySatisfy(e -> assertThat(e.detail()).contains("no joining member"
                + " passed its first check within 2000 ms"));
        assertThat(v2.traffic()).isZero();
        List<String> afterwards = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            afterwards.add(get());
        }
        assertThat(afterwards).as("the switch was asked for: the old version drained").doesNotContain("200 v1");
    }

    /**
     * The registry said "b joins" and then, in a change of its own, "a leaves", before b's first check passed: a, the
     * only member in service, keeps serving until b passes, then drains (as when both come in one change). Found by
     * DaemonProcessIT: the second change sends HAProxy no command, and a was never drained.
     */
    @Test
    void theLastServingMemberRemovedWhileItsReplacementJoinsDrainsOnceTheReplacementPasses() throws Exception {
        TestApp a = app("a", 200);
        TestApp b = app("b", 500); // fails its checks until it is set to 200: a check cannot pass between the changes
        controller = fx.builder().build().start(web(live("1.0.0", a)));
        try (Traffic traffic = new Traffic()) {
            TimeUnit.MILLISECONDS.sleep(200);
            ApplyResult joins = controller.apply(web(live("1.0.0", a, b)));
            assertThat(joins.changes()).anySatisfy(c -> assertThat(c).contains("+127.0.0.1:" + b.port()));
            ApplyResult leaves = controller.apply(web(live("1.0.0", b)));
            assertThat(leaves.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
            assertThat(leaves.changes()).anySatisfy(c -> assertThat(c).contains("-127.0.0.1:" + a.port()
                    + " (serves until a joining member passes its first check)"));
            TimeUnit.MILLISECONDS.sleep(700);
            assertThat(traffic.count("200 a")).as("a serves while b fails its checks").isPositive();
            b.status(200);
            awaitAnswers(java.util.Set.of("200 b"));
            traffic.close();
            assertThat(traffic.answers.keySet()).as("every answer").containsOnly("200 a", "200 b");
        }
        assertThat(fx.events(Verb.DRAIN)).anySatisfy(e -> assertThat(e.detail()).contains("127.0.0.1:" + a.port())
                .contains("a joining member is in service"));
        for (int i = 0; i < 10; i++) {
            assertThat(get()).isEqualTo("200 b");
        }
        assertThat(controller.reloadCount()).isZero();
    }

    @Test
    void membersOfTheFirstStartAndOfANewBackendJoinAfterTheirFirstCheck() throws Exception {
        TestApp a = app("a", 200);
        TestApp broken = app("broken", 500);
        long t0 = System.nanoTime();
        controller = fx.builder().build().start(web(live("1.0.0", a, broken)));
        assertThat(a.firstPassedCheckNanos()).as("start returns once a's check passed").isBetween(t0, System.nanoTime());
        for (int i = 0; i < 20; i++) {
            assertThat(get()).isEqualTo("200 a");
        }
        assertThat(broken.traffic()).isZero();
        assertThat(controller.configText()).contains("127.0.0.1:" + broken.port() + " check inter 500 disabled");
        ThalassaConfig config = web(live("1.0.0", a, broken));
        ApplyResult other = controller.apply(config.withBackend(Backend.staticBackend("other")
                .member("127.0.0.1", broken.port()).health(h -> h.uri(TestApp.CHECK_PATH)).build()));
        assertThat(other.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        controller.awaitChange(other.changeId(), Duration.ofSeconds(20));
        for (int i = 0; i < 20; i++) {
            assertThat(get()).isEqualTo("200 a");
        }
        assertThat(broken.traffic()).isZero();
    }
}
