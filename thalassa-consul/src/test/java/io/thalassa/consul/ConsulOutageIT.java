package io.thalassa.consul;

import static io.thalassa.consul.Recorder.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.RegistryHealth;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Consul frozen (SIGSTOP) or killed (SIGKILL) under a watching registry; each test has its own agent. */
class ConsulOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private ConsulAgent agent;
    private ConsulRegistry registry;
    private final Recorder rec = new Recorder();

    @BeforeEach
    void start() throws Exception {
        agent = ConsulAgent.start(Path.of("target", "consul-it"));
        registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort()).wait(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(1)).retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .build();
        registry.addListener(rec);
    }

    @AfterEach
    void stop() {
        try {
            registry.close();
        } finally {
            agent.close();
        }
    }

    private static Registration reg(int port) {
        return Registration.of("outage", "1.0.0", "127.0.0.1", port, Map.of(), Duration.ofSeconds(60));
    }

    private RegistryHealth awaitHealth(RegistryHealth.Status status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RegistryHealth h = registry.health();
            if (h.status() == status) {
                return h;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("health not " + status + " within " + WAIT + ": " + registry.health());
    }

    private long count(ThalassaEvent.Verb verb) {
        return rec.events.stream().filter(e -> e.verb() == verb).count();
    }

    @Test
    void frozenAgentIsReportedUnavailableKeepsTheMembersAndTheWatchResumesAfterSigcont() throws Exception {
        registry.subscribe("outage", "1.0.0", rec);
        registry.register(reg(8080));
        rec.awaitSet(ports(8080), WAIT);

        agent.freeze();
        try {
            RegistryHealth down = awaitHealth(RegistryHealth.Status.UNAVAILABLE);
            assertThat(down.detail()).isNotEmpty();
            rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, WAIT);
            assertThatThrownBy(() -> registry.register(reg(8081))).isInstanceOf(RegistryUnavailableException.class);
            Thread.sleep(2500); // several failed retries
            assertThat(count(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE)).as("one event per outage").isEqualTo(1);
            assertThat(ports(8080).test(rec.last())).as("last members kept: " + rec.last()).isTrue();
        } finally {
            agent.thaw();
        }
        awaitHealth(RegistryHealth.Status.CONNECTED);
        rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_RECOVERED, WAIT);

        registry.register(reg(8082));
        Set<Member> after = rec.awaitSet(s -> s.stream().anyMatch(m -> m.port() == 8082), WAIT);
        assertThat(after).extracting(Member::host).containsOnly("127.0.0.1");
        assertThat(count(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void killedAndRestartedAgentIsRecoveredAndLaterChangesArrive() throws Exception {
        registry.subscribe("outage", "1.0.0", rec);
        registry.register(reg(8080));
        rec.awaitSet(ports(8080), WAIT);

        agent.kill();
        awaitHealth(RegistryHealth.Status.UNAVAILABLE);
        rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, WAIT);
        assertThat(ports(8080).test(rec.last())).as("last members kept while down: " + rec.last()).isTrue();

        agent.restart();
        awaitHealth(RegistryHealth.Status.CONNECTED);
        rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_RECOVERED, WAIT);
        // The dev agent lost its state (its index went backwards): the truth is now an empty service.
        rec.awaitSet(Set::isEmpty, WAIT);
        // A refresh re-creates the instance the agent forgot; a new one arrives too.
        registry.register(reg(8080));
        registry.register(reg(8081));
        Set<Member> after = rec.awaitSet(ports(8080, 8081), WAIT);
        assertThat(after).extracting(Member::host).containsOnly("127.0.0.1");
    }
}
