package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history and revert of a {@link Thalassa} against a real HAProxy: what HAProxy runs after a revert. */
class HistoryIT {
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    Thalassa thalassa;
    final List<NamedHttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        if (thalassa != null) {
            thalassa.stop();
        }
        servers.forEach(NamedHttpServer::close);
    }

    Thalassa.Builder builder() {
        return Thalassa.builder().workDir(dir).haproxyBinary(NamedHttpServer.haproxyBinary());
    }

    int app(String name) throws Exception {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        return s.port();
    }

    @Test
    void revertingToTheRevisionBeforeAChangeGivesTheHaproxyCfgThatRanThenByteForByte() throws Exception {
        thalassa = builder().start();
        int port = NamedHttpServer.freePort();
        int other = NamedHttpServer.freePort();
        int a = app("a");
        int b = app("b");
        thalassa.registry().register(Registration.of("myapp", "1.0.0", "127.0.0.1", app("dyn"), Map.of(),
                Duration.ofMinutes(10)));
        thalassa.update(c -> c
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withBackend(Backend.staticBackend("pool").member("127.0.0.1", a).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                .await(WAIT);
        TestRollouts.await(() -> thalassa.config().backend("live").orElseThrow().members().size() == 1);
        String before = thalassa.haproxyConfig();
        long revision = thalassa.history(1, 0).get(0).number();

        Change change = thalassa.update(c -> c
                .withBackend(c.backend("pool").orElseThrow().toBuilder().balance(Balance.LEASTCONN)
                        .member("127.0.0.1", b).build())
                .withBackend(c.backend("live").orElseThrow().toBuilder().nativeLine("timeout server 7s").build())
                .withFrontend(Frontend.builder("admin").bind("127.0.0.1:" + other).defaultBackend("pool").build())
                .withoutFrontend("web")).await(WAIT);
        assertThat(thalassa.haproxyConfig()).isNotEqualTo(before);
        Revision changed = thalassa.revision(thalassa.history(1, 0).get(0).number()).orElseThrow();
        assertThat(changed.ids()).containsExactly("backend/live", "backend/pool", "frontend/admin", "frontend/web");
        assertThat(changed.change()).isEqualTo(change.id());

        Change reverted = thalassa.revert(revision).await(WAIT);
        assertThat(thalassa.haproxyConfig()).isEqualTo(before);
        assertThat(java.nio.file.Files.readString(thalassa.controller().configFile())).isEqualTo(before);
        assertThat(NamedHttpServer.answerOf(port)).isEqualTo("200 dyn");
        Revision revert = thalassa.history(1, 0).get(0);
        assertThat(revert.number()).isGreaterThan(changed.number());
        assertThat(revert.change()).isEqualTo(reverted.id());
        assertThat(thalassa.activity().page(new ActivityLog.Query(10, null, java.util.Set.of("configReverted"), null))
                .entries()).hasSize(1);
    }

    @Test
    void versionsChangeOnlyWithAWriteToTheItemAndSurviveARestart() throws Exception {
        thalassa = builder().start();
        int a = app("a");
        Change first = thalassa.update(c -> c.withBackend(Backend.staticBackend("pool").member("127.0.0.1", a)
                .build()).withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())).await(WAIT);
        long pool = thalassa.version("backend/pool");
        long live = thalassa.version("backend/live");
        assertThat(pool).isPositive().isEqualTo(first.version("backend/pool"));
        thalassa.registry().register(Registration.of("myapp", "1.0.0", "127.0.0.1", app("x"), Map.of(),
                Duration.ofMinutes(10)));
        TestRollouts.await(() -> thalassa.config().backend("live").orElseThrow().members().size() == 1);
        assertThat(thalassa.version("backend/live")).as("members do not change it").isEqualTo(live);
        Change second = thalassa.update(c -> c.withBackend(c.backend("pool").orElseThrow().toBuilder()
                .balance(Balance.LEASTCONN).build()));
        assertThat(second.version("backend/pool")).isGreaterThan(pool);
        assertThat(thalassa.version("backend/live")).isEqualTo(live);

        thalassa.close();
        thalassa = builder().start();
        assertThat(thalassa.version("backend/pool")).isEqualTo(second.version("backend/pool"));
        assertThat(thalassa.version("backend/live")).isEqualTo(live);
        assertThat(thalassa.history(10, 0)).hasSize(2);
    }

    @Test
    void aWriteWhosePreconditionFailsChangesNothing() {
        thalassa = builder().start();
        thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()));
        long v = thalassa.version("backend/live");
        assertThatThrownBy(() -> thalassa.apply(Batch.of().switchVersion("live", "2.0.0").ifMatch(v + 1)))
                .isInstanceOfSatisfying(BatchException.class, e -> assertThat(e.getCause())
                        .isInstanceOf(VersionMismatchException.class));
        thalassa.apply(Batch.of().switchVersion("live", "2.0.0").ifMatch(v));
        assertThat(thalassa.config().backend("live").orElseThrow().serviceVersion()).isEqualTo("2.0.0");
        assertThatThrownBy(() -> thalassa.revert(thalassa.history(1, 0).get(0).number() + 5))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("revision"));
        assertThat(thalassa.revert(0).config()).isEqualTo(ThalassaConfig.empty());
    }
}
