package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.spi.Registration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Thalassa} runtime as an embedding program uses it, against a real HAProxy and real traffic. */
class ThalassaIT {
    @TempDir
    Path dir;

    private final List<Thalassa> started = new ArrayList<>();
    private final List<NamedHttpServer> servers = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        servers.forEach(NamedHttpServer::close);
        for (Thalassa t : started) {
            t.stop(); // by the master's pid
        }
    }

    private Thalassa start(Thalassa.Builder builder) {
        Thalassa t = builder.start();
        started.add(t);
        return t;
    }

    private Thalassa.Builder builder() {
        return Thalassa.builder().workDir(dir).haproxyBinary(NamedHttpServer.haproxyBinary());
    }

    private int app(String name, String version, EmbeddedRegistry registry) throws Exception {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        registry.register(Registration.of("myapp", version, "127.0.0.1", s.port(), Map.of(), Duration.ofSeconds(60)));
        return s.port();
    }

    @Test
    void startWithPutsTheShippedConfigurationInUseWithTheStartItselfAndSavesIt() throws Exception {
        NamedHttpServer app = new NamedHttpServer("a");
        servers.add(app);
        int port = NamedHttpServer.freePort();
        java.util.function.UnaryOperator<ThalassaConfig> shipped = c -> c
                .withBackend(Backend.staticBackend("pool").member("127.0.0.1", app.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("pool").build());
        Thalassa first = start(builder().startWith(shipped));
        assertThat(first.controller().reloadCount()).isZero();
        assertThat(first.latestChange()).isEmpty(); // no write: the start ran it
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 a");
        assertThat(FileConfigStore.at(dir.resolve("config.json")).load()).contains(first.config());
        long pid = first.status().masterPid();
        first.close();

        Thalassa second = start(builder().startWith(shipped)); // stored already: nothing to change, HAProxy adopted
        assertThat(second.controller().adopted()).isTrue();
        assertThat(second.status().masterPid()).isEqualTo(pid);
        assertThat(second.controller().reloadCount()).isZero();
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 a");
    }

    @Test
    void haproxysSettingsAreTunedOnTopOfTheWorkDirectoryOnesAndARefusedTuningStartsNothing() throws Exception {
        NamedHttpServer app = new NamedHttpServer("a");
        servers.add(app);
        int port = NamedHttpServer.freePort();
        Thalassa t = start(builder().haproxy(h -> h.timeoutClient(Duration.ofSeconds(7)).globalMaxconn(1000)
                .forwardFor(false)).startWith(c -> c
                        .withBackend(Backend.staticBackend("pool").member("127.0.0.1", app.port()).build())
                        .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("pool")
                                .build())));
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 a");
        io.thalassa.haproxy.HaproxySettings s = t.controller().settings();
        assertThat(s.timeoutClient()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.globalMaxconn()).isEqualTo(1000);
        assertThat(s.forwardFor()).isFalse();
        assertThat(s.statsSocket()).isEqualTo(dir.resolve("haproxy.sock").toAbsolutePath()); // the defaults kept
        String cfg = Files.readString(dir.resolve("haproxy.cfg"));
        assertThat(cfg).contains("timeout client 7000ms", "maxconn 1000").doesNotContain("option forwardfor");
        t.stop();
        started.remove(t);

        Path other = dir.resolve("other");
        assertThatThrownBy(() -> start(Thalassa.builder().workDir(other).haproxyBinary(NamedHttpServer.haproxyBinary())
                .haproxy(h -> h.timeoutTunnel(Duration.ofDays(30)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("timeoutTunnel must be at most");
        assertThat(other.resolve("haproxy.pid")).doesNotExist();
        assertThatThrownBy(() -> builder().haproxy(null)).hasMessageContaining("haproxy");
    }

    @Test
    void aStartWithHaproxyRefusesFailsTheStartAndLeavesTheStoreAsItWas() throws Exception {
        NamedHttpServer taken = new NamedHttpServer("taken");
        servers.add(taken);
        assertThatThrownBy(() -> start(builder().startWith(c -> c
                .withBackend(Backend.staticBackend("pool").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + taken.port()).defaultBackend("pool")
                        .build()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the configuration to start with");
        assertThat(dir.resolve("config.json")).doesNotExist();
        assertThat(dir.resolve("haproxy.pid")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(ProcessHandle.of(Long.parseLong(Files.readString(p).trim()))
                        .map(ProcessHandle::isAlive).orElse(false)).isFalse());
    }

    @Test
    void aKilledMasterIsNotReadyUntilTheControllerHasStartedItAgain() throws Exception {
        Thalassa thalassa = start(builder().controller(c -> c.supervisionInterval(Duration.ofSeconds(3))));
        long pid = thalassa.status().masterPid();
        assertThat(thalassa.status().ready()).isTrue();
        assertThat(thalassa.status().workerPids()).isNotEmpty();

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ThalassaStatus[] down = new ThalassaStatus[1];
        await(() -> !(down[0] = thalassa.status()).ready());
        assertThat(down[0].masterPid()).isZero();
        assertThat(down[0].workerPids()).isEmpty();

        await(() -> thalassa.status().ready()); // the supervision's next look
        assertThat(thalassa.status().masterPid()).isPositive().isNotEqualTo(pid);
    }

    @Test
    void theReadmeProgramServesSwitchesAndSplitsWithoutAReload() throws Exception {
        int port = NamedHttpServer.freePort();
        EmbeddedRegistry registry = EmbeddedRegistry.create();
        List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        Thalassa thalassa = start(builder().registry(registry));
        thalassa.onEvent(events::add);
        app("blue", "1.0.0", registry);
        app("green", "2.0.0", registry);

        Change first = thalassa.update(config -> config
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                .await(Duration.ofSeconds(10));
        assertThat(first.status().orElseThrow().state()).isEqualTo(ChangeStatus.State.APPLIED);
        await(() -> NamedHttpServer.answerOf(port).equals("200 blue"));
        long reloads = thalassa.controller().reloadCount();

        thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10));
        await(() -> NamedHttpServer.answerOf(port).equals("200 green"));
        thalassa.split("live", Map.of("1.0.0", 50, "2.0.0", 50)).await(Duration.ofSeconds(10));
        await(() -> NamedHttpServer.answerOf(port).equals("200 blue"));

        assertThat(thalassa.controller().reloadCount()).isEqualTo(reloads);
        assertThat(thalassa.config().backend("live").orElseThrow().split()).isPresent();
        assertThat(thalassa.status().ready()).isTrue();
        assertThat(thalassa.status().registryKind()).isEqualTo("embedded");
        assertThat(events).extracting(e -> e.verb()).contains(ThalassaEvent.Verb.VERSION_SWITCHED,
                ThalassaEvent.Verb.SPLIT_CHANGED);
        assertThat(thalassa.activity().size()).isGreaterThan(3);
        assertThat(thalassa.changes(10)).isNotEmpty();
    }

    @Test
    void aSecondStartFindsTheConfigurationAndAdoptsHaproxyWithoutAReload() throws Exception {
        int port = NamedHttpServer.freePort();
        NamedHttpServer app = new NamedHttpServer("static");
        servers.add(app);
        Thalassa first = builder().start();
        long pid = first.controller().masterPid();
        first.update(c -> c.withBackend(Backend.staticBackend("pool").member("127.0.0.1", app.port()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("pool").build()))
                .await(Duration.ofSeconds(10));
        first.close(); // HAProxy keeps serving
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 static");

        Thalassa second = start(builder());
        assertThat(second.controller().adopted()).isTrue();
        assertThat(second.controller().masterPid()).isEqualTo(pid);
        assertThat(second.controller().reloadCount()).isZero();
        assertThat(second.config().frontend("web")).isPresent();
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 static");
    }

    @Test
    void aWriteThatCannotBeSavedChangesNothing() throws Exception {
        int port = NamedHttpServer.freePort();
        Thalassa thalassa = start(builder());
        thalassa.update(c -> c.withBackend(Backend.staticBackend("pool").member("127.0.0.1", 9).build()))
                .await(Duration.ofSeconds(10));
        Path file = dir.resolve("config.json");
        String saved = Files.readString(file);
        ThalassaConfig before = thalassa.config();
        String cfgBefore = thalassa.haproxyConfig();
        Process lock = new ProcessBuilder("chattr", "+i", dir.toString()).inheritIO().start();
        assertThat(lock.waitFor()).as("chattr +i (needs root on ext4)").isZero();
        try {
            assertThatThrownBy(() -> thalassa.update(c -> c.withFrontend(Frontend.builder("web")
                    .bind("127.0.0.1:" + port).defaultBackend("pool").build())))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("not applied");
            assertThatThrownBy(() -> thalassa.update(c -> c.withoutBackend("pool")))
                    .isInstanceOf(StoreUnavailableException.class);
        } finally {
            new ProcessBuilder("chattr", "-i", dir.toString()).inheritIO().start().waitFor();
        }
        assertThat(thalassa.config()).isEqualTo(before);
        assertThat(thalassa.haproxyConfig()).isEqualTo(cfgBefore);
        assertThat(Files.readString(file)).isEqualTo(saved);
        assertThat(NamedHttpServer.answerOf(port)).startsWith("error");
    }

    @Test
    void aTemporaryFileLeftByAKilledWriteIsRemovedAtStart() throws Exception {
        Files.createDirectories(dir);
        Path leftover = Files.writeString(dir.resolve("config.json1234567.tmp"), "{\"frontends\":[");
        start(builder());
        assertThat(leftover).doesNotExist();
    }

    @Test
    void refusalsThrowAtOnceNamingTheFieldOrHaproxysWords() {
        Thalassa thalassa = start(builder());
        assertThatThrownBy(() -> thalassa.switchVersion("nope", "2.0.0")).isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo("backend"));
        assertThatThrownBy(() -> thalassa.update(c -> c.withBackend(Backend.staticBackend("b")
                .natives(List.of("http-request set-var(txn.x) nonsense(")).build())))
                .isInstanceOf(ConfigRejectedException.class);
        assertThat(thalassa.config().backends()).isEmpty();
    }

    @Test
    void concurrentWritersAreCommittedInGroupsEachWithAChangeId() throws Exception {
        Thalassa thalassa = start(builder().reloadWindow(Duration.ofMillis(500)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Change>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                writes.add(pool.submit(() -> thalassa.update(c -> c.withBackend(Backend.staticBackend("b" + n)
                        .member("127.0.0.1", 10_000 + n).build()))));
            }
            for (Future<Change> w : writes) {
                Change c = w.get();
                assertThat(c.id()).isPositive();
                c.await(Duration.ofSeconds(20));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(thalassa.config().backends()).hasSize(40);
        assertThat(thalassa.controller().reloadCount()).isLessThan(40);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 15 s").isLessThan(deadline);
            Thread.sleep(25);
        }
    }
}
