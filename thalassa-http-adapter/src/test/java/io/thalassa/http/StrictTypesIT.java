package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the daemon: a number where a string is expected is a 400 saying the field must be a string (the version
 * switch's own fields too), a boolean where a number is expected says whole number, and the original's numbers as
 * strings still work.
 */
class StrictTypesIT {
    @TempDir
    Path dir;

    private static void assertMustBeAString(Reply r, String field) {
        assertBadRequest(r, "invalid_value", field);
        assertThat(r.json().get("reason").asText()).as(r.toString()).startsWith(field + " must be a string, not ");
    }

    @Test
    void numbersAreNotStringsAndStringsOfDigitsAreStillNumbers() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            Http api = stack.api;
            int port = TestStack.freePort();
            assertMustBeAString(api.put("/frontends/f", "{'bind':" + port + ",'backend':'b'}"), "bind");
            assertMustBeAString(api.put("/backends/d", "{'type':'dynamic','name':65535,'version':'1.0.0'}"), "name");
            assertMustBeAString(api.put("/backends/d", "{'type':'dynamic','name':'app','version':2}"), "version");
            assertThat(api.get("/backends").body()).isEqualTo("[]");

            Reply created = api.put("/backends/d", "{'type':'dynamic','name':'app','version':'1.0.0'}");
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            String before = api.get("/backends/d").body();
            Reply switched = api.post("/backends/d", "{'version':2}");
            assertMustBeAString(switched, "version");
            assertThat(switched.json().get("reason").asText()).isEqualTo("version must be a string, not a number: 2");
            assertMustBeAString(api.post("/backends/d", "{'version':'2.0.0','name':65535}"), "name");
            assertMustBeAString(api.post("/backends/d", "{'version':true}"), "version");
            assertThat(api.get("/backends/d").body()).as("nothing changed").isEqualTo(before);
            Reply ok = api.post("/backends/d", "{'version':'2'}");
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(ok.json().get("version").asText()).isEqualTo("2");

            Reply members = api.put("/backends/s", "{'type':'static','health':{'interval':'5000'},'members':"
                    + "[{'host':'127.0.0.1','port':'80'}]}");
            assertThat(members.status()).as(members.toString()).isEqualTo(200);
            Reply notWhole = api.put("/backends/s", "{'type':'static','members':[{'host':'127.0.0.1','port':true}]}");
            assertBadRequest(notWhole, "invalid_value", "members[0].port");
            assertThat(notWhole.json().get("reason").asText()).contains("must be a whole number");

            Http reg = stack.registrations;
            Reply registered = reg.post("/registrations/app/1.0.0/127.0.0.1/18080", "{'secondsToExpire':'10000'}");
            assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
            Reply bool = reg.post("/registrations/app/1.0.0/127.0.0.1/18081", "{'secondsToExpire':true}");
            assertBadRequest(bool, "invalid_value", "secondsToExpire");
            assertThat(bool.json().get("reason").asText()).contains("must be a whole number");
        }
    }
}
