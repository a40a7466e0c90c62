package io.thalassa.http;

import static io.thalassa.http.TestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed walkthrough against the real stack: the daemon's API drives a real HAProxy through the controller, the
 * embedded registry feeds the dynamic backend, and real requests go through HAProxy on 127.0.0.1.
 */
class StackIT {
    @TempDir
    Path dir;
    TestStack stack;
    io.thalassa.runtime.Thalassa backplane;
    NamedHttpServer v1;
    NamedHttpServer v2;

    @BeforeEach
    void setUp() throws IOException {
        stack = TestStack.start(dir);
        backplane = stack.backplane;
        v1 = new NamedHttpServer("v1");
        v2 = new NamedHttpServer("v2");
    }

    @AfterEach
    void tearDown() {
        stack.close();
        v1.close();
        v2.close();
    }

    @Test
    void registrationVersionSwitchAndTtlExpiryRouteRealTrafficWithoutReloads() throws Exception {
        int port = TestStack.freePort();
        // the seed creates the frontend before its backend
        assertThat(stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'webapp-backend',"
                + "'mode':'http'}").status()).isEqualTo(200);
        Reply backend = stack.api.put("/backends/webapp-backend", "{'type':'dynamic','name':'webapp',"
                + "'version':'1.0.0','balance':'roundrobin','mode':'http','health':{'interval':'5000'}}");
        assertThat(backend.status()).as(backend.toString()).isEqualTo(200);
        assertThat(stack.registrations.post("/registrations/webapp/1.0.0/127.0.0.1/" + v1.port(),
                "{'secondsToExpire':'60'}").status()).isEqualTo(200);
        // long enough for v2's first check (every 5 s) to pass: a member joins only then
        assertThat(stack.registrations.post("/registrations/webapp/2.0.0/127.0.0.1/" + v2.port(),
                "{'secondsToExpire':60}").status()).isEqualTo(200);

        await(() -> stack.api.get("/backends/webapp-backend/members").json().size() == 1);
        await(() -> get(port).equals("200 v1"));
        awaitReloadsSettled();
        long reloads = backplane.controller().reloadCount();
        java.util.List<Long> workers = backplane.controller().workerPids();

        // blue/green: the version switch of the original API
        assertThat(stack.api.post("/backends/webapp-backend", "{'version':'2.0.0'}").status()).isEqualTo(200);
        await(() -> get(port).equals("200 v2"));
        for (int i = 0; i < 5; i++) {
            assertThat(get(port)).isEqualTo("200 v2");
        }
        assertThat(stack.api.get("/haproxy/config").body()).contains("127.0.0.1:" + v2.port());

        // v2 registered again with a TTL of 2 s and no refresh: it leaves, and HAProxy has no server left
        assertThat(stack.registrations.post("/registrations/webapp/2.0.0/127.0.0.1/" + v2.port(),
                "{'secondsToExpire':2}").status()).isEqualTo(200);
        await(() -> stack.api.get("/backends/webapp-backend/members").json().isEmpty());
        await(() -> get(port).startsWith("503"));

        assertThat(backplane.controller().reloadCount()).isEqualTo(reloads);
        assertThat(backplane.controller().workerPids()).isEqualTo(workers);
        assertThat(stack.api.get("/activity?verb=versionSwitched").body()).contains("webapp@2.0.0");
    }

    @Test
    void aNativeHaproxyRejectsIsA400WithItsMessageAndTheOldConfigKeepsServing() throws Exception {
        int port = TestStack.freePort();
        assertThat(stack.api.put("/backends/static", "{'type':'static','members':[{'host':'127.0.0.1','port':"
                + v1.port() + "}]}").status()).isEqualTo(200);
        assertThat(stack.api.put("/frontends/web", "{'bind':'127.0.0.1:" + port + "','backend':'static'}").status())
                .isEqualTo(200);
        await(() -> get(port).equals("200 v1"));
        String before = stack.api.get("/haproxy/config").body();
        Reply bad = stack.api.put("/backends/static", "{'type':'static','natives':['option no-such-option'],"
                + "'members':[{'host':'127.0.0.1','port':" + v1.port() + "}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("no-such-option");
        assertThat(stack.api.get("/haproxy/config").body()).isEqualTo(before);
        assertThat(stack.api.get("/backends/static").json().get("natives")).isEmpty();
        assertThat(get(port)).isEqualTo("200 v1");
    }

    void awaitReloadsSettled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = backplane.controller().reloadCount();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(400);
        }
    }

    static String get(int port) {
        return NamedHttpServer.answerOf(port);
    }
}
