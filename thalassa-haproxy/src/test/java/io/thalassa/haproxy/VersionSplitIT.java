package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.ThalassaEvent.Verb;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Version splits against the real HAProxy 2.6: weights through the runtime API, shares measured in real traffic. */
class VersionSplitIT extends ControllerTraffic {
    final Map<String, String> versionOf = new HashMap<>(); // server name -> version

    List<Member> instances(String version, int n) throws IOException {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NamedHttpServer s = server(version + "-" + i);
            versionOf.put(s.name(), version);
            out.add(Member.registered("myapp", version, "127.0.0.1", s.port(), null, null));
        }
        return out;
    }

    /** The share of {@code n} requests each version answered, in percent. */
    Map<String, Double> shares(int n) throws IOException {
        Map<String, Double> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            RawHttp.Response r = RawHttp.get(port, "/", "example.com");
            assertThat(r.status()).isEqualTo(200);
            counts.merge(versionOf.get(r.body()), 100.0 / n, Double::sum);
        }
        return counts;
    }

    /** Weight per server address, from {@code show servers state} of the running worker (servers that run only). */
    Map<String, Integer> weights() {
        Map<String, Integer> out = new TreeMap<>();
        for (var row : controller.runtimeApi().showServersState("live")) {
            if (row.operationalState() == 2 && row.port() != 1) { // running: neither an empty slot nor a drained one
                Integer twice = out.put(row.address() + ":" + row.port(), row.weight());
                assertThat(twice).as("%s:%d in two servers", row.address(), row.port()).isNull();
            }
        }
        return out;
    }

    /** Applies {@code config} and waits until HAProxy runs it: its joining members in service. */
    private ApplyResult applied(io.thalassa.ThalassaConfig config) throws InterruptedException {
        ApplyResult r = controller.apply(config);
        assertThat(controller.awaitChange(r.changeId(), Duration.ofSeconds(15)).orElseThrow().state())
                .isEqualTo(ChangeStatus.State.APPLIED);
        return r;
    }

    @Test
    void aCanaryMovesThroughItsStepsWithWeightsAndNoReload() throws Exception {
        List<Member> old = instances("1.0.0", 4);
        List<Member> canary = instances("2.0.0", 1);
        List<Member> all = new ArrayList<>(old);
        all.addAll(canary);
        Backend live = Backend.dynamic("live").service("myapp", "1.0.0").slowstart(Duration.ZERO).build()
                .withMembers(old);
        controller = fx.builder().build().start(web(live));
        List<Long> workers = controller.workerPids();
        assertThat(shares(40)).containsOnlyKeys("1.0.0");

        for (int step : new int[] {5, 25, 50}) {
            Backend split = live.withSplit(Map.of("1.0.0", 100 - step, "2.0.0", step)).withMembers(all);
            ApplyResult r = applied(web(split));
            assertThat(r.kind()).as("step %d", step).isEqualTo(ApplyResult.Kind.RUNTIME);
            Map<String, Integer> w = weights();
            int oldWeight = w.get(old.get(0).address());
            int canaryWeight = w.get(canary.get(0).address());
            assertThat(4.0 * oldWeight / canaryWeight).as("step %d: weights %s", step, w)
                    .isCloseTo((100.0 - step) / step, within(0.05 * (100.0 - step) / step));
            assertThat(shares(400).getOrDefault("2.0.0", 0.0)).as("step %d", step).isCloseTo(step, within(2.0));
        }

        // 0/100: the old version drains as in a switch, the canary serves everything
        ApplyResult all2 = applied(web(live.withSplit(Map.of("1.0.0", 0, "2.0.0", 100)).withMembers(all)));
        assertThat(all2.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        assertThat(shares(40)).containsOnlyKeys("2.0.0");
        // and back at once
        applied(web(live.withSplit(Map.of("1.0.0", 100, "2.0.0", 0)).withMembers(all)));
        assertThat(shares(40)).containsOnlyKeys("1.0.0");

        assertThat(controller.reloadCount()).isZero();
        assertThat(fx.events(Verb.RELOAD_DONE)).isEmpty();
        assertThat(controller.workerPids()).isEqualTo(workers);
        assertThat(fx.events(Verb.RUNTIME_CHANGE)).anySatisfy(e -> assertThat(e.detail()).contains("(weight "));
    }

    @Test
    void anInstanceJoiningUnderASplitReweighsItsVersionSoTheShareStays() throws Exception {
        List<Member> old = instances("1.0.0", 3);
        List<Member> canary = instances("2.0.0", 2);
        Backend split = Backend.dynamic("live").service("myapp", "1.0.0").slowstart(Duration.ZERO).build()
                .withSplit(Map.of("1.0.0", 80, "2.0.0", 20));
        List<Member> first = new ArrayList<>(old);
        first.add(canary.get(0));
        controller = fx.builder().build().start(web(split.withMembers(first)));
        assertThat(shares(400).getOrDefault("2.0.0", 0.0)).isCloseTo(20, within(2.0));
        int alone = weights().get(canary.get(0).address());

        List<Member> second = new ArrayList<>(first);
        second.add(canary.get(1));
        assertThat(applied(web(split.withMembers(second))).kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        Map<String, Integer> w = weights();
        assertThat(w.get(canary.get(0).address())).isEqualTo(w.get(canary.get(1).address()));
        assertThat((double) w.get(canary.get(0).address()) / w.get(old.get(0).address()))
                .isCloseTo((double) alone / 2 / w.get(old.get(0).address()), within(0.02));
        assertThat(shares(400).getOrDefault("2.0.0", 0.0)).isCloseTo(20, within(2.0));
        assertThat(controller.reloadCount()).isZero();

        // the weights are in the file too (out of the fingerprint), so a reload or restart keeps them
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        String weightWord = " weight " + w.get(canary.get(1).address());
        while (!Files.readString(fx.dir.resolve("haproxy.cfg")).contains(weightWord) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(controller.configText()).contains("127.0.0.1:" + canary.get(1).port() + " check inter 2000"
                + weightWord);
    }

    @Test
    void aNewControllerAdoptsASplitWithItsWeightsAndMembersAddedAtRunTime() throws Exception {
        List<Member> old = instances("1.0.0", 4);
        List<Member> canary = instances("2.0.0", 2);
        Backend live = Backend.dynamic("live").service("myapp", "1.0.0").slowstart(Duration.ZERO).build()
                .withMembers(old);
        controller = fx.builder().build().start(web(live));
        List<Member> both = new ArrayList<>(old);
        both.addAll(canary);
        Backend split = live.withSplit(Map.of("1.0.0", 75, "2.0.0", 25));
        applied(web(split.withMembers(both))); // two slots added at run time, weights set at run time
        List<Member> sorted = new ArrayList<>(canary);
        sorted.sort(Member.BY_ADDRESS);
        List<Member> second = new ArrayList<>(old);
        second.add(sorted.get(1));
        // the canary in the lower slot leaves: its slot drains, then is empty, before the one added after it
        controller.apply(web(split.withMembers(second)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fx.events(Verb.DRAIN).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(fx.events(Verb.DRAIN)).hasSize(1);
        Map<String, Integer> before = weights();
        long masterPid = controller.masterPid();
        controller.close(); // HAProxy keeps serving

        controller = fx.builder().build().start(web(split.withMembers(second)));
        assertThat(controller.masterPid()).isEqualTo(masterPid);
        assertThat(weights()).as("the same servers with the same weights, none twice").isEqualTo(before);
        assertThat(before).hasSize(5);
        assertThat(shares(400).getOrDefault("2.0.0", 0.0)).isCloseTo(25.0, within(2.0));
        assertThat(controller.reloadCount()).isZero();
    }
}
