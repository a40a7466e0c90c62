package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddedRegistryTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private EmbeddedRegistry registry(EmbeddedRegistry.Builder b) {
        EmbeddedRegistry r = b.build();
        toClose.add(r);
        return r;
    }

    private EmbeddedRegistry registry() {
        return registry(EmbeddedRegistry.builder().clock(clock).reaperInterval(Duration.ofSeconds(60)));
    }

    private static Registration reg(String version, int port, int ttlSeconds, Map<String, ?> meta) {
        return Registration.of("myapp", version, "127.0.0.1", port, meta, Duration.ofSeconds(ttlSeconds));
    }

    private static Set<Member> next(BlockingQueue<Set<Member>> q) throws InterruptedException {
        Set<Member> s = q.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("a member set within 5 s").isNotNull();
        return s;
    }

    private static List<Integer> ports(Set<Member> s) {
        return s.stream().map(Member::port).sorted().toList();
    }

    @Test
    void subscriberGetsTheCurrentSetRightAfterSubscribingThenEveryChange() throws Exception {
        EmbeddedRegistry registry = registry();
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        registry.subscribe("myapp", "1.0.0", q::add);
        assertThat(ports(next(q))).containsExactly(8080);
        registry.register(reg("1.0.0", 8081, 10, Map.of()));
        assertThat(ports(next(q))).containsExactly(8080, 8081);
        assertThat(registry.deregister("myapp", "1.0.0", "127.0.0.1", 8080)).isTrue();
        assertThat(ports(next(q))).containsExactly(8081);
        assertThat(registry.deregister("myapp", "1.0.0", "127.0.0.1", 8080)).isFalse();
    }

    @Test
    void anotherVersionIsNotAMember() throws Exception {
        EmbeddedRegistry registry = registry();
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        registry.subscribe("myapp", "1.0.0", q::add);
        assertThat(next(q)).isEmpty();
        registry.register(reg("1.1.0", 9090, 10, Map.of()));
        registry.register(Registration.of("other", "1.0.0", "127.0.0.1", 9091, Map.of(), null));
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        Set<Member> s = next(q);
        assertThat(s).extracting(Member::id).containsExactly("/myapp/1.0.0/127.0.0.1/8080");
        assertThat(q.poll(100, TimeUnit.MILLISECONDS)).as("no delivery for other services").isNull();
    }

    @Test
    void registeringAgainRefreshesLastKnownTtlAndMetaWithoutASecondOnlineEvent() throws Exception {
        EmbeddedRegistry registry = registry();
        List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        registry.addListener(events::add);
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        registry.subscribe("myapp", "1.0.0", q::add);
        next(q);
        registry.register(reg("1.0.0", 8080, 10, Map.of("color", "blue")));
        assertThat(next(q)).singleElement().satisfies(m -> {
            assertThat(m.lastKnown()).isEqualTo(T0);
            assertThat(m.meta()).containsEntry("color", "blue");
        });
        clock.advance(Duration.ofSeconds(3));
        registry.register(reg("1.0.0", 8080, 20, Map.of("color", "green")));
        assertThat(next(q)).singleElement().satisfies(m -> {
            assertThat(m.lastKnown()).isEqualTo(T0.plusSeconds(3));
            assertThat(m.meta()).containsEntry("color", "green");
        });
        assertThat(registry.registrations("myapp", "1.0.0")).singleElement()
                .satisfies(r -> assertThat(r.expiresAt()).isEqualTo(T0.plusSeconds(23)));
        assertThat(events).extracting(ThalassaEvent::verb).containsExactly(ThalassaEvent.Verb.ONLINE);
        assertThat(events.get(0).object()).isEqualTo("/myapp/1.0.0/127.0.0.1/8080");
    }

    @Test
    void refreshExtendsTheTtl() throws Exception {
        EmbeddedRegistry registry = registry();
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        clock.advance(Duration.ofSeconds(8));
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        clock.advance(Duration.ofSeconds(8));
        registry.reap();
        assertThat(registry.registrations(null, null)).hasSize(1);
        clock.advance(Duration.ofSeconds(2));
        registry.reap();
        assertThat(registry.registrations(null, null)).isEmpty();
    }

    @Test
    void expiredInstanceLeavesSubscribersWithinOneReaperPeriodAndGoesOffline() throws Exception {
        EmbeddedRegistry registry = registry(EmbeddedRegistry.builder().clock(clock));
        List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        registry.addListener(events::add);
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        registry.register(reg("1.0.0", 8080, 5, Map.of()));
        registry.subscribe("myapp", "1.0.0", q::add);
        assertThat(ports(next(q))).containsExactly(8080);
        clock.advance(Duration.ofMillis(4999));
        assertThat(q.poll(400, TimeUnit.MILLISECONDS)).as("not expired yet").isNull();
        clock.advance(Duration.ofMillis(1));
        Set<Member> after = q.poll(1, TimeUnit.SECONDS);
        assertThat(after).as("delivered by the 200 ms reaper within 1 s").isNotNull().isEmpty();
        assertThat(events).extracting(ThalassaEvent::verb)
                .containsExactly(ThalassaEvent.Verb.ONLINE, ThalassaEvent.Verb.OFFLINE);
        assertThat(events.get(1).detail()).contains("expired");
    }

    @Test
    void expiryWithTheRealClockTakesTheTtlPlusAtMostOneSecond() throws Exception {
        EmbeddedRegistry registry = registry(EmbeddedRegistry.builder());
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        registry.subscribe("myapp", "1.0.0", q::add);
        next(q);
        registry.register(reg("1.0.0", 8080, 1, Map.of()));
        assertThat(ports(next(q))).containsExactly(8080);
        assertThat(q.poll(2, TimeUnit.SECONDS)).as("gone 1 s after a 1 s TTL ran out").isNotNull().isEmpty();
    }

    @Test
    void closedSubscriptionGetsNothingMore() throws Exception {
        EmbeddedRegistry registry = registry();
        BlockingQueue<Set<Member>> q = new LinkedBlockingQueue<>();
        Registry.Subscription s = registry.subscribe("myapp", "1.0.0", q::add);
        next(q);
        s.close();
        s.close();
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        assertThat(q.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void registrationsComeBackAfterARestartWithTheirRemainingTtl() throws Exception {
        Path file = dir.resolve("state").resolve("registry.txt");
        EmbeddedRegistry first = EmbeddedRegistry.builder().clock(clock).stateFile(file).build();
        first.register(reg("1.0.0", 8080, 10, Map.of("secondsToExpire", "10")));
        first.register(reg("1.0.0", 8081, 3, Map.of()));
        first.close();
        first.close();

        clock.advance(Duration.ofSeconds(4));
        EmbeddedRegistry second = registry(EmbeddedRegistry.builder().clock(clock).stateFile(file)
                .reaperInterval(Duration.ofSeconds(60)));
        assertThat(second.registrations(null, null)).singleElement().satisfies(r -> {
            assertThat(r.port()).isEqualTo(8080);
            assertThat(r.lastKnown()).isEqualTo(T0);
            assertThat(r.expiresAt()).isEqualTo(T0.plusSeconds(10));
            assertThat(r.meta()).containsEntry("secondsToExpire", "10");
        });
        clock.advance(Duration.ofSeconds(5));
        second.reap();
        assertThat(second.registrations(null, null)).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        second.reap();
        assertThat(second.registrations(null, null)).isEmpty();
        second.close();
        assertThat(EmbeddedRegistry.builder().clock(clock).stateFile(file).build()).satisfies(third -> {
            toClose.add(third);
            assertThat(third.registrations(null, null)).isEmpty();
        });
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void stateFileIsRewrittenAfterEveryChangeWithoutAClose() throws Exception {
        Path file = dir.resolve("registry.txt");
        EmbeddedRegistry registry = registry(EmbeddedRegistry.builder().clock(clock).stateFile(file));
        registry.register(reg("1.0.0", 8080, 10, Map.of()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && !(Files.exists(file) && Files.readString(file).contains(" 8080 "))) {
            Thread.sleep(10);
        }
        assertThat(Files.readString(file)).contains("myapp 1.0.0 127.0.0.1 8080 ");
    }

    @Test
    void corruptStateFileIsAClearErrorAndIsNotOverwritten() throws Exception {
        Path file = dir.resolve("registry.txt");
        String text = "thalassa-registry-state 1\n"
                + "myapp 1.0.0 127.0.0.1 8080 1893456000000 1893456010000 {}\n"
                + "myapp 1.0.0 127.0.0.1 eighty 1893456000000 1893456010000 {}\n";
        Files.writeString(file, text);
        assertThatThrownBy(() -> EmbeddedRegistry.builder().clock(clock).stateFile(file).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3");
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a state file\n", "thalassa-registry-state 1\nmyapp 1.0.0 127.0.0.1 8080 1 2 {\"a\":\n",
            "thalassa-registry-state 1\nmyapp 1.0.0 127.0.0.1 8080 1 2 [1]\n",
            "thalassa-registry-state 1\nmy/app 1.0.0 127.0.0.1 8080 1 2 {}\n"})
    void everyKindOfCorruptionNamesTheFileAndLine(String text) throws Exception {
        Path file = dir.resolve("registry.txt");
        Files.writeString(file, text);
        assertThatThrownBy(() -> EmbeddedRegistry.builder().stateFile(file).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageMatching("(?s).*line [12] .*");
    }

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 42L, 1234567L);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void metaWithHostileCharactersSurvivesTheStateFile(long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, Object> meta = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            meta.put(hostile(random), hostile(random));
        }
        meta.put("int", random.nextInt());
        meta.put("long", Long.MAX_VALUE - random.nextInt(1000));
        meta.put("double", random.nextDouble() * 1000);
        meta.put("bool", random.nextBoolean());
        meta.put("list", List.of("a\nb", 1, false));
        meta.put("nested", Map.of("k\"", Map.of("deep", "\\\u0000")));
        Path file = dir.resolve("registry-" + seed + ".txt");
        EmbeddedRegistry first = EmbeddedRegistry.builder().clock(clock).stateFile(file).build();
        first.register(reg("1.0.0", 8080, 10, meta));
        first.close();
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).as("one line per registration")
                .filteredOn(l -> l.startsWith("myapp ")).hasSize(1);
        EmbeddedRegistry second = registry(EmbeddedRegistry.builder().clock(clock).stateFile(file));
        assertThat(second.registrations(null, null)).singleElement()
                .satisfies(r -> assertThat(r.meta()).isEqualTo(new java.util.TreeMap<>(meta)));
    }

    private static String hostile(Random random) {
        String alphabet = "\"\\\n\r\t {}[]:,/\u0000\u0001\u001f\u007f\u2028\u00e9\u4e2d\ud83c\udf89 ab#=";
        int n = 1 + random.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(alphabet.length());
            char c = alphabet.charAt(at);
            if (Character.isHighSurrogate(c) && at + 1 < alphabet.length()) {
                sb.append(c).append(alphabet.charAt(at + 1));
            } else if (!Character.isLowSurrogate(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void secondsToExpireAcceptsNumbersAndNumbersAsStrings() {
        assertThat(Registration.parseSecondsToExpire("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Registration.parseSecondsToExpire(30)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Registration.parseSecondsToExpire(30L)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Registration.parseSecondsToExpire(null)).isEqualTo(Registration.DEFAULT_TTL);
        assertThat(Registration.DEFAULT_TTL).isEqualTo(Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "", "-1", "0", "1.5", "99999999999"})
    void secondsToExpireRejectsAnythingElseNamingTheField(String value) {
        assertThatThrownBy(() -> Registration.parseSecondsToExpire(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("secondsToExpire");
    }

    @Test
    void reaperIntervalIsValidated() {
        assertThatThrownBy(() -> EmbeddedRegistry.builder().reaperInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reaperInterval");
    }

    @Test
    void healthIsAlwaysConnectedAndClosedRegistryRefusesRegistrations() {
        EmbeddedRegistry registry = registry();
        assertThat(registry.health().isConnected()).isTrue();
        registry.close();
        assertThatThrownBy(() -> registry.register(reg("1.0.0", 8080, 10, Map.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
