package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigDiff;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the controller says is what HAProxy runs: an interval-only change reloads, a configuration over the file
 * descriptor limit is refused before it is accepted, a reload HAProxy refuses is a failed change with HAProxy's words
 * that is not tried again while membership keeps flowing, and every change can be followed by its id.
 */
class ControllerTruthIT extends ControllerTraffic {

    static Backend pool(Duration interval, NamedHttpServer... members) {
        Backend b = Backend.staticBackend("live").health(h -> h.interval(interval)).build();
        List<Member> list = new ArrayList<>();
        for (NamedHttpServer s : members) {
            list.add(Member.of("127.0.0.1", s.port()));
        }
        return b.withMembers(list);
    }

    /** Health checks the member gets in {@code window}. */
    static long checksIn(NamedHttpServer member, Duration window) throws InterruptedException {
        long before = member.requests();
        Thread.sleep(window.toMillis());
        return member.requests() - before;
    }

    @Test
    void anIntervalOnlyChangeReloadsAndHaproxyChecksAtTheNewInterval() throws Exception {
        NamedHttpServer a = server("a");
        controller = fx.builder().build().start(web(pool(Duration.ofMillis(1000), a)));
        List<Long> workers = controller.workerPids();
        assertThat(checksIn(a, Duration.ofMillis(2100))).isBetween(1L, 3L);

        ApplyResult r = controller.apply(web(pool(Duration.ofMillis(100), a)));
        assertThat(r.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        assertThat(controller.awaitChange(r.changeId(), Duration.ofSeconds(10)).orElseThrow().state())
                .isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(controller.workerPids()).doesNotContainAnyElementsOf(workers);
        assertThat(controller.reloadCount()).isEqualTo(1);
        assertThat(checksIn(a, Duration.ofMillis(2100))).isGreaterThanOrEqualTo(10);
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).contains("check inter 100");
        assertThat(controller.status().runsDesired()).isTrue();
    }

    @Test
    void theFileDescriptorsCountedAreWhatHaproxyReportsAndAConfigOverTheLimitIsRefused() throws Exception {
        NamedHttpServer a = server("a");
        controller = fx.builder().fileLimit(8_400).build().start(web(pool(Duration.ofSeconds(2), a)));
        ControllerStatus status = controller.status();
        // the arithmetic is HAProxy's own: show info's Maxsock of the running worker
        assertThat(status.fileDescriptors().needed())
                .isEqualTo(Long.parseLong(controller.runtimeApi().showInfo().get("Maxsock")));
        assertThat(status.fileDescriptors().available()).isEqualTo(8_400);
        assertThat(controller.fileLimit()).isEqualTo(8_400);
        String before = Files.readString(fx.dir.resolve("haproxy.cfg"));

        // 2 x maxconn 4096 already takes 8,192: 300 more checked servers do not fit
        List<Member> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(Member.of("127.0.0.1", 30_000 + i));
        }
        ThalassaConfig big = web(pool(Duration.ofSeconds(2), a)).withBackend(Backend.staticBackend("big").build()
                .withMembers(many));
        assertThatThrownBy(() -> controller.apply(big)).isInstanceOfSatisfying(CapacityExceededException.class, e -> {
            assertThat(e.available()).isEqualTo(8_400);
            assertThat(e.needed()).isGreaterThan(8_400);
            assertThat(e.getMessage()).contains("file descriptors").contains("8400").contains(e.needed() + "");
        });
        assertThat(fx.events(Verb.CONFIG_REJECTED)).hasSize(1);
        assertThat(controller.reloadCount()).isZero();
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).isEqualTo(before);
        assertThat(controller.status().runsDesired()).isTrue();
        assertThat(get()).isEqualTo("200 a");
    }

    @Test
    void aReloadHaproxyRefusesIsAFailedChangeWithItsWordsThatStopsWhileMembershipFlows() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        controller = fx.builder().reloadWindow(Duration.ofMillis(800)).build()
                .start(web(pool(Duration.ofSeconds(2), a)));
        int clashPort = RawHttp.freePort();
        ThalassaConfig clash = web(pool(Duration.ofSeconds(2), a)).withFrontend(Frontend.builder("clash")
                .bind("127.0.0.1:" + clashPort).defaultBackend("live").build());
        ApplyResult r = controller.apply(clash); // accepted: the port is free now
        assertThat(r.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        assertThat(controller.change(r.changeId()).orElseThrow().state()).isEqualTo(ChangeStatus.State.PENDING);
        assertThat(controller.status().runsDesired()).isFalse();
        ChangeStatus failed;
        // another process takes the port within the reload window: HAProxy cannot bind it at the reload
        try (ServerSocket taken = new ServerSocket(clashPort, 1, InetAddress.getByName("127.0.0.1"))) {
            failed = controller.awaitChange(r.changeId(), Duration.ofSeconds(20)).orElseThrow();
        }
        assertThat(failed.state()).isEqualTo(ChangeStatus.State.FAILED);
        assertThat(failed.message()).contains("cannot bind socket").contains("127.0.0.1:" + clashPort);
        assertThat(fx.events(Verb.RELOAD_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("cannot bind socket"));
        ControllerStatus status = controller.status();
        assertThat(status.runsDesired()).isFalse();
        assertThat(status.failed()).hasValueSatisfying(c -> assertThat(c.id()).isEqualTo(r.changeId()));
        assertThat(status.failedReloads()).isEqualTo(1);
        // the file is what the worker runs; the old worker serves
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).doesNotContain("frontend clash");
        assertThat(get()).isEqualTo("200 a");

        // membership keeps flowing through the runtime API, and the refused structure is not tried again
        ApplyResult joined = controller.apply(clash.withMembers("live", List.of(Member.of("127.0.0.1", a.port()),
                Member.of("127.0.0.1", b.port()))));
        assertThat(joined.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        awaitAnswers(Set.of("200 a", "200 b"));
        Thread.sleep(1200); // longer than the reload window
        assertThat(controller.status().failedReloads()).isEqualTo(1);
        assertThat(controller.reloadCount()).isZero();
        assertThat(fx.events(Verb.RELOAD_FAILED)).hasSize(1);
        assertThat(controller.configText()).contains("127.0.0.1:" + b.port()).doesNotContain("frontend clash");

        // taking the clash frontend away again: HAProxy runs what was accepted, without a reload
        ApplyResult undone = controller.apply(web(pool(Duration.ofSeconds(2), a, b)));
        assertThat(controller.change(undone.changeId()).orElseThrow().state()).isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(controller.status().runsDesired()).isTrue();
        assertThat(controller.status().failed()).isEmpty();
        assertThat(controller.reloadCount()).isZero();
    }

    @Test
    void forRandomPairsTheControllerReloadsExactlyWhenItSaidItWouldAndConfigDiffAgreesButForSlotGrowth()
            throws Exception {
        int[] ports = new int[6];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = RawHttp.freePort();
        }
        RandomConfigs random = new RandomConfigs(2026, ports);
        // members on ports nothing listens on: changes need not wait for their first checks to fail
        controller = fx.builder().reloadWindow(Duration.ZERO).joinTimeout(Duration.ZERO).build()
                .start(ThalassaConfig.empty());
        HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
        int reloads = 0;
        int runtime = 0;
        int staticGrowths = 0;
        for (int i = 0; i < 30; i++) {
            ThalassaConfig a = random.config();
            ApplyResult toA = controller.apply(a);
            controller.awaitChange(toA.changeId(), Duration.ofSeconds(20));
            ThalassaConfig b = random.next(a);
            String fileA = controller.configText();
            long reloadsBefore = controller.reloadCount();
            boolean predicted = controller.needsReload(b);
            ApplyResult toB = controller.apply(b);
            assertThat(controller.awaitChange(toB.changeId(), Duration.ofSeconds(20)).orElseThrow().state())
                    .isEqualTo(ChangeStatus.State.APPLIED);
            String fileB = controller.configText();
            ConfigDiff diff = ConfigDiff.between(a, b);
            boolean reloaded = controller.reloadCount() > reloadsBefore;
            Set<String> grew = grown(fileA, fileB, b);
            boolean staticGrowth = grew.stream().anyMatch(k -> !io.thalassa.haproxy.internal.DefaultServer
                    .growsAtRunTime(b.backends().get(k)));
            String step = "step " + i + ": " + diff + ", grew " + grew;
            assertThat(reloaded).as(step).isEqualTo(predicted);
            assertThat(toB.kind() == ApplyResult.Kind.RELOAD).as(step).isEqualTo(predicted);
            assertThat(reloaded).as(step).isEqualTo(diff.isStructural() || staticGrowth);
            boolean sameFingerprints = fingerprintsOf(renderer, fileA, a).equals(fingerprintsOf(renderer, fileB, b));
            assertThat(sameFingerprints).as(step).isEqualTo(!diff.isStructural() && grew.isEmpty());
            if (reloaded) {
                reloads++;
            } else {
                runtime++;
            }
            staticGrowths += staticGrowth && diff.isMembershipOnly() ? 1 : 0;
        }
        assertThat(reloads).isPositive();
        assertThat(runtime).isPositive();
        assertThat(staticGrowths).as("steps where ConfigDiff saw members only and the controller reloaded")
                .isPositive();
    }

    @Test
    void aHashBalancedBackendOutgrowingItsSlotsNeedsAReloadThoughConfigDiffSeesOnlyMembers() throws Exception {
        NamedHttpServer a = server("a");
        List<NamedHttpServer> more = new ArrayList<>();
        for (String name : List.of("b", "c", "d", "e", "f")) {
            more.add(server(name));
        }
        Backend hashed = Backend.staticBackend("live").balance(io.thalassa.Balance.SOURCE).build();
        Backend dynamic = Backend.staticBackend("other").build();
        ThalassaConfig small = web(hashed.withMembers(List.of(Member.of("127.0.0.1", a.port()))))
                .withBackend(dynamic.withMembers(List.of(Member.of("127.0.0.1", a.port()))));
        controller = fx.builder().build().start(small);
        List<Member> six = new ArrayList<>(List.of(Member.of("127.0.0.1", a.port())));
        more.forEach(s -> six.add(Member.of("127.0.0.1", s.port())));

        ThalassaConfig dynamicGrown = small.withMembers("other", six);
        assertThat(ConfigDiff.between(small, dynamicGrown).isMembershipOnly()).isTrue();
        assertThat(controller.needsReload(dynamicGrown)).isFalse();
        ApplyResult added = controller.apply(dynamicGrown);
        assertThat(added.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        assertThat(controller.reloadCount()).isZero();

        ThalassaConfig hashedGrown = dynamicGrown.withMembers("live", six);
        assertThat(ConfigDiff.between(dynamicGrown, hashedGrown).isMembershipOnly()).isTrue();
        assertThat(controller.needsReload(hashedGrown)).isTrue();
        assertThat(controller.reloadCount()).as("asking changes nothing").isZero();
        ApplyResult grown = controller.apply(hashedGrown);
        assertThat(grown.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        assertThat(controller.awaitChange(grown.changeId(), Duration.ofSeconds(10)).orElseThrow().state())
                .isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(controller.reloadCount()).isEqualTo(1);
        String text = controller.configText();
        for (Member m : six) {
            assertThat(text).contains(" 127.0.0.1:" + m.port() + " check");
        }
        assertThat(text).contains("server live_slot8 ");
        assertThat(get()).startsWith("200 ");
        assertThat(controller.needsReload(hashedGrown)).isFalse();
    }

    @Test
    void validateAsksHaproxyOnlyAboutAStructuralChange() throws Exception {
        NamedHttpServer a = server("a");
        Path checks = dir.resolve("checks.log");
        Path binary = dir.resolve("haproxy-counting");
        Files.writeString(binary, "#!/bin/sh\ncase \" $* \" in *\" -c \"*) echo \"$*\" >> " + checks + " ;; esac\n"
                + "exec " + HaproxyBinary.find() + " \"$@\"\n");
        assertThat(binary.toFile().setExecutable(true)).isTrue();
        Backend hashed = Backend.staticBackend("live").balance(io.thalassa.Balance.SOURCE).build();
        ThalassaConfig config = web(hashed.withMembers(List.of(Member.of("127.0.0.1", a.port()))));
        controller = fx.builder().binary(binary.toString()).build().start(config);
        assertThat(Files.readAllLines(checks)).as("start checks what it starts").hasSize(1);

        controller.validate(config.withMembers("live", List.of(Member.of("127.0.0.1", a.port()),
                Member.of("127.0.0.1", 20_001))));
        assertThat(Files.readAllLines(checks)).as("members within the slots: nothing for haproxy -c").hasSize(1);

        List<Member> five = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            five.add(Member.of("127.0.0.1", 20_000 + i));
        }
        controller.validate(config.withMembers("live", five));
        assertThat(Files.readAllLines(checks)).as("outgrowing a hash backend's slots is structural").hasSize(2);

        controller.validate(config.withFrontend(Frontend.builder("more").bind("127.0.0.1:" + RawHttp.freePort())
                .defaultBackend("live").build()));
        assertThat(Files.readAllLines(checks)).hasSize(3);
        assertThat(controller.reloadCount()).isZero();
    }

    /** Backends of {@code b} that have more server lines in {@code fileB} than in {@code fileA}. */
    private static Set<String> grown(String fileA, String fileB, ThalassaConfig b) {
        Set<String> out = new java.util.TreeSet<>();
        for (String k : b.backends().keySet()) {
            int before = serverLines(fileA, k).size();
            if (before > 0 && serverLines(fileB, k).size() > before) {
                out.add(k);
            }
        }
        return out;
    }

    /** The fingerprints of the file the controller wrote, from the renderer with the file's own server lines. */
    private java.util.Map<String, String> fingerprintsOf(HaproxyConfigRenderer renderer, String file,
            ThalassaConfig config) {
        return renderer.render(config, controller.settings(), backend -> serverLines(file, backend.key()))
                .fingerprints();
    }

    /** A test reads the servers back from the file to compare with the renderer; the controller never does. */
    private static List<ServerLine> serverLines(String file, String backend) {
        List<ServerLine> out = new ArrayList<>();
        boolean in = false;
        for (String line : file.split("\n")) {
            if (!line.startsWith(" ")) {
                in = line.equals("backend " + backend);
            } else if (in && line.strip().startsWith("server ")) {
                String[] f = line.strip().split(" ");
                String[] hostPort = f[2].split(":");
                out.add(new ServerLine(f[1], hostPort[0], Integer.parseInt(hostPort[1]), line.endsWith(" disabled")));
            }
        }
        return out;
    }
}
