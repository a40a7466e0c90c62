package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An item's ETag is the version of the stored item: members, heartbeats and health do not change it. */
class EtagIT {
    @TempDir
    Path dir;
    TestStack stack;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void membersReRegisteredBetweenTheGetAndThePutDoNotMakeIfMatchFail() throws Exception {
        Http api = stack.api;
        assertThat(api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0'}").status())
                .isEqualTo(200);
        stack.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8081", "{'secondsToExpire':'60'}");
        stack.awaitSize("/backends/live/members", 1);
        Reply got = api.get("/backends/live");
        String etag = got.header("ETag");
        assertThat(etag).matches("\"[0-9]+\"");

        Thread.sleep(1100); // the heartbeat's lastKnown is another second
        stack.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8081", "{'secondsToExpire':'60'}");
        stack.registrations.post("/registrations/myapp/1.0.0/127.0.0.1/8082", "{'secondsToExpire':'60'}");
        stack.awaitSize("/backends/live/members", 2);
        Reply again = api.get("/backends/live");
        assertThat(again.body()).isNotEqualTo(got.body());
        assertThat(again.header("ETag")).as("members do not change the ETag").isEqualTo(etag);
        assertThat(api.get("/backends/live", "If-None-Match", etag).status()).isEqualTo(304);

        Reply put = api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0',"
                + "'balance':'leastconn'}", "If-Match", etag);
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.header("ETag")).isNotEqualTo(etag).isEqualTo(api.get("/backends/live").header("ETag"));
        assertThat(api.put("/backends/live", "{'type':'dynamic','name':'myapp','version':'1.0.0'}",
                "If-Match", etag).status()).as("a write to the item changes it").isEqualTo(412);
    }

    @Test
    void aWriteToAnotherItemDoesNotChangeAnItemsEtag() {
        Http api = stack.api;
        api.put("/backends/a", "{'type':'static'}");
        String a = api.get("/backends/a").header("ETag");
        api.put("/backends/b", "{'type':'static'}");
        api.put("/backends/b", "{'type':'static','balance':'leastconn'}");
        assertThat(api.get("/backends/a").header("ETag")).isEqualTo(a);
        assertThat(api.delete("/backends/a", "If-Match", a).status()).isEqualTo(200);
    }
}
