package io.thalassa.dns;

import static org.assertj.core.api.Assertions.assertThat;


import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.runtime.BadInstanceScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DNS registry against a real BIND 9 on 127.0.0.1, its records changed at run time with nsupdate. */
class DnsRegistryIT {
    private static final String SRV = "_myapp._tcp.v1-0-0." + BindServer.ZONE + ".";

    @TempDir
    Path dir;
    BindServer bind;
    DnsRegistry registry;
    final List<Set<Member>> deliveries = new CopyOnWriteArrayList<>();
    final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startBind() throws Exception {
        assertThat(BindServer.installed()).as("BIND 9 installed by scripts/install-tools.sh").isTrue();
        bind = BindServer.start(dir.resolve("bind"));
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
        if (bind != null) {
            bind.close();
        }
    }

    private DnsRegistry registry() {
        registry = DnsRegistry.builder().server("127.0.0.1", bind.port())
                .name("_{service}._tcp.v{version}." + BindServer.ZONE + ".")
                .intervals(Duration.ofMillis(200), Duration.ofSeconds(2)).timeout(Duration.ofMillis(500)).build();
        registry.addListener(events::add);
        return registry;
    }

    private Set<Member> awaitDelivery(Predicate<Set<Member>> p) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            if (!deliveries.isEmpty() && p.test(deliveries.get(deliveries.size() - 1))) {
                return deliveries.get(deliveries.size() - 1);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no such delivery within 20 s: " + deliveries);
    }

    private static List<Integer> ports(Set<Member> set) {
        return set.stream().map(Member::port).sorted().toList();
    }

    @Test
    void recordsAddedAndRemovedAtRunTimeFollowAndNxdomainIsNoInstances() throws Exception {
        registry().subscribe("myapp", "1.0.0", deliveries::add);
        assertThat(awaitDelivery(Set::isEmpty)).isEmpty(); // NXDOMAIN
        bind.update("update add " + SRV + " 1 IN SRV 0 100 18081 app." + BindServer.ZONE + ".",
                "update add " + SRV + " 1 IN SRV 0 50 18082 app." + BindServer.ZONE + ".");
        Set<Member> two = awaitDelivery(s -> s.size() == 2);
        assertThat(ports(two)).containsExactly(18081, 18082);
        assertThat(two).allMatch(m -> m.host().equals("127.0.0.1") && m.version().equals("1.0.0"));
        assertThat(two.stream().filter(m -> m.port() == 18082).findFirst().orElseThrow().meta())
                .containsEntry("srvWeight", 50).containsEntry("srvPriority", 0);

        bind.update("update add " + SRV + " 1 IN SRV 10 100 18090 app." + BindServer.ZONE + ".");
        Thread.sleep(1500);
        assertThat(ports(deliveries.get(deliveries.size() - 1))).containsExactly(18081, 18082); // a backup

        bind.update("update delete " + SRV + " SRV 0 100 18081 app." + BindServer.ZONE + ".",
                "update delete " + SRV + " SRV 0 50 18082 app." + BindServer.ZONE + ".");
        assertThat(ports(awaitDelivery(s -> ports(s).equals(List.of(18090))))).containsExactly(18090);
        bind.update("update delete " + SRV);
        awaitDelivery(Set::isEmpty);
    }

    @Test
    void aFrozenServerKeepsTheLastAnswerReportsUnhealthyAndRecovers() throws Exception {
        bind.update("update add " + SRV + " 1 IN SRV 0 100 18081 app." + BindServer.ZONE + ".");
        registry().subscribe("myapp", "1.0.0", deliveries::add);
        awaitDelivery(s -> s.size() == 1);
        bind.freeze();
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (registry.health().isConnected() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(registry.health().isConnected()).isFalse();
        Thread.sleep(2000);
        assertThat(ports(deliveries.get(deliveries.size() - 1))).containsExactly(18081);
        assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REGISTRY_UNAVAILABLE);
        bind.thaw();
        until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!registry.health().isConnected() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(registry.health().isConnected()).isTrue();
        assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REGISTRY_RECOVERED);
    }

    @Test
    void oneRecordWhoseTargetDoesNotResolveAmongAHundredBlocksNothing() throws Exception {
        registry();
        BadInstanceScenario.run(dir.resolve("thalassa"), registry, (name, version, host, port) -> {
            String target = host.equals("127.0.0.1") ? "app." + BindServer.ZONE + "." : host + ".";
            bind.update("update add " + SRV + " 1 IN SRV 0 100 " + port + " " + target);
        }, Duration.ofSeconds(90), true);
        registry = null; // closed by the scenario
    }
}
