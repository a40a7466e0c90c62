package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The registration API of the original registry, on its own port and under /registrations on the main port. */
class RegistrationApiIT {
    @TempDir
    Path dir;
    TestStack stack;
    Http reg;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
        reg = stack.registrations;
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    @Test
    void registrationsWorkOnTheirOwnPortAndOnTheMainPort() {
        Reply r = reg.post("/registrations/myapp/1.0.0/127.0.0.1/8080", "{'hostname':'dev-01','pid':17941}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode created = r.json();
        assertThat(created.get("id").asText()).isEqualTo("/myapp/1.0.0/127.0.0.1/8080");
        assertThat(created.get("name").asText()).isEqualTo("myapp");
        assertThat(created.get("version").asText()).isEqualTo("1.0.0");
        assertThat(created.get("host").asText()).isEqualTo("127.0.0.1");
        assertThat(created.get("port").asInt()).isEqualTo(8080);
        assertThat(created.get("lastKnown").asLong()).isPositive();
        assertThat(created.get("meta").get("pid").asInt()).isEqualTo(17941);
        assertThat(stack.api.post("/registrations/myapp/1.1.0/127.0.0.1/8081", null).status()).isEqualTo(200);
        stack.api.post("/registrations/other/1.0.0/127.0.0.1/8082", "");

        assertThat(stack.api.get("/registrations").json()).hasSize(3);
        assertThat(reg.get("/registrations").json()).hasSize(3);
        assertThat(reg.get("/registrations/myapp").json()).hasSize(2);
        JsonNode v11 = stack.api.get("/registrations/myapp/1.1.0").json();
        assertThat(v11).hasSize(1);
        assertThat(v11.get(0).get("port").asInt()).isEqualTo(8081);
        assertThat(reg.get("/registrations/unknown").json()).isEmpty();
        assertThat(reg.get("/registrations/myapp/9.9.9").json()).isEmpty();
    }

    @Test
    void secondsToExpireIsANumberOrAStringAndTheBodyMayBeEmpty() {
        assertThat(reg.post("/registrations/a/1/127.0.0.1/1001", "{'secondsToExpire':'30'}").status()).isEqualTo(200);
        assertThat(reg.post("/registrations/a/1/127.0.0.1/1002", "{'secondsToExpire':30}").status()).isEqualTo(200);
        assertThat(reg.post("/registrations/a/1/127.0.0.1/1003", null).status()).isEqualTo(200);
        assertThat(stack.backplane.registry().registrations("a", "1")).extracting(Registration::ttl)
                .containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30), Registration.DEFAULT_TTL);
        assertBadRequest(reg.post("/registrations/a/1/127.0.0.1/1004", "{'secondsToExpire':'soon'}"),
                "invalid_value", "secondsToExpire");
        assertBadRequest(reg.post("/registrations/a/1/127.0.0.1/1004", "{'secondsToExpire':0}"),
                "invalid_value", "secondsToExpire");
        assertBadRequest(reg.post("/registrations/a/1/127.0.0.1/1004", "[1]"), "malformed_json", null);
        assertThat(reg.get("/registrations/a").json()).hasSize(3);
    }

    @Test
    void aRegistrationIsRefreshedByPostingAgain() throws Exception {
        reg.post("/registrations/a/1/127.0.0.1/1001", "{'secondsToExpire':'30','build':1}");
        long first = reg.get("/registrations/a").json().get(0).get("lastKnown").asLong();
        Thread.sleep(5);
        reg.post("/registrations/a/1/127.0.0.1/1001", "{'secondsToExpire':'60','build':2}");
        JsonNode all = reg.get("/registrations/a").json();
        assertThat(all).hasSize(1);
        assertThat(all.get(0).get("lastKnown").asLong()).isGreaterThan(first);
        assertThat(all.get(0).get("meta").get("build").asInt()).isEqualTo(2);
    }

    @Test
    void invalidPartsOfTheRegistrationPathAre400NamingThem() {
        assertBadRequest(reg.post("/registrations/a/1/127.0.0.1/http", "{}"), "invalid_value", "port");
        assertBadRequest(reg.post("/registrations/a/1/127.0.0.1/70000", "{}"), "invalid_value", "port");
        assertBadRequest(reg.post("/registrations/a/1/not%20a%20host/80", "{}"), "invalid_value", "host");
        assertBadRequest(reg.post("/registrations/a%24/1/127.0.0.1/80", "{}"), "invalid_value", "name");
        assertBadRequest(reg.post("/registrations/a/%21/127.0.0.1/80", "{}"), "invalid_value", "version");
        assertThat(reg.get("/registrations").json()).isEmpty();
    }

    @Test
    void deleteAnswers200EvenWhenAbsent() {
        reg.post("/registrations/a/1/127.0.0.1/1001", "");
        Reply del = reg.delete("/registrations/a/1/127.0.0.1/1001");
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().get("removed").asBoolean()).isTrue();
        Reply again = stack.api.delete("/registrations/a/1/127.0.0.1/1001");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("removed").asBoolean()).isFalse();
        assertThat(reg.get("/registrations").json()).isEmpty();
    }

    @Test
    void theRegistrationPortServesOnlyTheRegistrationApi() {
        assertThat(reg.get("/frontends").status()).isEqualTo(404);
        assertThat(reg.get("/openapi.json").status()).isEqualTo(404);
        assertThat(reg.put("/registrations/a/1/127.0.0.1/1001", "{}").status()).isEqualTo(405);
    }

    @Test
    void registeringAndDeregisteringFillsAndEmptiesDynamicBackends() {
        stack.api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0'}");
        reg.post("/registrations/myapp/1.0.0/127.0.0.1/8080", "");
        stack.awaitSize("/backends/live/members", 1);
        assertThat(stack.api.get("/haproxy/config").body()).contains("server live_slot1 127.0.0.1:8080");
        reg.delete("/registrations/myapp/1.0.0/127.0.0.1/8080");
        stack.awaitSize("/backends/live/members", 0);
    }
}
