package io.thalassa;

import static io.thalassa.FakeRegistry.member;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.spi.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MembershipEngineTest {
    private final FakeRegistry registry = new FakeRegistry();
    private final List<ThalassaConfig> published = new CopyOnWriteArrayList<>();
    private final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private MembershipEngine engine(Duration firstDeliveryTimeout) {
        MembershipEngine e = MembershipEngine.builder(registry, published::add).listener(events::add)
                .firstDeliveryTimeout(firstDeliveryTimeout).build();
        toClose.add(e);
        return e;
    }

    private static Backend dynamic(String key, String name, String version) {
        return Backend.dynamic(key).service(name, version).build();
    }

    private ThalassaConfig awaitPublished(Predicate<ThalassaConfig> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (ThalassaConfig c : published) {
                if (condition.test(c)) {
                    return c;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no matching publication within 5 s; published: " + published);
    }

    private static List<Integer> ports(ThalassaConfig c, String backend) {
        return c.backend(backend).orElseThrow().members().stream().map(Member::port).toList();
    }

    @Test
    void subscribesOncePerServiceAndFillsEveryBackendThatUsesIt() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("a", "myapp", "1.0.0"))
                .withBackend(dynamic("b", "myapp", "1.0.0")).withBackend(dynamic("c", "other", "2.0")));
        assertThat(registry.log).containsExactlyInAnyOrder("subscribe myapp@1.0.0", "subscribe other@2.0");
        assertThat(engine.subscribedServices()).containsExactly("myapp@1.0.0", "other@2.0");
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8081), member("myapp", "1.0.0", 8080));
        ThalassaConfig c = awaitPublished(x -> !x.backend("a").orElseThrow().members().isEmpty());
        assertThat(ports(c, "a")).containsExactly(8080, 8081);
        assertThat(ports(c, "b")).containsExactly(8080, 8081);
        assertThat(ports(c, "c")).isEmpty();
        assertThat(engine.current()).isEqualTo(c);
    }

    @Test
    void versionSwitchResubscribesSwapsThePoolInOneStepAndEmitsAnEvent() throws Exception {
        MembershipEngine engine = engine(Duration.ofSeconds(10));
        ThalassaConfig base = ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0"));
        Thread deliverer = new Thread(() -> {
            awaitSubscription("myapp@1.0.0"); // a delivery before it would be refused, and the update would wait
            registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080));
        });
        deliverer.start();
        ThalassaConfig first = engine.update(base);
        deliverer.join();
        assertThat(ports(first, "live")).containsExactly(8080);

        Thread deliverer2 = new Thread(() -> {
            awaitSubscription("myapp@1.1.0");
            registry.deliver("myapp", "1.1.0", member("myapp", "1.1.0", 9090));
        });
        deliverer2.start();
        ThalassaConfig switched = engine.update(base.withBackend(dynamic("live", "myapp", "1.1.0")));
        deliverer2.join();
        assertThat(switched.backend("live").orElseThrow().serviceVersion()).isEqualTo("1.1.0");
        assertThat(ports(switched, "live")).containsExactly(9090);
        assertThat(registry.log).containsExactly("subscribe myapp@1.0.0", "subscribe myapp@1.1.0",
                "unsubscribe myapp@1.0.0");
        assertThat(published).as("never an empty pool in between").allSatisfy(c ->
                assertThat(c.backend("live").orElseThrow().members()).isNotEmpty());
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.verb()).isEqualTo(ThalassaEvent.Verb.VERSION_SWITCHED);
            assertThat(e.object()).isEqualTo("backend/live");
            assertThat(e.detail()).isEqualTo("myapp@1.0.0 -> myapp@1.1.0");
        });
    }

    @Test
    void deletingTheLastBackendOfAServiceUnsubscribesIt() {
        MembershipEngine engine = engine(Duration.ZERO);
        ThalassaConfig base = ThalassaConfig.empty().withBackend(dynamic("a", "myapp", "1.0.0"))
                .withBackend(dynamic("b", "myapp", "1.0.0"));
        engine.update(base);
        engine.update(base.withoutBackend("a"));
        assertThat(registry.log).containsExactly("subscribe myapp@1.0.0");
        engine.update(base.withoutBackend("a").withoutBackend("b"));
        assertThat(registry.log).containsExactly("subscribe myapp@1.0.0", "unsubscribe myapp@1.0.0");
        assertThat(registry.open).isEmpty();
        assertThat(engine.subscribedServices()).isEmpty();
    }

    @Test
    void staticMembersAreKeptAndMembersGivenForDynamicBackendsAreIgnored() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        Backend db = Backend.staticBackend("db").member("127.0.0.1", 3306).member("127.0.0.2", 3306).build();
        Backend live = Backend.dynamic("live").service("myapp", "1.0.0").member("127.0.0.9", 1).build();
        ThalassaConfig out = engine.update(ThalassaConfig.empty().withBackend(db).withBackend(live));
        assertThat(out.backend("db")).contains(db);
        assertThat(out.backend("live").orElseThrow().members()).isEmpty();
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080));
        ThalassaConfig c = awaitPublished(x -> !x.backend("live").orElseThrow().members().isEmpty());
        assertThat(c.backend("db")).contains(db);
        assertThat(ports(c, "live")).containsExactly(8080);
    }

    @Test
    void equalConfigurationsArePublishedOnce() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        ThalassaConfig base = ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0"));
        engine.update(base);
        engine.update(base);
        assertThat(published).hasSize(1);
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080));
        awaitPublished(x -> !x.backend("live").orElseThrow().members().isEmpty());
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080));
        engine.update(base);
        assertThat(published).hasSize(2);
        for (int i = 1; i < published.size(); i++) {
            assertThat(published.get(i)).isNotEqualTo(published.get(i - 1));
        }
    }

    @Test
    void publicationsAreSerializedInOrderAndEndWithEveryMember() throws Exception {
        AtomicInteger inSink = new AtomicInteger();
        AtomicInteger maxInSink = new AtomicInteger();
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (EmbeddedRegistry embedded = EmbeddedRegistry.create();
                MembershipEngine engine = new MembershipEngine(embedded, c -> {
                    maxInSink.accumulateAndGet(inSink.incrementAndGet(), Math::max);
                    sleep(2);
                    sizes.add(c.backend("live").map(b -> b.members().size()).orElse(-1));
                    inSink.decrementAndGet();
                })) {
            engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0")));
            int threads = 4;
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int base = 10000 + t * perThread;
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        embedded.register(Registration.of("myapp", "1.0.0", "127.0.0.1", base + i, Map.of(), null));
                    }
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline
                    && engine.current().backend("live").orElseThrow().members().size() < threads * perThread) {
                Thread.sleep(5);
            }
            assertThat(engine.current().backend("live").orElseThrow().members()).hasSize(threads * perThread);
        }
        assertThat(maxInSink.get()).as("the sink never runs twice at once").isEqualTo(1);
        assertThat(sizes).as("later publications never lose members that only joined").isSorted();
        assertThat(sizes).doesNotHaveDuplicates();
        assertThat(sizes.get(sizes.size() - 1)).isEqualTo(200);
    }

    @Test
    void aSubscriptionThatNeverDeliversHoldsPublicationOnlyUntilTheTimeout() {
        MembershipEngine engine = engine(Duration.ofMillis(100));
        long t0 = System.nanoTime();
        ThalassaConfig out = engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0")));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(out.backend("live").orElseThrow().members()).isEmpty();
        assertThat(published).containsExactly(out);
    }

    @Test
    void aFailingSinkFailsTheUpdateAndTheNextChangePublishesAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<ThalassaConfig> ok = new CopyOnWriteArrayList<>();
        MembershipEngine engine = MembershipEngine.builder(registry, c -> {
            if (calls.incrementAndGet() == 1) {
                throw new ConfigRejectedException("bad", 1);
            }
            ok.add(c);
        }).firstDeliveryTimeout(Duration.ZERO).build();
        toClose.add(engine);
        ThalassaConfig base = ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0"));
        assertThatThrownBy(() -> engine.update(base)).isInstanceOf(ConfigRejectedException.class);
        assertThat(engine.current()).isEqualTo(ThalassaConfig.empty());
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && ok.isEmpty()) {
            Thread.sleep(5);
        }
        assertThat(ok).singleElement().satisfies(c -> assertThat(ports(c, "live")).containsExactly(8080));
    }

    @Test
    void closeUnsubscribesEverythingAndRefusesUpdates() {
        MembershipEngine engine = engine(Duration.ZERO);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("a", "myapp", "1.0.0")));
        engine.close();
        engine.close();
        assertThat(registry.open).isEmpty();
        assertThatThrownBy(() -> engine.update(ThalassaConfig.empty())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void membersSharingAnAddressAreListedOnce() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "myapp", "1.0.0")));
        registry.deliver("myapp", "1.0.0", member("myapp", "1.0.0", 8080),
                Member.registered("myapp", "1.0.0", "127.0.0.1", 8080, java.time.Instant.EPOCH, Map.of("x", 1)));
        ThalassaConfig c = awaitPublished(x -> !x.backend("live").orElseThrow().members().isEmpty());
        assertThat(ports(c, "live")).containsExactly(8080);
    }

    @Test
    void builderValidatesTimeouts() {
        assertThatThrownBy(() -> MembershipEngine.builder(registry, c -> { }).firstDeliveryTimeout(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firstDeliveryTimeout");
        assertThatThrownBy(() -> MembershipEngine.builder(null, c -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registry");
    }

    /** Until the engine subscribed to {@code key} (a loaded machine can take longer than a fixed sleep), at most 5 s. */
    private void awaitSubscription(String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!registry.open.containsKey(key) && System.nanoTime() < deadline) {
            sleep(5);
        }
        sleep(20); // as the sleep before: the update is waiting for its first delivery
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aSplitSubscribesToEveryVersionAndComposesTheirMembersKeepingTheirVersions() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        Backend live = dynamic("live", "app", "1.0.0");
        engine.update(ThalassaConfig.empty().withBackend(live));
        registry.deliver("app", "1.0.0", member("app", "1.0.0", 8080), member("app", "1.0.0", 8081));
        awaitPublished(c -> ports(c, "live").size() == 2);
        engine.update(ThalassaConfig.empty().withBackend(live.withSplit(Map.of("1.0.0", 90, "2.0.0", 10))));
        assertThat(engine.subscribedServices()).containsExactly("app@1.0.0", "app@2.0.0");
        registry.deliver("app", "2.0.0", member("app", "2.0.0", 9090));
        ThalassaConfig c = awaitPublished(x -> ports(x, "live").size() == 3);
        assertThat(c.backend("live").orElseThrow().members()).extracting(Member::port, Member::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8080, "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple(8081, "1.0.0"),
                        org.assertj.core.groups.Tuple.tuple(9090, "2.0.0"));
        assertThat(events).filteredOn(e -> e.verb() == ThalassaEvent.Verb.SPLIT_CHANGED).singleElement()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("app@1.0.0 -> app@1.0.0:90,2.0.0:10"));

        // a version moved to 0 stays subscribed, its members leave (and drain in HAProxy)
        engine.update(ThalassaConfig.empty().withBackend(live.withSplit(Map.of("1.0.0", 0, "2.0.0", 100))));
        assertThat(engine.subscribedServices()).containsExactly("app@1.0.0", "app@2.0.0");
        assertThat(ports(engine.current(), "live")).containsExactly(9090);
    }

    @Test
    void aVersionOfASplitWithoutInstancesIsReportedWithWhereItsShareGoes() throws Exception {
        MembershipEngine engine = engine(Duration.ZERO);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "app", "1.0.0")
                .withSplit(Map.of("1.0.0", 90, "2.0.0", 10))));
        registry.deliver("app", "1.0.0", member("app", "1.0.0", 8080));
        registry.deliver("app", "2.0.0");
        awaitPublished(c -> ports(c, "live").size() == 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String note = "2.0.0 has no instance, its 10 % goes to the others; serving 1.0.0:100,2.0.0:0";
        while (events.stream().noneMatch(e -> note.equals(e.detail())) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).filteredOn(e -> note.equals(e.detail())).singleElement()
                .satisfies(e -> assertThat(e.verb()).isEqualTo(ThalassaEvent.Verb.SPLIT_SHARES));
        registry.deliver("app", "2.0.0", member("app", "2.0.0", 9090));
        awaitPublished(c -> ports(c, "live").size() == 2);
        while (events.stream().filter(e -> e.verb() == ThalassaEvent.Verb.SPLIT_SHARES).count() < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).filteredOn(e -> e.verb() == ThalassaEvent.Verb.SPLIT_SHARES).last()
                .satisfies(e -> assertThat(e.detail()).isEqualTo("as split: 1.0.0:90,2.0.0:10"));
    }

    @Test
    void aMassRemovalIsHeldThenConfirmedWhileAdditionsAndSmallRemovalsGoOn() throws Exception {
        MembershipEngine engine = MembershipEngine.builder(registry, published::add).listener(events::add)
                .firstDeliveryTimeout(Duration.ofSeconds(2)).removalGuard(50, Duration.ofMillis(600)).build();
        toClose.add(engine);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "app", "1")));
        registry.deliver("app", "1", member("app", "1", 1), member("app", "1", 2), member("app", "1", 3),
                member("app", "1", 4));
        awaitPublished(c -> ports(c, "live").equals(List.of(1, 2, 3, 4)));
        registry.deliver("app", "1", member("app", "1", 1), member("app", "1", 9));
        awaitPublished(c -> ports(c, "live").equals(List.of(1, 2, 3, 4, 9)));
        assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REMOVAL_HELD
                && e.object().equals("backend/live"));
        long start = System.nanoTime();
        awaitPublished(c -> ports(c, "live").equals(List.of(1, 9)));
        assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(300));
        assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REMOVAL_CONFIRMED);
        registry.deliver("app", "1", member("app", "1", 9));
        awaitPublished(c -> ports(c, "live").equals(List.of(9)));
    }

    @Test
    void membersBackWithinTheHoldAreNeverRemoved() throws Exception {
        MembershipEngine engine = MembershipEngine.builder(registry, published::add).listener(events::add)
                .removalGuard(50, Duration.ofSeconds(30)).build();
        toClose.add(engine);
        engine.update(ThalassaConfig.empty().withBackend(dynamic("live", "app", "1")));
        registry.deliver("app", "1", member("app", "1", 1), member("app", "1", 2));
        awaitPublished(c -> ports(c, "live").equals(List.of(1, 2)));
        registry.deliver("app", "1");
        awaitEvent(ThalassaEvent.Verb.REMOVAL_HELD);
        registry.deliver("app", "1", member("app", "1", 1), member("app", "1", 2));
        awaitEvent(ThalassaEvent.Verb.REMOVAL_CANCELLED);
        assertThat(published).allMatch(c -> ports(c, "live").isEmpty() || ports(c, "live").equals(List.of(1, 2)));
        assertThat(ports(published.get(published.size() - 1), "live")).containsExactly(1, 2);
    }

    @Test
    void theGuardsSettingsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> MembershipEngine.builder(registry, c -> { }).removalGuard(101, Duration.ZERO))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field())
                        .isEqualTo("maxRemovalPct"));
        assertThatThrownBy(() -> MembershipEngine.builder(registry, c -> { }).removalGuard(50, Duration.ofDays(1)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field())
                        .isEqualTo("removalHold"));
    }

    private void awaitEvent(ThalassaEvent.Verb verb) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (events.stream().noneMatch(e -> e.verb() == verb) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(events).anyMatch(e -> e.verb() == verb);
    }
}
