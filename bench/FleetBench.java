import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Fleet benchmark (issue 14), run by bench/fleet.sh: one Consul dev agent and three daemons ({@code thalassa.jar},
 * each its own JVM and its own HAProxy, with {@code --store consul} and {@code --bindAddress 127.0.0.N}) share one
 * configuration: a dynamic backend {@code live} on service {@code fleetapp} (two instances of 1.0.0 and two of 2.0.0,
 * HTTP servers in this JVM that answer their version, registered through the nodes' registration ports) and a frontend
 * {@code web} on 127.0.0.1:P whose native {@code http-response set-header X-Change <n>} names the last structural
 * change. Then {@code changes} changes, one after the other, each written to a node picked at random (seeded): half
 * version switches ({@code POST /backends/live {"version": ...}}, alternating), half structural ({@code PUT
 * /frontends/web} with the next X-Change; a reload, in the reload window, left at its 2 s default). Each change is
 * timed from the write's 200 until all three HAProxys serve it, seen through traffic: a new connection to
 * 127.0.0.N:P every 5 ms per node that has not served it yet, answered with the expected version in the body and the
 * expected X-Change header; bounded by 15 s a change. At the end (after the fleet settles, bounded) every node's
 * {@code GET /backends/live} and {@code GET /frontends/web} and Consul's KV documents are compared with the last
 * acknowledged write of each (lost updates: the (place, item) pairs that differ), and a node counts as diverged when
 * any node's {@code GET /fleet} does not list it as current, or it serves or shows something else than the last
 * writes. Everything listens on loopback (127.0.0.1..3); every loop is bounded in count and time; every process
 * started here is stopped by its pid (daemons by SIGTERM, then the HAProxy master each leaves running, named by its
 * pid file, then Consul), also on failure and on SIGTERM (a shutdown hook); bench/fleet.sh does the same from the pid
 * files when this program dies.
 *
 * <pre>
 *   FleetBench &lt;thalassa.jar&gt; &lt;workdir&gt; &lt;changes&gt; &lt;seed&gt; [daemon JVM flags...]
 * </pre>
 *
 * Last line: {@code nodes=3 changes=<n> switch_p99_ms=<a> structural_p99_ms=<b> lost_updates=<l> diverged_nodes=<d>}.
 */
public class FleetBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final String CONSUL = System.getenv().getOrDefault("THALASSA_CONSUL_BINARY", ".tools/consul/consul");
    static final ObjectMapper JSON = new ObjectMapper();
    static final int NODES = 3;
    static final String SERVICE = "fleetapp";
    static final String[] VERSIONS = {"1.0.0", "2.0.0"};
    static final String PREFIX = "thalassa/fleetbench/";
    static final long POLL_MS = 5;
    static final long CHANGE_TIMEOUT_MS = 15_000;
    static final long SETTLE_TIMEOUT_MS = 20_000;
    static final long RUN_TIMEOUT_MS = 600_000;

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final List<Node> NODE_LIST = new ArrayList<>();
    static final List<HttpServer> INSTANCES = new ArrayList<>();
    static Process consul;
    static Path dir;
    static int consulPort;
    static boolean stopped;

    /** One daemon of the fleet: its JVM, its files under {@code node<n>/}, its loopback address. */
    static final class Node {
        final int n;
        final Path home;
        final int port;
        final int registrationPort;
        final int statsPort;
        Process process;

        Node(int n) throws IOException {
            this.n = n;
            this.home = dir.resolve("node" + n);
            this.port = freePort();
            this.registrationPort = freePort();
            this.statsPort = freePort();
        }

        String label() {
            return "node" + n;
        }

        String address() {
            return "127.0.0." + n;
        }

        String api() {
            return "http://127.0.0.1:" + port;
        }
    }

    /** What every node must serve after a change: the version in the body, the change number in X-Change. */
    record Expected(String version, int change) {
    }

    record Sample(int index, boolean structural, int writer, double writeMs, double[] seenMs, boolean timedOut) {
        double allMs() {
            double max = 0;
            for (double s : seenMs) {
                max = Math.max(max, s);
            }
            return max;
        }
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        dir = Path.of(args[1]).toAbsolutePath();
        int changes = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        List<String> jvmFlags = List.of(args).subList(4, args.length);
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(FleetBench::stopAll, "fleetbench-stop"));
        int code = 0;
        try {
            run(jar, jvmFlags, changes, seed);
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        } finally {
            stopAll();
        }
        System.exit(code);
    }

    static void run(Path jar, List<String> jvmFlags, int changes, long seed) throws Exception {
        long runStart = System.nanoTime();
        startConsul();
        log("consul: pid " + consul.pid() + ", http 127.0.0.1:" + consulPort);

        // instances: two of each version, answering their version
        List<int[]> ports = new ArrayList<>(); // {version index, port}
        for (int v = 0; v < VERSIONS.length; v++) {
            for (int i = 0; i < 2; i++) {
                HttpServer s = instance(VERSIONS[v]);
                INSTANCES.add(s);
                ports.add(new int[] {v, s.getAddress().getPort()});
            }
        }

        for (int n = 1; n <= NODES; n++) {
            NODE_LIST.add(new Node(n));
        }
        long t0 = System.nanoTime();
        for (Node node : NODE_LIST) {
            startDaemon(jar, jvmFlags, node);
        }
        for (Node node : NODE_LIST) {
            waitForApi(node);
        }
        log(String.format(Locale.ROOT, "daemons up in %d ms: %s", ms(t0), NODE_LIST.stream()
                .map(n -> n.label() + " pid " + n.process.pid() + " api " + n.api() + " listens on " + n.address())
                .toList()));

        // registrations through the nodes' registration ports (the registry is Consul), refreshed every 10 s
        List<String> registrations = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            Node via = NODE_LIST.get(i % NODES);
            registrations.add("http://127.0.0.1:" + via.registrationPort + "/registrations/" + SERVICE + "/"
                    + VERSIONS[ports.get(i)[0]] + "/127.0.0.1/" + ports.get(i)[1]);
        }
        for (String r : registrations) {
            expect200(send("POST", r, "{\"secondsToExpire\": 60}"), "POST " + r);
        }
        ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetbench-refresh");
            t.setDaemon(true);
            return t;
        });
        refresh.scheduleWithFixedDelay(() -> {
            for (String r : registrations) {
                try {
                    send("POST", r, "{\"secondsToExpire\": 60}");
                } catch (Exception e) {
                    log("refresh of " + r + " failed: " + e);
                }
            }
        }, 10, 10, TimeUnit.SECONDS);

        int port = freePort();
        Expected state = new Expected(VERSIONS[0], 0);
        Node first = NODE_LIST.get(0);
        // a switched-to version serves once HAProxy's first check of its members passed (health-gated joins): checked
        // every 20 ms, no slowstart ramp
        expect200(send("PUT", first.api() + "/backends/live?wait=30s", "{\"type\":\"dynamic\",\"name\":\"" + SERVICE
                + "\",\"version\":\"" + state.version() + "\",\"slowstart\":0,\"health\":{\"interval\":20}}"),
                "PUT /backends/live");
        expect200(send("PUT", first.api() + "/frontends/web?wait=30s", frontendJson(port, 0)), "PUT /frontends/web");
        double[] setup = awaitServed(port, state, System.nanoTime(), 30_000);
        if (setup == null) {
            throw new IllegalStateException("the setup is not served by every node within 30 s: " + answers(port));
        }
        log("setup served by every node: " + answers(port));

        // the changes: half switches, half structural, in a seeded order, each to a seeded random node
        Random random = new Random(seed);
        List<Boolean> kinds = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            kinds.add(i % 2 == 1);
        }
        Collections.shuffle(kinds, random);
        List<Sample> samples = new ArrayList<>();
        int[] writesPerNode = new int[NODES];
        int lastChange = 0;
        for (int i = 0; i < changes && ms(runStart) < RUN_TIMEOUT_MS; i++) {
            boolean structural = kinds.get(i);
            int writer = random.nextInt(NODES);
            writesPerNode[writer]++;
            Node w = NODE_LIST.get(writer);
            Expected next;
            HttpResponse<String> r;
            long sent = System.nanoTime();
            if (structural) {
                next = new Expected(state.version(), ++lastChange);
                r = send("PUT", w.api() + "/frontends/web", frontendJson(port, next.change()));
                expect200(r, "change " + i + ": PUT /frontends/web on " + w.label());
            } else {
                next = new Expected(state.version().equals(VERSIONS[0]) ? VERSIONS[1] : VERSIONS[0], state.change());
                r = send("POST", w.api() + "/backends/live", "{\"version\":\"" + next.version() + "\"}");
                expect200(r, "change " + i + ": POST /backends/live on " + w.label());
            }
            long acked = System.nanoTime();
            state = next;
            double[] seen = awaitServed(port, state, acked, CHANGE_TIMEOUT_MS);
            boolean timedOut = seen == null;
            if (timedOut) {
                seen = new double[] {CHANGE_TIMEOUT_MS, CHANGE_TIMEOUT_MS, CHANGE_TIMEOUT_MS};
                log("change " + i + " not served by every node within " + CHANGE_TIMEOUT_MS + " ms: " + answers(port));
            }
            Sample s = new Sample(i, structural, writer + 1, (acked - sent) / 1e6, seen, timedOut);
            samples.add(s);
            log(String.format(Locale.ROOT, "change %3d %-10s via node%d: write_ms=%.1f served_ms node1=%.1f "
                            + "node2=%.1f node3=%.1f all=%.1f%s", i, structural ? "structural" : "switch", writer + 1,
                    s.writeMs(), seen[0], seen[1], seen[2], s.allMs(), timedOut ? " TIMEOUT" : ""));
        }
        refresh.shutdownNow();

        // the end: settle, then lost updates and diverged nodes
        long settleStart = System.nanoTime();
        boolean converged = awaitConverged();
        log(String.format(Locale.ROOT, "fleet %s after %d ms", converged ? "converged" : "NOT converged",
                ms(settleStart)));
        int lost = 0;
        TreeSet<String> diverged = new TreeSet<>();
        JsonNode kvBackend = JSON.readTree(kv("config/backend/live"));
        JsonNode kvFrontend = JSON.readTree(kv("config/frontend/web"));
        if (!state.version().equals(kvBackend.path("version").asText())) {
            lost++;
            log("consul kv backend/live: version " + kvBackend.path("version") + ", last write " + state.version());
        }
        if (!nativesOf(state.change()).equals(kvFrontend.path("natives").toString())) {
            lost++;
            log("consul kv frontend/web: natives " + kvFrontend.path("natives") + ", last write X-Change "
                    + state.change());
        }
        for (Node n : NODE_LIST) {
            JsonNode backend = JSON.readTree(expect200(send("GET", n.api() + "/backends/live", null), "GET").body());
            JsonNode frontend = JSON.readTree(expect200(send("GET", n.api() + "/frontends/web", null), "GET").body());
            if (!state.version().equals(backend.path("version").asText())) {
                lost++;
                diverged.add(n.label());
                log(n.label() + " GET /backends/live: version " + backend.path("version") + ", last write "
                        + state.version());
            }
            if (!nativesOf(state.change()).equals(frontend.path("natives").toString())) {
                lost++;
                diverged.add(n.label());
                log(n.label() + " GET /frontends/web: natives " + frontend.path("natives") + ", last write X-Change "
                        + state.change());
            }
            String answer = answer(n.address(), port);
            if (!answer.equals(expectedAnswer(state))) {
                diverged.add(n.label());
                log(n.label() + " serves " + answer + ", expected " + expectedAnswer(state));
            }
            JsonNode fleet = JSON.readTree(expect200(send("GET", n.api() + "/fleet", null), "GET /fleet").body());
            TreeSet<String> listed = new TreeSet<>();
            for (JsonNode m : fleet.path("nodes")) {
                listed.add(m.path("node").asText());
                if (!m.path("current").asBoolean()) {
                    diverged.add(m.path("node").asText());
                    log(n.label() + "'s GET /fleet: " + m);
                }
            }
            for (Node other : NODE_LIST) {
                if (!listed.contains(other.label())) {
                    diverged.add(other.label());
                    log(n.label() + "'s GET /fleet does not list " + other.label() + ": " + fleet);
                }
            }
            log(n.label() + " at the end: " + statusLine(n) + "; GET /fleet revision " + fleet.path("revision")
                    + " converged " + fleet.path("converged"));
        }

        // figures
        long[] sw = samples.stream().filter(s -> !s.structural()).mapToLong(s -> nanos(s.allMs())).sorted().toArray();
        long[] st = samples.stream().filter(Sample::structural).mapToLong(s -> nanos(s.allMs())).sorted().toArray();
        long[] swWrite = samples.stream().filter(s -> !s.structural()).mapToLong(s -> nanos(s.writeMs())).sorted()
                .toArray();
        long[] stWrite = samples.stream().filter(Sample::structural).mapToLong(s -> nanos(s.writeMs())).sorted()
                .toArray();
        long timeouts = samples.stream().filter(Sample::timedOut).count();
        log(String.format(Locale.ROOT, "writes per node: node1=%d node2=%d node3=%d; run %d s", writesPerNode[0],
                writesPerNode[1], writesPerNode[2], ms(runStart) / 1000));
        for (int k = 0; k < 2; k++) {
            boolean structural = k == 1;
            StringBuilder b = new StringBuilder(structural ? "structural" : "switch").append(" served_ms per node");
            for (int n = 0; n < NODES; n++) {
                int node = n;
                long[] per = samples.stream().filter(s -> s.structural() == structural)
                        .mapToLong(s -> nanos(s.seenMs()[node])).sorted().toArray();
                b.append(String.format(Locale.ROOT, " node%d p50=%.1f p99=%.1f max=%.1f", n + 1, percentile(per, 50),
                        percentile(per, 99), percentile(per, 100)));
            }
            log(b.toString());
        }
        System.out.printf(Locale.ROOT, "switches=%d structural=%d timeouts=%d switch_write_p50_ms=%.1f "
                        + "structural_write_p50_ms=%.1f switch_max_ms=%.1f structural_max_ms=%.1f%n", sw.length,
                st.length, timeouts, percentile(swWrite, 50), percentile(stWrite, 50), percentile(sw, 100),
                percentile(st, 100));
        System.out.printf(Locale.ROOT, "switch_p50_ms=%.1f structural_p50_ms=%.1f%n", percentile(sw, 50),
                percentile(st, 50));
        System.out.printf(Locale.ROOT, "nodes=%d changes=%d switch_p99_ms=%.1f structural_p99_ms=%.1f lost_updates=%d "
                        + "diverged_nodes=%d%n", NODES, samples.size(), percentile(sw, 99), percentile(st, 99), lost,
                diverged.size());
    }

    // ------------------------------------------------------------------ traffic

    static String frontendJson(int port, int change) {
        return "{\"bind\":\"127.0.0.1:" + port + "\",\"backend\":\"live\",\"mode\":\"http\",\"natives\":"
                + nativesOf(change) + "}";
    }

    static String nativesOf(int change) {
        return "[\"http-response set-header X-Change " + change + "\"]";
    }

    static String expectedAnswer(Expected e) {
        return "200 " + e.version() + " x-change=" + e.change();
    }

    /**
     * Polls every node that has not served {@code e} yet, each on a new connection, every {@value #POLL_MS} ms; the
     * ms from {@code since} at which each node first served it, or null after {@code timeoutMs}.
     */
    static double[] awaitServed(int port, Expected e, long since, long timeoutMs) throws InterruptedException {
        double[] seen = new double[NODES];
        boolean[] done = new boolean[NODES];
        int left = NODES;
        String want = expectedAnswer(e);
        long deadline = since + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (long polls = 0; polls < timeoutMs / POLL_MS * 2 + 10 && System.nanoTime() < deadline; polls++) {
            long round = System.nanoTime();
            for (int n = 0; n < NODES; n++) {
                if (!done[n] && answer(NODE_LIST.get(n).address(), port).equals(want)) {
                    done[n] = true;
                    seen[n] = (System.nanoTime() - since) / 1e6;
                    left--;
                }
            }
            if (left == 0) {
                return seen;
            }
            long sleep = POLL_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - round);
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
        return null;
    }

    /**
     * GET / on a new connection to {@code address:port} (HTTP/1.0: no kept-alive connection to a worker that an older
     * configuration runs): "status body x-change=<header>", or what went wrong.
     */
    static String answer(String address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: fleetbench\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (text.length() < 12 || end < 0) {
                return "no answer";
            }
            String change = "none";
            for (String line : text.substring(0, end).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("x-change")) {
                    change = line.substring(colon + 1).strip();
                }
            }
            return text.substring(9, 12) + " " + text.substring(end + 4) + " x-change=" + change;
        } catch (IOException e) {
            return e.toString();
        }
    }

    static String answers(int port) {
        List<String> out = new ArrayList<>();
        for (Node n : NODE_LIST) {
            out.add(n.label() + ": " + answer(n.address(), port));
        }
        return out.toString();
    }

    static HttpServer instance(String version) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] body = version.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server;
    }

    // ------------------------------------------------------------------ the fleet's state

    /** Waits until every node's GET /fleet lists 3 nodes, converged, then 1.5 s more (a publish period) and again. */
    static boolean awaitConverged() throws Exception {
        long t0 = System.nanoTime();
        int confirmations = 0;
        while (ms(t0) < SETTLE_TIMEOUT_MS) {
            boolean all = true;
            for (Node n : NODE_LIST) {
                HttpResponse<String> r = send("GET", n.api() + "/fleet", null);
                JsonNode f = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
                all &= f != null && f.path("converged").asBoolean() && f.path("nodes").size() == NODES;
            }
            if (all && ++confirmations == 2) {
                return true;
            }
            Thread.sleep(all ? 1500 : 100);
        }
        return false;
    }

    static String statusLine(Node n) throws Exception {
        JsonNode s = JSON.readTree(expect200(send("GET", n.api() + "/status", null), "GET /status").body());
        return "reloads " + s.at("/haproxy/reloads") + ", failed reloads " + s.at("/haproxy/failedReloads")
                + ", haproxy master " + s.at("/haproxy/masterPid") + ", fleet revision " + s.at("/fleet/revision")
                + ", failure " + s.at("/fleet/failure");
    }

    static String kv(String key) throws Exception {
        HttpResponse<String> r = send("GET", "http://127.0.0.1:" + consulPort + "/v1/kv/" + PREFIX + key + "?raw",
                null);
        return expect200(r, "consul kv get " + PREFIX + key).body();
    }

    // ------------------------------------------------------------------ processes

    static void startConsul() throws Exception {
        consulPort = freePort();
        Path log = dir.resolve("consul.log");
        List<String> cmd = List.of(Path.of(CONSUL).toAbsolutePath().toString(), "agent", "-dev", "-client",
                "127.0.0.1", "-bind", "127.0.0.1", "-advertise", "127.0.0.1", "-node", "fleetbench",
                "-http-port", Integer.toString(consulPort), "-dns-port", "-1", "-grpc-port", "-1",
                "-serf-lan-port", Integer.toString(freePort()), "-serf-wan-port", Integer.toString(freePort()),
                "-server-port", Integer.toString(freePort()), "-pid-file", dir.resolve("consul.pid").toString(),
                "-log-level", "warn");
        consul = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long t0 = System.nanoTime();
        while (ms(t0) < 30_000) {
            if (!consul.isAlive()) {
                throw new IllegalStateException("consul exited with " + consul.exitValue() + ": "
                        + Files.readString(log));
            }
            try {
                HttpResponse<String> r = send("GET", "http://127.0.0.1:" + consulPort + "/v1/status/leader", null);
                if (r.statusCode() == 200 && r.body().strip().length() > 2) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("consul had no leader within 30 s: " + Files.readString(log));
    }

    static void startDaemon(Path jar, List<String> jvmFlags, Node node) throws IOException {
        Files.createDirectories(node.home);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", jar.toString(), "--host", "127.0.0.1", "--port", Integer.toString(node.port),
                "--registrationPort", Integer.toString(node.registrationPort),
                "--statsPort", Integer.toString(node.statsPort), "--haproxyBinary", HAPROXY,
                "--haproxyCfgPath", node.home.resolve("haproxy.cfg").toString(),
                "--haproxySocketPath", node.home.resolve("stats.sock").toString(),
                "--haproxyPidPath", node.home.resolve("haproxy.pid").toString(),
                "--dbPath", node.home.resolve("db").toString(),
                "--store", "consul", "--serviceReg", "127.0.0.1", "--serviceRegPort", Integer.toString(consulPort),
                "--storePrefix", PREFIX, "--label", node.label(), "--bindAddress", node.address()));
        log(node.label() + ": " + String.join(" ", cmd));
        node.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(node.home.resolve("daemon.log").toFile()).start();
        Files.writeString(node.home.resolve("daemon.pid"), node.process.pid() + "\n");
    }

    static void waitForApi(Node node) throws Exception {
        long t0 = System.nanoTime();
        while (ms(t0) < 90_000) {
            if (!node.process.isAlive()) {
                throw new IllegalStateException(node.label() + " exited with " + node.process.exitValue() + ": "
                        + Files.readString(node.home.resolve("daemon.log")));
            }
            try {
                if (send("GET", node.api() + "/backends", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(node.label() + "'s API did not answer within 90 s");
    }

    /**
     * Stops what this program started, by pid, once: each daemon by SIGTERM (SIGKILL after 20 s), then the HAProxy
     * master its pid file names if it runs that node's config file, then Consul; the instances last.
     */
    static synchronized void stopAll() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (Node n : NODE_LIST) {
            if (n.process != null && n.process.isAlive()) {
                n.process.destroy();
            }
        }
        for (Node n : NODE_LIST) {
            try {
                if (n.process != null && !n.process.waitFor(20, TimeUnit.SECONDS)) {
                    log(n.label() + " did not stop on SIGTERM within 20 s; killing it");
                    n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
            }
            stopHaproxy(n);
        }
        if (consul != null && consul.isAlive()) {
            consul.destroy();
            try {
                if (!consul.waitFor(15, TimeUnit.SECONDS)) {
                    consul.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                consul.destroyForcibly();
            }
        }
        for (HttpServer s : INSTANCES) {
            s.stop(0);
        }
    }

    static void stopHaproxy(Node n) {
        Path pidFile = n.home.resolve("haproxy.pid");
        String cfg = n.home.resolve("haproxy.cfg").toString();
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            String text = Files.readString(pidFile).strip();
            if (text.isEmpty()) {
                return;
            }
            long pid = Long.parseLong(text.split("\\s+")[0]);
            ProcessHandle.of(pid).ifPresent(h -> {
                if (h.info().arguments().map(a -> List.of(a).contains(cfg)).orElse(false)) {
                    h.destroy();
                    try {
                        h.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        log(n.label() + "'s HAProxy master " + pid + " did not stop within 10 s: " + e);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            log("cannot stop " + n.label() + "'s HAProxy: " + e);
        }
    }

    // ------------------------------------------------------------------ helpers

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> expect200(HttpResponse<String> r, String what) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(what + " -> " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    static long nanos(double ms) {
        return Math.round(ms * 1e6);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static long ms(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    static void log(String line) {
        System.err.println(line);
    }
}
