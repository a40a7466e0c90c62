package io.thalassa.consul;

import static io.thalassa.consul.Recorder.ports;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real Consul agent (dev mode, loopback only) started by the test. */
class ConsulRegistryIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ConsulAgent agent;
    private ConsulRegistry registry;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = ConsulAgent.start(Path.of("target", "consul-it"));
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @BeforeEach
    void createRegistry() {
        registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort()).wait(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    private static Registration reg(String name, String version, int port, int ttlSeconds, Map<String, ?> meta) {
        return Registration.of(name, version, "127.0.0.1", port, meta, Duration.ofSeconds(ttlSeconds));
    }

    @Test
    void registeredInstanceAppearsToTheSubscriberWithItsMeta() throws Exception {
        Recorder rec = new Recorder();
        registry.addListener(rec);
        registry.subscribe("appear", "1.0.0", rec);
        assertThat(rec.awaitSet(Set::isEmpty, WAIT)).isEmpty();
        registry.register(reg("appear", "1.0.0", 8080, 30, Map.of("color", "blue", "weight", 3, "on", true)));
        Member m = rec.awaitSet(ports(8080), WAIT).iterator().next();
        assertThat(m.host()).isEqualTo("127.0.0.1");
        assertThat(m.name()).isEqualTo("appear");
        assertThat(m.version()).isEqualTo("1.0.0");
        assertThat(m.meta()).containsEntry("color", "blue").containsEntry("weight", "3").containsEntry("on", "true")
                .containsEntry("version", "1.0.0");
        assertThat(m.lastKnown()).isNotNull();
        assertThat(rec.awaitEvent(ThalassaEvent.Verb.ONLINE, WAIT).object()).isEqualTo("/appear/1.0.0/127.0.0.1/8080");
        assertThat(registry.registrations("appear", null)).extracting(Registration::id)
                .containsExactly("/appear/1.0.0/127.0.0.1/8080");
        assertThat(registry.health().isConnected()).isTrue();

        assertThat(registry.deregister("appear", "1.0.0", "127.0.0.1", 8080)).isTrue();
        rec.awaitSet(Set::isEmpty, WAIT);
        assertThat(registry.registrations(null, null)).isEmpty();
        assertThat(registry.deregister("appear", "1.0.0", "127.0.0.1", 8080)).isFalse();
    }

    @Test
    void anInstanceOfAnotherVersionIsNotAMember() throws Exception {
        Recorder v1 = new Recorder();
        Recorder v2 = new Recorder();
        registry.subscribe("versions", "1.0.0", v1);
        registry.subscribe("versions", "2.0.0", v2);
        registry.register(reg("versions", "2.0.0", 9090, 30, Map.of()));
        registry.register(reg("versions", "1.0.0", 8080, 30, Map.of()));
        registry.register(reg("versions-other", "1.0.0", 7070, 30, Map.of()));
        assertThat(v1.awaitSet(ports(8080), WAIT)).allSatisfy(m -> assertThat(m.version()).isEqualTo("1.0.0"));
        assertThat(v2.awaitSet(ports(9090), WAIT)).allSatisfy(m -> assertThat(m.version()).isEqualTo("2.0.0"));
        assertThat(v1.sets).allSatisfy(s -> assertThat(s).extracting(Member::port).doesNotContain(9090, 7070));
        registry.deregister("versions", "2.0.0", "127.0.0.1", 9090);
        registry.deregister("versions", "1.0.0", "127.0.0.1", 8080);
        registry.deregister("versions-other", "1.0.0", "127.0.0.1", 7070);
    }

    @Test
    void anInstanceThatStopsRefreshingGoesCriticalAndLeaves() throws Exception {
        Recorder rec = new Recorder();
        registry.addListener(rec);
        registry.subscribe("critical", "1.0.0", rec);
        registry.register(reg("critical", "1.0.0", 8080, 2, Map.of()));
        registry.register(reg("critical", "1.0.0", 8081, 2, Map.of()));
        rec.awaitSet(ports(8080, 8081), WAIT);
        // 8081 keeps refreshing (register again = pass the check); 8080 does not.
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            registry.register(reg("critical", "1.0.0", 8081, 2, Map.of()));
            Thread.sleep(500);
        }
        assertThat(rec.awaitSet(ports(8081), WAIT)).extracting(Member::host).containsOnly("127.0.0.1");
        assertThat(rec.awaitEvent(ThalassaEvent.Verb.OFFLINE, WAIT).object())
                .isEqualTo("/critical/1.0.0/127.0.0.1/8080");
        registry.deregister("critical", "1.0.0", "127.0.0.1", 8080);
        registry.deregister("critical", "1.0.0", "127.0.0.1", 8081);
    }

    @Test
    void serviceWithoutAnAddressUsesTheNodeAddressAndAConfigurableVersionKey() throws Exception {
        try (ConsulRegistry custom = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort())
                .versionMetaKey("release").wait(Duration.ofSeconds(5)).build()) {
            Recorder rec = new Recorder();
            custom.subscribe("noaddress", "7", rec);
            assertThat(agent.put("/v1/agent/service/register", "{\"ID\":\"noaddress-1\",\"Name\":\"noaddress\","
                    + "\"Port\":8080,\"Meta\":{\"release\":\"7\"}}")).isEqualTo(200);
            Member m = rec.awaitSet(ports(8080), WAIT).iterator().next();
            assertThat(m.host()).isEqualTo("127.0.0.1");
            assertThat(m.meta()).containsEntry("release", "7");
            assertThat(agent.put("/v1/agent/service/deregister/noaddress-1", "")).isEqualTo(200);
            rec.awaitSet(Set::isEmpty, WAIT);
        }
    }

    @Test
    void closingTheLastSubscriptionOfANameStopsItsDeliveries() throws Exception {
        Recorder rec = new Recorder();
        var sub = registry.subscribe("closing", "1.0.0", rec);
        rec.awaitSet(Set::isEmpty, WAIT);
        sub.close();
        int before = rec.sets.size();
        registry.register(reg("closing", "1.0.0", 8080, 30, Map.of()));
        Thread.sleep(500);
        assertThat(rec.sets).hasSize(before);
        registry.deregister("closing", "1.0.0", "127.0.0.1", 8080);
    }
}
