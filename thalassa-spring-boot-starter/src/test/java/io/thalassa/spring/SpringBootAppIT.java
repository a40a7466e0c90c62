package io.thalassa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.thalassa.Balance;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spring.app.GreetingApp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A Spring Boot application with the starter, a controller of its own registered in the embedded registry, behind a
 * real HAProxy that Thalassa runs: traffic, health and readiness through a crash of HAProxy's master, meters, events,
 * info. The context is closed after the class, which stops HAProxy ({@code thalassa.haproxy.stop-on-shutdown}).
 */
@SpringBootTest(classes = GreetingApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SpringBootAppIT {
    private static final int LB_PORT = NamedHttpServer.freePort();
    private static final Path WORK = Loopback.workDir("app");
    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void thalassa(DynamicPropertyRegistry r) {
        Path config = Loopback.file("thalassa.json", Loopback.configJson(LB_PORT, GreetingApp.SERVICE,
                GreetingApp.VERSION));
        r.add("thalassa.work-dir", WORK::toString);
        r.add("thalassa.haproxy.binary", NamedHttpServer::haproxyBinary);
        r.add("thalassa.config-file", config::toString);
        r.add("thalassa.haproxy.supervision-interval", () -> "3s"); // long enough to see HAProxy down
        r.add("thalassa.haproxy.stop-on-shutdown", () -> "true");
        r.add("management.endpoints.web.exposure.include", () -> "health,info");
        r.add("management.endpoint.health.show-details", () -> "always");
        r.add("server.address", () -> "127.0.0.1");
    }

    @LocalServerPort
    int port;

    @Autowired
    Thalassa thalassa;

    @Autowired
    MeterRegistry meters;

    @Autowired
    GreetingApp.SeenEvents seen;

    private JsonNode json(String path) throws Exception {
        String r = Loopback.get(port, path);
        return JSON.readTree(r.substring(r.indexOf(' ') + 1));
    }

    private String thalassaHealth() throws Exception {
        return json("/actuator/health").path("components").path("thalassa").path("status").asText();
    }

    @Test
    void trafficGoesThroughHaproxyToTheApplication() {
        Loopback.await(20, "the app through HAProxy", () -> Loopback.get(LB_PORT, "/hello")
                .equals("200 hello from " + port));
        assertThat(thalassa.status().ready()).isTrue();
        assertThat(thalassa.config().frontend("web")).isPresent();
    }

    @Test
    void healthIsDownWhileHaproxysMasterIsDeadAndUpOnceTheControllerStartedItAgain() throws Exception {
        Loopback.await(20, "thalassa UP", () -> {
            try {
                return thalassaHealth().equals("UP");
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode health = json("/actuator/health").path("components").path("thalassa").path("components");
        assertThat(health.path("haproxy").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("haproxy").path("details").path("masterPid").asLong())
                .isEqualTo(thalassa.status().masterPid());
        assertThat(health.path("registry").path("status").asText()).isEqualTo("UP");
        assertThat(health.path("registry").path("details").path("kind").asText()).isEqualTo("embedded");
        assertThat(health.path("store").path("status").asText()).isEqualTo("UP");
        assertThat(Loopback.get(port, "/actuator/health/readiness")).startsWith("200 ");

        long pid = thalassa.status().masterPid();
        Loopback.kill(pid);
        assertThat(thalassaHealth()).isEqualTo("DOWN");
        assertThat(json("/actuator/health").path("components").path("thalassa").path("components").path("haproxy")
                .path("details").path("reason").asText()).isEqualTo("HAProxy is not running");
        assertThat(Loopback.get(port, "/actuator/health/readiness")).startsWith("503 ")
                .contains("OUT_OF_SERVICE");
        assertThat(Loopback.get(port, "/actuator/health/liveness")).startsWith("200 "); // the application answers

        Loopback.await(20, "thalassa UP again", () -> {
            try {
                return thalassaHealth().equals("UP");
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(thalassa.status().masterPid()).isNotEqualTo(pid);
        assertThat(Loopback.get(port, "/actuator/health/readiness")).startsWith("200 ");
        Loopback.await(20, "the app through the new HAProxy", () -> Loopback.get(LB_PORT, "/hello")
                .equals("200 hello from " + port));
    }

    @Test
    void theDaemonsMetersAreInTheApplicationsRegistry() {
        Loopback.await(20, "config applied", () -> thalassa.config().frontend("web").isPresent());
        thalassa.update(c -> c.withBackend(c.backend("live").orElseThrow().toBuilder().balance(Balance.LEASTCONN)
                .build())).await(java.time.Duration.ofSeconds(10)); // a reload, timed
        assertThat(meters.get("thalassa.config.frontends").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("thalassa.config.backends").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("thalassa.registry.healthy").gauge().value()).isEqualTo(1.0);
        assertThat(meters.get("thalassa.haproxy.reloads").functionCounter().count()).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("thalassa.apply").tag("kind", "reload").timer().count()).isGreaterThanOrEqualTo(1);
        assertThat(meters.find("thalassa.haproxy.runtime.changes").counter()).isNotNull();
        Loopback.await(20, "HAProxy up in the meters", () -> meters.get("thalassa.haproxy.up").gauge().value() == 1.0);
        Loopback.await(20, "a reload timed", () -> meters.find("thalassa.haproxy.reload").tag("outcome", "done")
                .timer() != null);
    }

    @Test
    void eventListenersHearEveryEventFromTheStartOnInOrderOnThalassasEventThread() {
        Loopback.await(20, "the application online", () -> seen.events().stream()
                .anyMatch(e -> e.verb() == ThalassaEvent.Verb.ONLINE && e.object().contains(GreetingApp.SERVICE)));
        assertThat(seen.events().get(0).verb()).isEqualTo(ThalassaEvent.Verb.STARTED); // HAProxy started: kept
        assertThat(seen.events().get(0).detail()).contains("master pid");
        assertThat(seen.threads()).containsOnly("thalassa-events");
        assertThat(seen.events()).extracting(ThalassaEvent::time).isSorted();
    }

    @Test
    void infoShowsThalassaAndHaproxyWithTheirVersionsAndPids() throws Exception {
        Loopback.await(20, "HAProxy ready", () -> thalassa.status().ready());
        JsonNode info = json("/actuator/info").path("thalassa");
        assertThat(info.path("version").asText()).isNotEmpty();
        assertThat(info.path("haproxy").path("version").asText()).startsWith("2.");
        assertThat(info.path("haproxy").path("masterPid").asLong()).isEqualTo(thalassa.status().masterPid());
        assertThat(info.path("haproxy").path("workerPids")).isNotEmpty();
        assertThat(info.path("registry").asText()).isEqualTo("embedded");
        assertThat(info.path("store").asText()).isEqualTo("file " + WORK.resolve("config.json"));
        assertThat(info.path("workDir").asText()).isEqualTo(WORK.toString());
    }
}
