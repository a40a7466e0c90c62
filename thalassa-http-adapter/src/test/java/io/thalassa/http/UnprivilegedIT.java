package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.internal.HaproxyUser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon running as root runs HAProxy's workers as user haproxy; the sockets stay the daemon's. */
class UnprivilegedIT {
    @TempDir
    Path dir;

    static String uid(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[1];
            }
        }
        throw new AssertionError("no Uid in /proc/" + pid + "/status");
    }

    @Test
    void workersRunAsHaproxyTheRuntimeApiStillWorksAndTheStatsPasswordIsGenerated() throws Exception {
        assumeTrue(HaproxyUser.daemonIsRoot(), "the daemon must run as root for HAProxy to switch users");
        String haproxyUid = TlsIT.run(java.util.List.of("id", "-u", "haproxy")).strip();
        try (NamedHttpServer a = new NamedHttpServer("a"); NamedHttpServer b = new NamedHttpServer("b");
                TestStack stack = TestStack.start(dir)) {
            int port = TestStack.freePort();
            assertThat(stack.api.put("/backends/web?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1',"
                    + "'port':" + a.port() + "}]}").status()).isEqualTo(200);
            assertThat(stack.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'web'}")
                    .status()).isEqualTo(200);
            TestStack.await(() -> NamedHttpServer.answerOf(port).equals("200 a"));
            String cfg = stack.api.get("/haproxy/config").body();
            assertThat(cfg).containsPattern("(?m)^\\s*user haproxy$").containsPattern("(?m)^\\s*group haproxy$");
            var controller = stack.backplane.controller();
            assertThat(uid(controller.masterPid())).as("the master keeps root and the sockets").isEqualTo("0");
            assertThat(controller.workerPids()).isNotEmpty();
            for (long worker : controller.workerPids()) {
                assertThat(uid(worker)).as("worker " + worker).isEqualTo(haproxyUid);
            }
            long reloads = controller.reloadCount();
            assertThat(stack.api.put("/backends/web?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1',"
                    + "'port':" + a.port() + "},{'host':'127.0.0.1','port':" + b.port() + "}]}").status())
                    .isEqualTo(200);
            assertThat(controller.reloadCount()).as("a membership change through the stats socket").isEqualTo(reloads);
            TestStack.await(() -> NamedHttpServer.answerOf(port).equals("200 b"));

            // the stats page: a generated password kept under --dbPath, not the old showme:showme
            Path kept = dir.resolve("db").resolve("stats-auth");
            String auth = Files.readString(kept).strip();
            assertThat(auth).matches("admin:[0-9a-f]{24}");
            assertThat(cfg).contains("stats auth " + auth).doesNotContain("showme");
            Matcher stats = Pattern.compile("listen stats\\s+bind 127.0.0.1:(\\d+)").matcher(cfg);
            assertThat(stats.find()).isTrue();
            URI page = URI.create("http://127.0.0.1:" + stats.group(1) + "/");
            HttpClient client = HttpClient.newHttpClient();
            assertThat(client.send(HttpRequest.newBuilder(page).header("Authorization", basic(auth)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(client.send(HttpRequest.newBuilder(page).header("Authorization", basic("showme:showme"))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        }
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }
}
