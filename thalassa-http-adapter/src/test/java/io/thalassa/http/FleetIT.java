package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.consul.ConsulAgent;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.http.Http.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Fleet mode against a real Consul agent and real HAProxys: every node is a daemon (its own HAProxy, its own
 * {@code --bindAddress} on loopback: 127.0.0.1, .2, .3, so the shared binds do not collide) sharing one configuration
 * in Consul's KV store. Traffic goes through each node's HAProxy.
 */
class FleetIT {
    static ConsulAgent consul;
    static Path consulDir;
    static int prefixes;

    @TempDir
    Path dir;
    String prefix;
    final List<Node> nodes = new ArrayList<>();
    final List<NamedHttpServer> servers = new ArrayList<>();

    @BeforeAll
    static void startConsul() throws Exception {
        consulDir = Files.createTempDirectory("fleet-consul");
        consul = ConsulAgent.start(consulDir);
    }

    @AfterAll
    static void stopConsul() {
        if (consul != null) {
            consul.close();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        consul.thaw();
        for (Node n : nodes) {
            n.stop(true);
        }
        servers.forEach(NamedHttpServer::close);
    }

    /** One daemon of the fleet: in-process, on 127.0.0.1 with free ports, its HAProxy listening on its own address. */
    final class Node {
        final int n;
        final Path home;
        final int statsPort = TestStack.freePort();
        io.thalassa.runtime.Thalassa fleet;
        ThalassaHttp server;
        Http api;
        Http registrations;

        Node(int n) {
            this.n = n;
            this.home = dir.resolve("node" + n);
        }

        String address() {
            return "127.0.0." + n;
        }

        DaemonOptions options() {
            return TestStack.options(home, "--store", "consul", "--serviceReg", "127.0.0.1", "--serviceRegPort",
                    Integer.toString(consul.httpPort()), "--storePrefix", prefix, "--label", "node" + n,
                    "--bindAddress", address(), "--haproxyCfgPath", home.resolve("haproxy.cfg").toString(),
                    "--haproxySocketPath", home.resolve("stats.sock").toString(), "--haproxyPidPath",
                    home.resolve("haproxy.pid").toString(), "--haproxyBinary", NamedHttpServer.haproxyBinary(),
                    "--statsPort", Integer.toString(statsPort), "--reloadWindow", "100ms");
        }

        /** Starts (or restarts: HAProxy is adopted) this node; returns once it serves. */
        Node start() throws IOException {
            Files.createDirectories(home);
            DaemonOptions o = options();
            fleet = o.thalassa().start();
            try {
                server = ThalassaHttp.serve(fleet, o.http());
            } catch (IOException | RuntimeException e) {
                fleet.abort();
                throw e;
            }
            api = new Http("http://127.0.0.1:" + server.port());
            registrations = new Http("http://127.0.0.1:" + server.registrationPort());
            return this;
        }

        /** Stops the daemon; with {@code haproxy}, its HAProxy too (by its pid). */
        void stop(boolean haproxy) {
            if (server != null) {
                server.close();
                server = null;
            }
            if (fleet != null) {
                fleet.close();
                if (haproxy) {
                    fleet.controller().stopHaproxy();
                }
                fleet = null;
            }
        }

        /** What this node's HAProxy answers on {@code port} at its own address. */
        String answer(int port) {
            return NamedHttpServer.answerOf(address(), port);
        }
    }

    private List<Node> startNodes(int count) throws IOException {
        prefix = "thalassa/t" + (prefixes++) + "/";
        for (int i = 1; i <= count; i++) {
            nodes.add(new Node(i).start());
        }
        return nodes;
    }

    private NamedHttpServer server(String name) throws IOException {
        NamedHttpServer s = new NamedHttpServer(name);
        servers.add(s);
        return s;
    }

    /** Backend live on {@code s} and frontend web on {@code port}, written to {@code writer}, served by {@code other}. */
    private static void serve(Node writer, Node other, NamedHttpServer s, int port) {
        assertThat(writer.api.put("/backends/live?wait=10s", staticBackend(s)).status()).isEqualTo(200);
        assertThat(writer.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'live'}")
                .status()).isEqualTo(200);
        TestStack.await(() -> other.answer(port).equals("200 " + s.name()));
    }

    private static String staticBackend(NamedHttpServer s) {
        return "{'type':'static','members':[{'host':'127.0.0.1','port':" + s.port() + "}]}";
    }

    @Test
    void aWriteToOneNodeIsServedByEveryNodeAndAVersionSwitchReloadsNone() throws Exception {
        List<Node> fleet = startNodes(3);
        NamedHttpServer blue = server("blue");
        NamedHttpServer green = server("green");
        int port = TestStack.freePort();
        Node a = fleet.get(0);
        Node b = fleet.get(1);
        Node c = fleet.get(2);

        // registrations through any node's port 9000 are members on every node (the registry is Consul)
        String service = "app" + prefixes;
        assertThat(a.registrations.post("/registrations/" + service + "/1.0/127.0.0.1/" + blue.port(), "{}")
                .status()).isEqualTo(200);
        assertThat(b.registrations.post("/registrations/" + service + "/2.0/127.0.0.1/" + green.port(), "{}")
                .status()).isEqualTo(200);
        Reply put = a.api.put("/backends/live?wait=10s", "{'type':'dynamic','name':'" + service
                + "','version':'1.0'}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        Reply fe = b.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
        assertThat(fe.status()).as(fe.toString()).isEqualTo(200);
        for (Node n : fleet) {
            TestStack.await(() -> n.answer(port).equals("200 blue"));
        }
        // one JSON document per item in the REST shape, readable with `consul kv get`
        JsonNode stored = Http.JSON.readTree(kvGet(prefix + "config/backend/live"));
        assertThat(stored.get("name").asText()).isEqualTo(service);
        assertThat(stored.get("version").asText()).isEqualTo("1.0");
        assertThat(stored.get("members")).isEmpty(); // the registry fills them on every node
        assertThat(Http.JSON.readTree(kvGet(prefix + "config/frontend/web")).get("bind").asText())
                .isEqualTo("127.0.0.1:" + port);
        // every node shows the same configuration (the bind as written, not as this node listens)
        for (Node n : fleet) {
            assertThat(n.api.get("/frontends/web").header("ETag")).isEqualTo(a.api.get("/frontends/web")
                    .header("ETag"));
        }

        long[] reloads = fleet.stream().mapToLong(n -> n.fleet.controller().reloadCount()).toArray();
        Reply sw = c.api.post("/backends/live?wait=10s", "{'version':'2.0'}");
        assertThat(sw.status()).as(sw.toString()).isEqualTo(200);
        // ?wait waits for every live node: once answered, every HAProxy serves the new version
        assertThat(sw.json().at("/fleet/converged").asBoolean()).as(sw.toString()).isTrue();
        assertThat(sw.json().at("/fleet/nodes")).hasSize(3);
        for (Node n : fleet) {
            assertThat(n.answer(port)).as("node%d", n.n).isEqualTo("200 green");
        }
        for (int i = 0; i < fleet.size(); i++) {
            assertThat(fleet.get(i).fleet.controller().reloadCount()).as("reloads of node%d", i + 1)
                    .isEqualTo(reloads[i]);
        }

        // GET /fleet on any node: every node, each running the newest revision
        TestStack.await(() -> b.api.get("/fleet").json().path("converged").asBoolean());
        JsonNode view = b.api.get("/fleet").json();
        assertThat(view.get("nodes")).hasSize(3);
        assertThat(view.get("self").asText()).isEqualTo("node2");
        for (JsonNode n : view.get("nodes")) {
            assertThat(n.get("revision").asLong()).isEqualTo(view.get("revision").asLong());
            assertThat(n.get("current").asBoolean()).isTrue();
        }
        JsonNode status = a.api.get("/status").json();
        assertThat(status.at("/fleet/node").asText()).isEqualTo("node1");
        assertThat(status.at("/fleet/stale").asBoolean()).isFalse();
        assertThat(status.at("/fleet/revision").asLong()).isEqualTo(view.get("revision").asLong());
        assertThat(status.at("/fleet/converged").asBoolean()).isTrue();
        assertThat(status.at("/fleet/nodes/node3").asText()).isEqualTo("current");

        // the web UI's status page shows the fleet
        try (Browser browser = Browser.start(dir.resolve("browser"))) {
            browser.open("http://127.0.0.1:" + a.server.port() + "/#/status");
            browser.await(10, "three nodes in the fleet table", d -> browser.all("#fleet-table tbody tr").size() == 3
                    && browser.find("#fleet-summary").getText().contains("converged."));
            assertThat(browser.find("#fleet-table").getText()).contains("node1 (this node)", "node2", "node3",
                    "UP current");
            browser.screenshot("fleet");
            assertThat(browser.consoleErrors()).isEmpty();
        }

        // a node that stops disappears from the fleet (its session is destroyed)
        c.stop(true);
        nodes.remove(c);
        TestStack.await(() -> a.api.get("/fleet").json().get("nodes").size() == 2);
    }

    @Test
    void twoWritersWithTheSameEtagOnTwoNodesGetOne200AndOne412() throws Exception {
        List<Node> fleet = startNodes(2);
        NamedHttpServer s1 = server("s1");
        NamedHttpServer s2 = server("s2");
        assertThat(fleet.get(0).api.put("/backends/b?wait=10s", staticBackend(s1)).status()).isEqualTo(200);
        TestStack.await(() -> fleet.get(1).api.get("/backends/b").status() == 200);
        String etag = fleet.get(1).api.get("/backends/b").header("ETag");
        assertThat(fleet.get(0).api.get("/backends/b").header("ETag")).isEqualTo(etag);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Node n = fleet.get(i);
                NamedHttpServer s = i == 0 ? s2 : s1;
                String body = "{'type':'static','members':[{'host':'127.0.0.1','port':" + s.port()
                        + "},{'host':'127.0.0.1','port':" + (i == 0 ? 1 : 2) + "}]}";
                replies.add(pool.submit(() -> {
                    go.await();
                    return n.api.put("/backends/b", body, "If-Match", etag);
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Reply> r : replies) {
                statuses.add(r.get(30, TimeUnit.SECONDS).status());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 412);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * 4 clients, 500 conflicting updates with If-Match spread over both nodes: every acknowledged write of a key
     * was made on the state the one before it left, so they form one chain, and the final state is its end.
     */
    @Test
    void concurrentWritersWithIfMatchLoseNoUpdate() throws Exception {
        List<Node> fleet = startNodes(2);
        int keys = 2;
        for (int k = 0; k < keys; k++) {
            Reply r = fleet.get(0).api.put("/backends/k" + k + "?wait=10s", "{'type':'static','members':"
                    + "[{'host':'127.0.0.1','port':1}]}");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
        }
        // acknowledged writes: key -> (port written on -> port written)
        Map<String, Map<Integer, Integer>> chains = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger(2);
        AtomicInteger acks = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger attempts = new AtomicInteger();
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(17 + client);
                    while (attempts.incrementAndGet() <= 500 && System.nanoTime() < deadline) {
                        String key = "k" + random.nextInt(keys);
                        Node n = fleet.get(random.nextInt(fleet.size()));
                        Reply got = n.api.get("/backends/" + key);
                        int before = got.json().at("/members/0/port").asInt();
                        int port = next.getAndIncrement();
                        Reply put = n.api.put("/backends/" + key, "{'type':'static','members':[{'host':"
                                + "'127.0.0.1','port':" + port + "}]}", "If-Match", got.header("ETag"));
                        if (put.status() == 200) {
                            acks.incrementAndGet();
                            chains.computeIfAbsent(key, x -> new ConcurrentHashMap<>()).put(before, port);
                        } else if (put.status() == 412) {
                            refused.incrementAndGet();
                        } else {
                            unexpected.add(put.toString());
                        }
                    }
                }));
            }
            for (Future<?> f : clients) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(unexpected).isEmpty();
        assertThat(acks.get() + refused.get()).isEqualTo(500);
        assertThat(refused.get()).as("conflicts happened").isPositive();
        int chained = 0;
        for (int k = 0; k < keys; k++) {
            String key = "k" + k;
            Map<Integer, Integer> chain = chains.getOrDefault(key, Map.of());
            int at = 1;
            int steps = 0;
            while (chain.containsKey(at)) {
                at = chain.get(at);
                steps++;
            }
            assertThat(steps).as("every acknowledged write of %s is in one chain", key).isEqualTo(chain.size());
            chained += steps;
            int end = at;
            for (Node n : fleet) {
                TestStack.await(() -> n.api.get("/backends/" + key).json().at("/members/0/port").asInt() == end);
            }
            assertThat(Http.JSON.readTree(kvGet(prefix + "config/backend/" + key)).at("/members/0/port").asInt())
                    .isEqualTo(end);
        }
        assertThat(chained).isEqualTo(acks.get());
        System.out.println("fleet concurrent writers: acknowledged=" + acks + " refused_412=" + refused);
    }

    @Test
    void whileConsulIsFrozenWritesAnswer503AndNodesKeepServingThenConverge() throws Exception {
        List<Node> fleet = startNodes(2);
        NamedHttpServer s1 = server("one");
        NamedHttpServer s2 = server("two");
        int port = TestStack.freePort();
        Node a = fleet.get(0);
        Node b = fleet.get(1);
        serve(a, b, s1, port);

        consul.freeze();
        long t0 = System.nanoTime();
        Reply refused = b.api.put("/backends/live", staticBackend(s2));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.json().get("error").asText()).isEqualTo("store_unavailable");
        assertThat(refused.json().get("reason").asText()).contains("consul kv");
        assertThat(ms).as("bounded by the store's request timeout").isLessThan(15_000);
        assertThat(a.answer(port)).isEqualTo("200 one");
        assertThat(b.answer(port)).isEqualTo("200 one");
        assertThat(a.api.get("/backends/live").status()).as("reads answer from what the node runs").isEqualTo(200);

        consul.thaw();
        Reply put = b.api.put("/backends/live?wait=10s", staticBackend(s2));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        for (Node n : fleet) {
            TestStack.await(() -> n.answer(port).equals("200 two"));
        }
        TestStack.await(() -> a.api.get("/fleet").json().path("converged").asBoolean());
    }

    @Test
    void aNodeThatWasDownConvergesBeforeItServesAndStartsFromItsCacheWhenConsulIsDown() throws Exception {
        List<Node> fleet = startNodes(2);
        NamedHttpServer s1 = server("one");
        NamedHttpServer s2 = server("two");
        int port = TestStack.freePort();
        int port2 = TestStack.freePort();
        Node a = fleet.get(0);
        Node b = fleet.get(1);
        serve(a, b, s1, port);

        b.stop(false); // the daemon stops, its HAProxy keeps serving what it had
        assertThat(a.api.put("/backends/live?wait=10s", staticBackend(s2)).status()).isEqualTo(200);
        assertThat(a.api.put("/frontends/api?wait=10s", "{'bind':'127.0.0.1:" + port2 + "','backend':'live'}")
                .status()).isEqualTo(200);
        assertThat(b.answer(port)).as("b missed the changes").isEqualTo("200 one");

        b.start(); // returns once it serves: by then its HAProxy runs the newest revision
        assertThat(b.answer(port)).isEqualTo("200 two");
        assertThat(b.answer(port2)).isEqualTo("200 two");
        assertThat(b.api.get("/status").json().at("/fleet/stale").asBoolean()).isFalse();

        // down again; Consul down too: it starts from its cache, marked stale, and serves
        b.stop(false);
        consul.freeze();
        b.start();
        JsonNode status = b.api.get("/status").json();
        assertThat(status.at("/fleet/stale").asBoolean()).isTrue();
        assertThat(b.answer(port2)).isEqualTo("200 two");
        consul.thaw();
        TestStack.await(() -> !b.api.get("/status").json().at("/fleet/stale").asBoolean());
        assertThat(b.api.put("/backends/live?wait=10s", staticBackend(s1)).status()).isEqualTo(200);
        for (Node n : fleet) {
            TestStack.await(() -> n.answer(port).equals("200 one"));
        }
    }

    @Test
    void aRevisionOneNodeCannotApplyIsReportedThereAndTheOthersRunIt() throws Exception {
        List<Node> fleet = startNodes(2);
        NamedHttpServer s1 = server("one");
        int port = TestStack.freePort();
        Node a = fleet.get(0);
        Node b = fleet.get(1);
        assertThat(a.api.put("/backends/live?wait=10s", staticBackend(s1)).status()).isEqualTo(200);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName(b.address()), port)); // only on b's address
            Reply put = a.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'live'}");
            // stored and run by a; not by every node: 202, and the answer says which node failed and why
            assertThat(put.status()).as(put.toString()).isEqualTo(202);
            assertThat(put.json().at("/change/state").asText()).isEqualTo("applied");
            assertThat(put.json().at("/fleet/converged").asBoolean()).isFalse();
            assertThat(node(put.json().get("fleet"), "node2").at("/failure/message").asText())
                    .contains("127.0.0.2:" + port);
            assertThat(a.answer(port)).isEqualTo("200 one");
            TestStack.await(() -> {
                JsonNode view = a.api.get("/fleet").json();
                JsonNode nodeB = node(view, "node2");
                return nodeB != null && !nodeB.path("failure").isNull() && !nodeB.path("failure").isMissingNode()
                        && node(view, "node1").path("current").asBoolean();
            });
            JsonNode view = a.api.get("/fleet").json();
            assertThat(view.get("converged").asBoolean()).isFalse();
            assertThat(node(view, "node2").at("/failure/message").asText()).contains("127.0.0.2:" + port);
            assertThat(node(view, "node2").get("current").asBoolean()).isFalse();
            assertThat(node(view, "node1").get("current").asBoolean()).isTrue();
            assertThat(b.api.get("/status").json().at("/fleet/failure/revision").asLong()).isPositive();

            // b restarts while the address is still taken: it starts with the last revision it ran (its cache)
            long failed = b.api.get("/status").json().at("/fleet/failure/revision").asLong();
            b.stop(false);
            b.start();
            JsonNode status = b.api.get("/status").json();
            assertThat(status.at("/fleet/failure/revision").asLong()).isEqualTo(failed);
            assertThat(status.at("/fleet/revision").asLong()).isLessThan(failed);
            assertThat(b.api.get("/frontends").json()).isEmpty(); // what it runs: the revision before the frontend
        }
        // the address is free again: the next revision reaches b too
        assertThat(a.api.put("/backends/other?wait=10s", staticBackend(s1)).status()).isEqualTo(200);
        TestStack.await(() -> b.answer(port).equals("200 one"));
        TestStack.await(() -> a.api.get("/fleet").json().path("converged").asBoolean());
    }

    /**
     * Items written to Consul by hand (`consul kv put`): one that is not a document, and a frontend on an address
     * another one took first (what two nodes accepting one each at the same moment would leave). Every node leaves
     * both out, says so, keeps serving the rest, and takes writes.
     */
    @Test
    void itemsThatCannotRunAreLeftOutAndNamedWhileTheRestRuns() throws Exception {
        List<Node> fleet = startNodes(2);
        NamedHttpServer s1 = server("one");
        int port = TestStack.freePort();
        Node a = fleet.get(0);
        assertThat(a.api.put("/backends/live?wait=10s", staticBackend(s1)).status()).isEqualTo(200);
        assertThat(a.api.put("/frontends/web?wait=10s", "{'bind':'127.0.0.1:" + port + "','backend':'live'}")
                .status()).isEqualTo(200);
        assertThat(consul.put("/v1/kv/" + prefix + "config/backend/broken", "{not json")).isEqualTo(200);
        assertThat(consul.put("/v1/kv/" + prefix + "config/frontend/dup", Http.q("{'key':'dup','bind':'127.0.0.1:"
                + port + "','backend':'live'}"))).isEqualTo(200);
        for (Node n : fleet) {
            TestStack.await(() -> n.api.get("/status").json().at("/fleet/skipped").size() == 2);
            JsonNode skipped = n.api.get("/status").json().at("/fleet/skipped");
            assertThat(skipped.get("backend/broken").asText()).contains("cannot be read");
            assertThat(skipped.get("frontend/dup").asText()).contains("overlaps");
            assertThat(n.answer(port)).isEqualTo("200 one");
            assertThat(n.api.get("/frontends/dup").status()).isEqualTo(404);
        }
        Reply put = fleet.get(1).api.put("/backends/other?wait=10s", staticBackend(s1));
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        // the later frontend is fixed by writing it again, on an address of its own
        int port2 = TestStack.freePort();
        Reply fixed = a.api.put("/frontends/dup?wait=10s", "{'bind':'127.0.0.1:" + port2 + "','backend':'other'}");
        assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
        for (Node n : fleet) {
            TestStack.await(() -> n.answer(port2).equals("200 one"));
            assertThat(n.api.get("/status").json().at("/fleet/skipped").size()).isEqualTo(1);
        }
    }

    private static JsonNode node(JsonNode fleet, String name) {
        for (JsonNode n : fleet.path("nodes")) {
            if (n.path("node").asText().equals(name)) {
                return n;
            }
        }
        return null;
    }

    /** The raw value of a KV key, as {@code consul kv get} shows it. */
    private static String kvGet(String key) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + consul.httpPort() + "/v1/kv/" + key)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(key).isEqualTo(200);
        return new String(Base64.getDecoder().decode(Http.JSON.readTree(r.body()).get(0).get("Value").asText()),
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
