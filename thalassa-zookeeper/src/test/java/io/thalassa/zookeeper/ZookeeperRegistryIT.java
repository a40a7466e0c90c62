package io.thalassa.zookeeper;

import static io.thalassa.zookeeper.Recorder.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.zookeeper.discovery.ZookeeperInstance;

/**
 * The registry against one real ZooKeeper server (each test on its own service names): instances of other Curator
 * clients as members, Spring Cloud's payload, and the registry's own registrations with their TTL.
 */
class ZookeeperRegistryIT {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static ZookeeperServer server;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Recorder rec = new Recorder();

    @BeforeAll
    static void startServer() throws Exception {
        server = ZookeeperServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
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

    private ZookeeperRegistry registry(ZookeeperRegistry.Builder builder) {
        ZookeeperRegistry r = builder.connect(server.connectString()).build();
        cleanup.add(r);
        r.addListener(rec);
        return r;
    }

    private ZookeeperRegistry registry() {
        return registry(ZookeeperRegistry.builder());
    }

    private OtherClient otherClient() throws Exception {
        OtherClient c = new OtherClient(server.connectString(), "/services", Duration.ofSeconds(10));
        cleanup.add(c);
        return c;
    }

    private static Registration reg(String name, String version, int port, Duration ttl) {
        return Registration.of(name, version, "127.0.0.1", port, Map.of("zone", "a"), ttl);
    }

    @Test
    @SuppressWarnings("rawtypes")
    void instancesOfAnotherCuratorClientAreMembersOfTheVersionInTheirPayload() throws Exception {
        ZookeeperRegistry registry = registry();
        OtherClient other = otherClient();
        Recorder v2 = new Recorder();
        registry.subscribe("orders", "1.0.0", rec);
        registry.subscribe("orders", "2.0.0", v2);
        rec.awaitSet(Set::isEmpty, WAIT);

        ServiceInstance<Map> a = other.register("orders", "a", 18001, Map.of("version", "1.0.0", "zone", "a"));
        other.register("orders", "b", 18002, Map.of("version", "2.0.0"));
        other.register("orders", "c", 18003, Map.of("zone", "no version")); // a member of no version

        Set<Member> one = rec.awaitSet(ports(18001), WAIT);
        assertThat(one).containsExactly(Member.registered("orders", "1.0.0", "127.0.0.1", 18001,
                Instant.ofEpochMilli(a.getRegistrationTimeUTC()), Map.of("version", "1.0.0", "zone", "a")));
        v2.awaitSet(ports(18002), WAIT);
        rec.awaitEvent(e -> e.verb() == ThalassaEvent.Verb.ONLINE
                && e.object().equals("/orders/1.0.0/127.0.0.1/18001"), "online of a", WAIT);

        long unregistered = System.nanoTime();
        other.unregister(a);
        rec.awaitSet(Set::isEmpty, WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - unregistered)).as("gone after the removal grace")
                .isGreaterThan(ZookeeperRegistry.DEFAULT_REMOVAL_GRACE.minusMillis(300));
        rec.awaitEvent(e -> e.verb() == ThalassaEvent.Verb.OFFLINE
                && e.object().equals("/orders/1.0.0/127.0.0.1/18001"), "offline of a", WAIT);
        assertThat(Recorder.portsOf(v2.last())).containsExactly(18002);
    }

    @Test
    void anInstanceDeletedAndCreatedAgainAsCuratorDoesOnReconnectStaysAMember() throws Exception {
        ZookeeperRegistry registry = registry();
        OtherClient other = otherClient();
        registry.subscribe("stock", "1.0.0", rec);
        other.register("stock", "s", 18081, Map.of("version", "1.0.0"));
        other.register("stock", "t", 18082, Map.of("version", "1.0.0"));
        rec.awaitSet(ports(18081, 18082), WAIT);
        int delivered = rec.sets.size();

        for (String id : List.of("s", "t")) { // what ServiceDiscovery's re-registration does, slowed down
            byte[] data = other.curator.getData().forPath("/services/stock/" + id);
            other.curator.delete().forPath("/services/stock/" + id);
            Thread.sleep(300);
            other.curator.create().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                    .forPath("/services/stock/" + id, data);
        }
        Thread.sleep(ZookeeperRegistry.DEFAULT_REMOVAL_GRACE.toMillis() + 500);

        assertThat(rec.sets.subList(delivered, rec.sets.size())).as("sets delivered since").isEmpty();
        assertThat(rec.events).noneMatch(e -> e.verb() == ThalassaEvent.Verb.OFFLINE);
    }

    @Test
    @SuppressWarnings("rawtypes")
    void withoutRemovalGraceADeletedInstanceLeavesAtOnce() throws Exception {
        ZookeeperRegistry registry = registry(ZookeeperRegistry.builder().removalGrace(Duration.ZERO));
        OtherClient other = otherClient();
        registry.subscribe("quote", "1.0.0", rec);
        ServiceInstance<Map> q = other.register("quote", "q", 18091, Map.of("version", "1.0.0"));
        rec.awaitSet(ports(18091), WAIT);

        long unregistered = System.nanoTime();
        other.unregister(q);

        rec.awaitSet(Set::isEmpty, WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - unregistered)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aSpringCloudInstanceIsAMemberWithItsMetadataAndAnyVersionKey() throws Exception {
        ZookeeperRegistry byVersion = registry();
        Recorder byRelease = new Recorder();
        ZookeeperRegistry release = registry(ZookeeperRegistry.builder().versionKey("release"));
        OtherClient other = otherClient();
        byVersion.subscribe("billing", "1.0.0", rec);
        release.subscribe("billing", "r7", byRelease);

        other.registerSpringCloud("billing", "3f1c9a", 18011, Map.of("version", "1.0.0", "release", "r7",
                "instance_status", "UP"));

        Member m = rec.awaitSet(ports(18011), WAIT).iterator().next();
        assertThat(m.version()).isEqualTo("1.0.0");
        assertThat(m.meta()).isEqualTo(Map.of("version", "1.0.0", "release", "r7", "instance_status", "UP"));
        assertThat(byRelease.awaitSet(ports(18011), WAIT).iterator().next().version()).isEqualTo("r7");
    }

    @Test
    void registeringWritesAnEphemeralCuratorInstanceThatSpringCloudReads() throws Exception {
        ZookeeperRegistry registry = registry();
        OtherClient other = otherClient();
        registry.subscribe("search", "1.0.0", rec);

        registry.register(Registration.of("search", "1.0.0", "127.0.0.1", 18021, Map.of("weight", 5),
                Duration.ofSeconds(30)));

        Member m = rec.awaitSet(ports(18021), WAIT).iterator().next();
        assertThat(m.meta()).isEqualTo(Map.of("weight", "5", "version", "1.0.0"));
        String id = ZookeeperRegistry.instanceId("search", "1.0.0", "127.0.0.1", 18021);
        Stat stat = registry.curator().checkExists().forPath("/services/search/" + id);
        assertThat(stat.getEphemeralOwner())
                .isEqualTo(registry.curator().getZookeeperClient().getZooKeeper().getSessionId());
        Collection<ServiceInstance<ZookeeperInstance>> read = other.springCloud.queryForInstances("search");
        assertThat(read).hasSize(1);
        ServiceInstance<ZookeeperInstance> instance = read.iterator().next();
        assertThat(instance.getId()).isEqualTo(id);
        assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
        assertThat(instance.getPort()).isEqualTo(18021);
        assertThat(instance.getPayload().getMetadata()).isEqualTo(Map.of("weight", "5", "version", "1.0.0"));
        assertThat(registry.registrations("search", null)).extracting(Registration::id)
                .containsExactly("/search/1.0.0/127.0.0.1/18021");
    }

    @Test
    void aRegistrationLivesAsLongAsItsTtlIsRefreshedThenTheReaperDeletesIt() throws Exception {
        ZookeeperRegistry registry = registry();
        registry.subscribe("cart", "1.0.0", rec);
        String path = "/services/cart/" + ZookeeperRegistry.instanceId("cart", "1.0.0", "127.0.0.1", 18031);
        Duration ttl = Duration.ofSeconds(2);

        registry.register(reg("cart", "1.0.0", 18031, ttl));
        rec.awaitSet(ports(18031), WAIT);
        long created = registry.curator().checkExists().forPath(path).getMzxid();
        for (int i = 0; i < 4; i++) { // 4 s in all, twice the TTL: each refresh extends it
            Thread.sleep(1000);
            registry.register(reg("cart", "1.0.0", 18031, ttl));
        }
        assertThat(Recorder.portsOf(rec.last())).containsExactly(18031);
        assertThat(registry.curator().checkExists().forPath(path).getMzxid()).as("a refresh writes nothing")
                .isEqualTo(created);

        long stopped = System.nanoTime();
        rec.awaitSet(Set::isEmpty, WAIT);
        Duration gone = Duration.ofNanos(System.nanoTime() - stopped);
        assertThat(gone).as("an expiry here has no removal grace").isGreaterThan(ttl.minusMillis(300))
                .isLessThan(ttl.plusMillis(1500));
        assertThat(registry.curator().checkExists().forPath(path)).isNull();
        assertThat(registry.registrations(null, null)).isEmpty();
    }

    @Test
    void newMetaRewritesTheInstance() throws Exception {
        ZookeeperRegistry registry = registry();
        registry.subscribe("tax", "1.0.0", rec);

        registry.register(Registration.of("tax", "1.0.0", "127.0.0.1", 18041, Map.of("zone", "a"),
                Duration.ofSeconds(30)));
        rec.awaitSet(s -> s.size() == 1 && s.iterator().next().meta().get("zone").equals("a"), WAIT);
        registry.register(Registration.of("tax", "1.0.0", "127.0.0.1", 18041, Map.of("zone", "b"),
                Duration.ofSeconds(30)));

        rec.awaitSet(s -> s.size() == 1 && s.iterator().next().meta().get("zone").equals("b"), WAIT);
    }

    @Test
    void deregisterDeletesTheZnodeAtOnce() throws Exception {
        ZookeeperRegistry registry = registry();
        registry.subscribe("mail", "1.0.0", rec);
        registry.register(reg("mail", "1.0.0", 18051, Duration.ofSeconds(60)));
        registry.register(reg("mail", "1.0.0", 18052, Duration.ofSeconds(60)));
        rec.awaitSet(ports(18051, 18052), WAIT);

        long deregistered = System.nanoTime();
        assertThat(registry.deregister("mail", "1.0.0", "127.0.0.1", 18051)).isTrue();

        rec.awaitSet(ports(18052), WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - deregistered)).as("no removal grace for its own")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(registry.deregister("mail", "1.0.0", "127.0.0.1", 18051)).isFalse();
        assertThat(registry.registrations("mail", "1.0.0")).extracting(Registration::port).containsExactly(18052);
    }

    @Test
    void closingTheRegistryEndsItsSessionSoItsInstancesLeaveAndClosingTwiceIsSafe() throws Exception {
        ZookeeperRegistry writer = registry();
        Registry reader = registry();
        reader.subscribe("chat", "1.0.0", rec);
        writer.register(reg("chat", "1.0.0", 18061, Duration.ofSeconds(60)));
        rec.awaitSet(ports(18061), WAIT);

        writer.close();
        writer.close();

        rec.awaitSet(Set::isEmpty, Duration.ofSeconds(5));
        assertThatThrownBy(() -> writer.register(reg("chat", "1.0.0", 18061, Duration.ofSeconds(60))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSubscriptionGetsTheCurrentSetAtOnceAndNothingAfterItIsClosed() throws Exception {
        ZookeeperRegistry registry = registry();
        registry.register(reg("geo", "1.0.0", 18071, Duration.ofSeconds(60)));
        Recorder first = new Recorder();
        registry.subscribe("geo", "1.0.0", first);
        first.awaitSet(ports(18071), WAIT);

        Registry.Subscription second = registry.subscribe("geo", "1.0.0", rec);
        rec.awaitSet(ports(18071), WAIT);
        second.close();
        int delivered = rec.sets.size();
        registry.register(reg("geo", "1.0.0", 18072, Duration.ofSeconds(60)));

        first.awaitSet(ports(18071, 18072), WAIT);
        assertThat(rec.sets).hasSize(delivered);
    }

    @Test
    void anInstanceWithAnAmbiguousAddressIsLeftOutWithOneEventAndTheOthersStay() throws Exception {
        ZookeeperRegistry registry = registry();
        OtherClient other = otherClient();
        registry.subscribe("odd", "1.0.0", rec);
        other.register("odd", "good", 18091, Map.of("version", "1.0.0"));
        other.curator.create().creatingParentsIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
                .forPath("/services/odd/bad", ("{\"name\":\"odd\",\"id\":\"bad\",\"address\":\"127.1\","
                        + "\"port\":18092,\"payload\":{\"version\":\"1.0.0\"},\"serviceType\":\"DYNAMIC\"}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        other.register("odd", "more", 18093, Map.of("version", "1.0.0"));
        rec.awaitSet(ports(18091, 18093), WAIT);
        rec.awaitEvent(e -> e.verb() == ThalassaEvent.Verb.MEMBER_REJECTED && e.object().endsWith("/odd/bad"),
                "memberRejected of bad", WAIT);
        assertThat(rec.events).filteredOn(e -> e.verb() == ThalassaEvent.Verb.MEMBER_REJECTED).hasSize(1);
    }
}
