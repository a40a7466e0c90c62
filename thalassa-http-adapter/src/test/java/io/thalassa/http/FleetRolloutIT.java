package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.consul.ConsulAgent;
import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import io.thalassa.spi.ConfigStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Safe deploys in fleet mode against a real Consul agent: an ETag read on one node holds on another; a batch is one
 * Consul KV transaction; a rollout driven by one node counts another node's traffic, and when its driver is killed
 * (SIGKILL: its Consul session is not destroyed, it expires) another node takes it over and finishes it.
 */
class FleetRolloutIT {
    static ConsulAgent consul;
    static int prefixes;

    @TempDir
    Path dir;
    String prefix;
    final List<NamedHttpServer> servers = new ArrayList<>();
    final List<FleetNode> nodes = new ArrayList<>();
    Process daemon;
    Path daemonHome;
    final AtomicBoolean traffic = new AtomicBoolean(true);

    @BeforeAll
    static void startConsul() throws Exception {
        consul = ConsulAgent.start(Files.createTempDirectory("fleet-rollout-consul"));
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        traffic.set(false);
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (daemonHome != null) { // its HAProxy outlives it: stopped by the pid in its pid file
            Path pid = daemonHome.resolve("haproxy.pid");
            if (Files.exists(pid)) {
                long p = Long.parseLong(Files.readString(pid).strip().split("\\s+")[0]);
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroy);
            }
        }
        for (FleetNode n : nodes) {
            n.stop();
        }
        servers.forEach(NamedHttpServer::close);
    }

    /** A node of the fleet in this JVM, on its own loopback address. */
    final class FleetNode {
        final int n;
        final Path home;
        io.thalassa.runtime.Thalassa thalassa;
        ThalassaHttp server;
        Http api;
        Http registrations;

        FleetNode(int n) throws IOException {
            this.n = n;
            this.home = Files.createDirectories(dir.resolve("node" + n));
            DaemonOptions o = TestStack.options(home, options(n, home).toArray(String[]::new));
            thalassa = o.thalassa().start();
            server = ThalassaHttp.serve(thalassa, o.http());
            api = new Http("http://127.0.0.1:" + server.port());
            registrations = new Http("http://127.0.0.1:" + server.registrationPort());
        }

        void stop() {
            server.close();
            thalassa.close();
            thalassa.controller().stopHaproxy();
        }
    }

    List<String> options(int n, Path home) {
        return new ArrayList<>(List.of("--store", "consul", "--serviceReg", "127.0.0.1", "--serviceRegPort",
                Integer.toString(consul.httpPort()), "--storePrefix", prefix, "--label", "node" + n, "--bindAddress",
                "127.0.0." + n, "--haproxyCfgPath", home.resolve("haproxy.cfg").toString(), "--haproxySocketPath",
                home.resolve("stats.sock").toString(), "--haproxyPidPath", home.resolve("haproxy.pid").toString(),
                "--haproxyBinary", NamedHttpServer.haproxyBinary(), "--statsPort",
                Integer.toString(TestStack.freePort()), "--reloadWindow", "100ms"));
    }

    /** Node {@code n} as the packaged daemon in its own process (so it can be killed); its API. */
    Http daemon(int n) throws Exception {
        daemonHome = Files.createDirectories(dir.resolve("node" + n));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", DaemonProcessIT.Daemon.jar().toString(), "--host", "127.0.0.1", "--port",
                Integer.toString(TestStack.freePort()), "--registrationPort", Integer.toString(TestStack.freePort()),
                "--dbPath", daemonHome.resolve("db").toString()));
        command.addAll(options(n, daemonHome));
        daemon = new ProcessBuilder(command).directory(daemonHome.toFile()).redirectErrorStream(true)
                .redirectOutput(daemonHome.resolve("daemon.log").toFile()).start();
        Http api = new Http("http://127.0.0.1:" + command.get(command.indexOf("--port") + 1));
        await(() -> {
            try {
                return api.get("/frontends").status() == 200;
            } catch (UncheckedIOException e) {
                return daemon.isAlive() ? false : fail("the daemon exited: " + log());
            }
        });
        return api;
    }

    boolean fail(String why) {
        throw new AssertionError(why);
    }

    String log() {
        try {
            return Files.readString(daemonHome.resolve("daemon.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 120 s").isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    NamedHttpServer server(String name) throws IOException {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        return s;
    }

    void newPrefix() {
        prefix = "thalassa/rollout" + (prefixes++) + "-" + System.nanoTime() + "/";
    }

    @Test
    void anEtagReadOnNodeOneHoldsOnNodeTwoAndABatchIsOneConsulTransaction() throws Exception {
        newPrefix();
        FleetNode one = new FleetNode(1);
        nodes.add(one);
        FleetNode two = new FleetNode(2);
        nodes.add(two);
        String service = "etag" + prefixes;
        assertThat(one.api.put("/backends/live?wait=10s", "{'type':'dynamic','name':'" + service
                + "','version':'1.0'}").status()).isEqualTo(200);
        NamedHttpServer s = server("a");
        two.registrations.post("/registrations/" + service + "/1.0/127.0.0.1/" + s.port(), "{'secondsToExpire':'600'}");
        await(() -> one.api.get("/backends/live/members").json().size() == 1
                && two.api.get("/backends/live/members").json().size() == 1);
        String etag = one.api.get("/backends/live").header("ETag");
        await(() -> etag.equals(two.api.get("/backends/live").header("ETag")));
        Thread.sleep(1100); // a heartbeat: lastKnown moves, the ETag does not
        two.registrations.post("/registrations/" + service + "/1.0/127.0.0.1/" + s.port(), "{'secondsToExpire':'600'}");
        Reply put = two.api.put("/backends/live?wait=10s", "{'type':'dynamic','name':'" + service + "','version':'1.0',"
                + "'balance':'leastconn'}", "If-Match", etag);
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(one.api.put("/backends/live", "{'type':'dynamic','name':'" + service + "','version':'1.0'}",
                "If-Match", etag).status()).isEqualTo(412);

        Reply batch = one.api.post("/batch?wait=10s", "{'operations':["
                + "{'op':'put','path':'/backends/b1','body':{'type':'static'}},"
                + "{'op':'put','path':'/backends/b2','body':{'type':'static','balance':'source'}},"
                + "{'op':'delete','path':'/backends/live','ifMatch':'" + put.header("ETag").replace("\"", "\\\"")
                + "'}]}");
        assertThat(batch.status()).as(batch.toString()).isEqualTo(200);
        try (ConsulConfigStore store = ConsulConfigStore.builder().agent("127.0.0.1", consul.httpPort())
                .prefix(prefix).build()) {
            ConfigStore.Snapshot now = store.readAll();
            assertThat(now.items()).containsOnlyKeys("backend/b1", "backend/b2");
            assertThat(now.items().get("backend/b1").version()).as("one KV transaction: one index")
                    .isEqualTo(now.items().get("backend/b2").version());
        }
        await(() -> two.api.get("/backends/b2").status() == 200 && two.api.get("/backends/live").status() == 404);
        assertThat(two.api.get("/history?limit=1").json().get("revisions").get(0).get("items")).hasSize(3);
    }

    @Test
    void theDriverCountsTheOtherNodesTrafficAndWhenItIsKilledAnotherNodeTakesTheRolloutOver() throws Exception {
        newPrefix();
        Http one = daemon(1);
        FleetNode two = new FleetNode(2);
        nodes.add(two);
        String service = "roll" + prefixes;
        int port = TestStack.freePort();
        assertThat(two.api.put("/backends/web?wait=20s", "{'type':'dynamic','name':'" + service + "','version':'1.0'}")
                .status()).isEqualTo(200);
        assertThat(two.api.put("/frontends/web?wait=20s", "{'bind':'127.0.0.1:" + port + "','backend':'web'}")
                .status()).isEqualTo(200);
        for (String version : new String[] {"1.0", "1.0", "2.0"}) {
            NamedHttpServer s = server(version + "-" + servers.size());
            two.registrations.post("/registrations/" + service + "/" + version + "/127.0.0.1/" + s.port(),
                    "{'secondsToExpire':'600'}");
        }
        await(() -> one.get("/backends/web/members").json().size() == 2
                && two.api.get("/backends/web/members").json().size() == 2);
        await(() -> NamedHttpServer.answerOf("127.0.0.2", port).startsWith("200"));
        // traffic only through node 2's HAProxy: the driver, node 1, sees none of it in its own counters
        Thread load = new Thread(() -> {
            while (traffic.get()) {
                NamedHttpServer.answerOf("127.0.0.2", port);
            }
        });
        load.setDaemon(true);
        load.start();

        Reply started = one.post("/backends/web/rollout", "{'version':'2.0','steps':[20,50,100],'stepSeconds':4,"
                + "'guard':{'maxErrorRatePct':1,'minRequests':10}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        assertThat(started.json().get("driver").asText()).isEqualTo("node1");
        assertThat(started.json().get("counting").asText()).contains("every live node");
        await(() -> one.get("/backends/web/rollout").json().get("step").asInt() == 2);
        JsonNode second = one.get("/backends/web/rollout").json();
        assertThat(second.get("decisions").get(1).get("measured").get("2.0").get("requests").asLong())
                .as("node 2's requests counted by node 1").isGreaterThanOrEqualTo(10);
        await(() -> two.api.get("/backends/web/rollout").json().get("step").asInt() == 2);

        daemon.destroyForcibly(); // SIGKILL: its session is left to expire
        daemon.waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        await(() -> "node2".equals(two.api.get("/backends/web/rollout").json().path("driver").asText()));
        double takeover = (System.nanoTime() - killed) / 1e9;
        System.out.printf("fleet rollout takeover after the driver was killed: %.1f s%n", takeover);
        assertThat(takeover).as("within twice the session's 15 s TTL, plus a lock check").isLessThan(35);

        await(() -> two.api.get("/backends/web/rollout").json().get("state").asText().equals("done"));
        JsonNode done = two.api.get("/backends/web/rollout").json();
        assertThat(done.get("decisions").toString()).contains("node2 drives it now");
        assertThat(two.api.get("/backends/web").json().get("version").asText()).isEqualTo("2.0");
        assertThat(two.api.get("/backends/web").json().has("versions")).isFalse();
    }
}
