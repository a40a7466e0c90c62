package io.thalassa.zookeeper;

import static io.thalassa.zookeeper.Recorder.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.Registration;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real ZooKeeper server restarted, a session expired, a server frozen, under a registry that watches instance a
 * (registered by another Curator client, whose 10 s session outlives each outage) and registered instance b itself.
 * Each test has its own server. In none of them is a member set without a or b ever delivered.
 */
class ZookeeperOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SERVICE = "outage";
    private static final int A = 19001;
    private static final int B = 19002;
    private static final int C = 19003;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Recorder rec = new Recorder();
    private ZookeeperServer server;
    private OtherClient other;
    private ZookeeperRegistry registry;
    private int withAandB; // the index of the first set with a and b

    @BeforeEach
    void startServer() throws Exception {
        server = ZookeeperServer.start();
        cleanup.add(server);
        other = new OtherClient(server.connectString(), "/services", Duration.ofSeconds(10));
        cleanup.add(other);
    }

    @AfterEach
    void closeAll() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    /** A registry on {@code connect} with a short session, watching a (registered by the other client) and b. */
    private void watchAandB(String connect, Duration sessionTimeout, Duration removalGrace) throws Exception {
        registry = ZookeeperRegistry.builder().connect(connect).sessionTimeout(sessionTimeout)
                .connectionTimeout(Duration.ofSeconds(1)).removalGrace(removalGrace).build();
        cleanup.add(registry);
        registry.addListener(rec);
        registry.subscribe(SERVICE, "1.0.0", rec);
        other.register(SERVICE, "a", A, Map.of("version", "1.0.0"));
        registry.register(Registration.of(SERVICE, "1.0.0", "127.0.0.1", B, Map.of(), Duration.ofSeconds(60)));
        rec.awaitSet(ports(A, B), WAIT);
        withAandB = rec.sets.size() - 1;
    }

    private static String pathOfB() {
        return "/services/" + SERVICE + "/" + ZookeeperRegistry.instanceId(SERVICE, "1.0.0", "127.0.0.1", B);
    }

    private long registrySession() throws Exception {
        return registry.curator().getZookeeperClient().getZooKeeper().getSessionId();
    }

    private RegistryHealth awaitHealth(Predicate<RegistryHealth> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            RegistryHealth h = registry.health();
            if (condition.test(h)) {
                return h;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("health not " + what + " within " + WAIT + ": " + registry.health());
    }

    private RegistryHealth awaitHealth(RegistryHealth.Status status) throws InterruptedException {
        return awaitHealth(h -> h.status() == status, status.name());
    }

    /** After the outage: a new instance c arrives, so the watch is live again; b is owned by the current session. */
    private void changesArriveAgainAndBIsTheRegistrysOwn() throws Exception {
        other.register(SERVICE, "c", C, Map.of("version", "1.0.0"));
        rec.awaitSet(ports(A, B, C), WAIT);
        Stat b = other.curator.checkExists().forPath(pathOfB());
        assertThat(b).as("b's znode").isNotNull();
        assertThat(b.getEphemeralOwner()).isEqualTo(registrySession());
        assertThat(rec.setsWithout(withAandB, A, B)).as("sets delivered without a or b since both were there")
                .isEmpty();
        assertThat(rec.count(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE)).as("one event per outage").isEqualTo(1);
    }

    @Test
    void aRestartedServerKeepsTheMembersThenTheWatchResyncs() throws Exception {
        // with the removal grace: after the restart the other client's ServiceDiscovery deletes and re-creates a
        watchAandB(server.connectString(), Duration.ofSeconds(2), ZookeeperRegistry.DEFAULT_REMOVAL_GRACE);

        server.kill();
        RegistryHealth down = awaitHealth(RegistryHealth.Status.UNAVAILABLE);
        assertThat(down.detail()).contains("connection to " + server.connectString() + " lost");
        rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, WAIT);
        // down longer than the registry's 2 s session: Curator gives the session up
        awaitHealth(h -> h.detail().contains("expired"), "saying the session expired");
        assertThat(Recorder.portsOf(rec.last())).as("members kept while down").containsExactlyInAnyOrder(A, B);
        assertThatThrownBy(() -> registry.register(Registration.of(SERVICE, "1.0.0", "127.0.0.1", 19009, Map.of(),
                Duration.ofSeconds(60)))).isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("expired");

        server.restart();
        awaitHealth(RegistryHealth.Status.CONNECTED);
        ThalassaEvent recovered = rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_RECOVERED, WAIT);
        assertThat(recovered.detail()).contains("with a new session");
        changesArriveAgainAndBIsTheRegistrysOwn();
    }

    @Test
    void anExpiredSessionKeepsTheMembersIsReportedAndRecoversWithANewSession() throws Exception {
        try (Relay relay = new Relay(server.port())) {
            // no removal grace: holding the sets until the cache caught up is what keeps b
            watchAandB(relay.connectString(), Duration.ofSeconds(2), Duration.ZERO);
            long before = registrySession();

            relay.cut(); // the registry alone loses the server: it expires the session, deleting b
            awaitHealth(RegistryHealth.Status.UNAVAILABLE);
            rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, WAIT);
            RegistryHealth expired = awaitHealth(h -> h.detail().contains("expired"), "saying the session expired");
            assertThat(expired.status()).isEqualTo(RegistryHealth.Status.UNAVAILABLE);
            assertThat(expired.detail()).contains("session 0x" + Long.toHexString(before));
            awaitGone(pathOfB());
            assertThat(Recorder.portsOf(rec.last())).as("members kept, b too, while the session is gone").containsExactlyInAnyOrder(A, B);

            relay.mend();
            awaitHealth(RegistryHealth.Status.CONNECTED);
            ThalassaEvent recovered = rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_RECOVERED, WAIT);
            assertThat(recovered.detail()).contains("with a new session")
                    .contains("the old one 0x" + Long.toHexString(before) + " expired");
            assertThat(registrySession()).isNotEqualTo(before);
            changesArriveAgainAndBIsTheRegistrysOwn();
        }
    }

    @Test
    @SuppressWarnings("rawtypes")
    void anInstanceReplacedWhileTheRegistryWasCutOffIsSwappedInOneDelivery() throws Exception {
        try (Relay relay = new Relay(server.port())) {
            registry = ZookeeperRegistry.builder().connect(relay.connectString()).sessionTimeout(Duration.ofSeconds(4))
                    .connectionTimeout(Duration.ofSeconds(1)).removalGrace(Duration.ZERO).build();
            cleanup.add(registry);
            registry.addListener(rec);
            registry.subscribe(SERVICE, "1.0.0", rec);
            org.apache.curator.x.discovery.ServiceInstance<Map> a = other.register(SERVICE, "a", A,
                    Map.of("version", "1.0.0"));
            rec.awaitSet(ports(A), WAIT);
            int from = rec.sets.size() - 1;
            long session = registrySession();

            relay.cut();
            awaitHealth(RegistryHealth.Status.UNAVAILABLE);
            other.unregister(a);
            other.register(SERVICE, "c", C, Map.of("version", "1.0.0"));
            relay.mend();

            awaitHealth(RegistryHealth.Status.CONNECTED);
            rec.awaitSet(ports(C), WAIT);
            assertThat(registrySession()).as("the same session").isEqualTo(session);
            assertThat(rec.sets.subList(from, rec.sets.size())).extracting(Recorder::portsOf)
                    .as("the sets since a was there").containsExactly(java.util.Set.of(A), java.util.Set.of(C));
        }
    }

    @Test
    void aFrozenServerIsReportedWithinTheSessionTimeoutKeepsTheMembersAndRecoversAfterSigcont() throws Exception {
        Duration session = Duration.ofSeconds(3);
        watchAandB(server.connectString(), session, Duration.ZERO);

        long frozen = System.nanoTime();
        server.freeze();
        try {
            awaitHealth(RegistryHealth.Status.UNAVAILABLE);
            Duration noticed = Duration.ofNanos(System.nanoTime() - frozen);
            // ZooKeeper's client gives up on a silent server after two thirds of the session timeout; 1 s of slack
            assertThat(noticed).isLessThan(session.plusSeconds(1));
            rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, WAIT);
            assertThatThrownBy(() -> registry.register(Registration.of(SERVICE, "1.0.0", "127.0.0.1", 19009,
                    Map.of(), Duration.ofSeconds(60)))).isInstanceOf(RegistryUnavailableException.class);
            Thread.sleep(1000);
            assertThat(Recorder.portsOf(rec.last())).as("members kept while frozen").containsExactlyInAnyOrder(A, B);
        } finally {
            server.thaw();
        }
        awaitHealth(RegistryHealth.Status.CONNECTED);
        rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_RECOVERED, WAIT);
        changesArriveAgainAndBIsTheRegistrysOwn();
    }

    private void awaitGone(String path) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (other.curator.checkExists().forPath(path) != null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " still exists " + WAIT + " after the session was cut off");
            }
            Thread.sleep(50);
        }
    }
}
