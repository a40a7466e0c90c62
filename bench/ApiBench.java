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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * REST API benchmark of the daemon, run by bench/api.sh: starts {@code thalassa.jar} as a child JVM with the given
 * flags on free loopback ports, creates N static backends and a few frontends with concurrent PUTs, measures
 * {@code GET /backends} with wrk, sends a burst of concurrent PUTs and counts the reloads it causes in the activity
 * feed, checks every burst item is visible, and reads the daemon's VmRSS / VmHWM. Everything listens on 127.0.0.1;
 * every loop is bounded in count and time; the daemon and its HAProxy are stopped by their pids (bench/api.sh stops
 * them too, from the pid files, when this program dies).
 *
 * <pre>
 *   ApiBench &lt;thalassa.jar&gt; &lt;workdir&gt; &lt;backends&gt; &lt;burst&gt; &lt;in-flight&gt; [daemon JVM flags...]
 * </pre>
 *
 * Last line: {@code backends=.. get_rps=.. get_bytes=.. burst_puts=.. burst_ms=.. burst_reloads=.. visible=..
 * rss_mb=.. hwm_mb=..} (and a few more figures).
 */
public class ApiBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final ObjectMapper JSON = new ObjectMapper();
    static final int FRONTENDS = 4;
    static final int RULES_PER_FRONTEND = 10;
    static final int SETUP_IN_FLIGHT = 8;
    static final long SETTLE_TIMEOUT_MS = 120_000;

    static HttpClient client;
    static String api;
    static Process daemon;
    static Path dir;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        dir = Path.of(args[1]).toAbsolutePath();
        int backends = Integer.parseInt(args[2]);
        int burst = Integer.parseInt(args[3]);
        int inFlight = Integer.parseInt(args[4]);
        List<String> jvmFlags = List.of(args).subList(5, args.length);
        Files.createDirectories(dir);
        HttpServer app1 = app("app1");
        HttpServer app2 = app("app2");
        int code = 0;
        try {
            run(jar, jvmFlags, backends, burst, inFlight, app1.getAddress().getPort(), app2.getAddress().getPort());
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        } finally {
            stopDaemonAndHaproxy();
            app1.stop(0);
            app2.stop(0);
        }
        System.exit(code);
    }

    static void run(Path jar, List<String> jvmFlags, int backends, int burst, int inFlight, int app1, int app2)
            throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", jar.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--registrationPort", Integer.toString(freePort()), "--statsPort", Integer.toString(freePort()),
                "--haproxyBinary", HAPROXY,
                "--haproxyCfgPath", dir.resolve("haproxy.cfg").toString(),
                "--haproxySocketPath", dir.resolve("haproxy.sock").toString(),
                "--haproxyPidPath", dir.resolve("haproxy.pid").toString(),
                "--dbPath", dir.resolve("db").toString(),
                "--persistence", dir.resolve("config.json").toString()));
        log("daemon: " + String.join(" ", cmd));
        daemon = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile())
                .start();
        Files.writeString(dir.resolve("daemon.pid"), daemon.pid() + "\n");
        api = "http://127.0.0.1:" + port;
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        long startedAt = System.nanoTime();
        waitForApi();
        log(String.format(Locale.ROOT, "daemon up in %d ms, pid %d", ms(startedAt), daemon.pid()));

        // ---- setup: N static backends (one member each), then frontends with path rules to some of them
        List<Put> setup = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            setup.add(new Put("/backends/" + backendKey(i), backendJson("roundrobin", app1)));
        }
        long setupStart = System.nanoTime();
        Batch created = putAll(setup, SETUP_IN_FLIGHT);
        List<Put> fronts = new ArrayList<>();
        for (int f = 0; f < FRONTENDS; f++) {
            StringBuilder rules = new StringBuilder();
            for (int r = 0; r < RULES_PER_FRONTEND; r++) {
                int target = (f * RULES_PER_FRONTEND + r + 1) % backends;
                rules.append(r == 0 ? "" : ",").append("{\"type\":\"path\",\"operation\":\"path_beg\",\"value\":\"/r")
                        .append(r).append("\",\"backend\":\"").append(backendKey(target)).append("\"}");
            }
            fronts.add(new Put("/frontends/web" + f, "{\"bind\":\"127.0.0.1:" + freePort() + "\",\"backend\":\""
                    + backendKey(f % backends) + "\",\"mode\":\"http\",\"rules\":[" + rules + "]}"));
        }
        Batch frontsDone = putAll(fronts, SETUP_IN_FLIGHT);
        long setupMs = ms(setupStart);
        Settle setupSettle = settle(0);
        log(String.format(Locale.ROOT, "setup: %d backend PUTs, %d in flight, in %d ms (%s), %d frontend PUTs, "
                        + "errors %d, settled after %d ms with %d reloads", backends, SETUP_IN_FLIGHT, created.wallMs,
                created.latencies(), fronts.size(), created.errors + frontsDone.errors, setupMs + setupSettle.waitedMs,
                setupSettle.count("reloadDone")));
        if (created.errors + frontsDone.errors > 0) {
            throw new IllegalStateException("setup failed: " + created.firstError + frontsDone.firstError);
        }
        String through = throughFrontend(fronts.get(0));
        log("request through frontend web0: " + through);
        Status afterSetup = status(daemon.pid());
        log("after setup: " + afterSetup);

        // ---- GET /backends: size, then wrk (3 s warm-up, 10 s measured)
        HttpResponse<byte[]> list = client.send(HttpRequest.newBuilder(URI.create(api + "/backends"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        int listed = JSON.readTree(list.body()).size();
        if (list.statusCode() != 200 || listed != backends) {
            throw new IllegalStateException("GET /backends: " + list.statusCode() + ", " + listed + " backends");
        }
        int getBytes = list.body().length;
        wrk(api + "/backends", 3);
        Wrk get = wrk(api + "/backends", 10);
        log(String.format(Locale.ROOT, "GET /backends: %d bytes, %.0f requests/s, %d requests, %d errors, "
                + "latency avg %s", getBytes, get.rps, get.requests, get.errors, get.latency));
        log("after GET /backends: " + status(daemon.pid()));

        // ---- burst: half new backends, half changed existing ones (balance and member port: structural)
        int marker = newestId();
        List<Put> puts = new ArrayList<>();
        Map<String, String[]> expected = new HashMap<>();
        for (int i = 0; i < burst; i++) {
            boolean change = i % 2 == 1 && i / 2 < backends;
            String key = change ? backendKey(i / 2) : String.format(Locale.ROOT, "burst%04d", i / 2);
            String balance = change ? "leastconn" : "source";
            puts.add(new Put("/backends/" + key, backendJson(balance, app2)));
            expected.put(key, new String[] {balance, Integer.toString(app2)});
        }
        Collections.shuffle(puts, new java.util.Random(42));
        Batch b = putAll(puts, inFlight);
        Settle s = settle(marker);
        log(String.format(Locale.ROOT, "burst: %d PUTs, %d in flight, %d ms (%s), errors %d%s; settled %d ms after"
                        + " the last answer; events since the burst: %s", burst, inFlight, b.wallMs, b.latencies(),
                b.errors, b.firstError == null ? "" : " (first: " + b.firstError + ")", s.waitedMs, s.counts));
        log("coalesced: " + s.coalescedDetails);

        // ---- every burst item visible with its new content
        HttpResponse<byte[]> after = client.send(HttpRequest.newBuilder(URI.create(api + "/backends"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        int visible = 0;
        for (JsonNode node : JSON.readTree(after.body())) {
            String[] want = expected.get(node.path("key").asText());
            if (want != null && want[0].equals(node.path("balance").asText())
                    && node.path("members").size() == 1
                    && want[1].equals(node.path("members").get(0).path("port").asText())) {
                visible++;
            }
        }
        Map<String, String> sections = sections(Files.readString(dir.resolve("haproxy.cfg")));
        int inFile = 0;
        for (Map.Entry<String, String[]> e : expected.entrySet()) {
            String section = sections.getOrDefault(e.getKey(), "");
            if (section.contains("\n    balance " + e.getValue()[0] + "\n")
                    && section.contains(" 127.0.0.1:" + e.getValue()[1] + " check")) {
                inFile++;
            }
        }
        log("visible in GET /backends: " + visible + " of " + burst + "; with that content in haproxy.cfg: " + inFile
                + "; request through frontend web0 (its backend changed): " + throughFrontend(fronts.get(0)));

        Status st = status(daemon.pid());
        log("daemon at the end: " + st);
        System.out.println(String.format(Locale.ROOT, "backends=%d get_rps=%.0f get_bytes=%d burst_puts=%d "
                        + "burst_ms=%d burst_reloads=%d visible=%d rss_mb=%.0f hwm_mb=%.0f burst_errors=%d get_errors=%d "
                        + "burst_coalesced=%d setup_put_avg_ms=%.1f", backends, get.rps, getBytes, burst, b.wallMs,
                s.count("reloadDone"), visible, st.rssKb / 1024.0, st.hwmKb / 1024.0, b.errors, get.errors,
                s.count("reloadCoalesced"), created.wallMs / (double) backends));
    }

    // ------------------------------------------------------------------ PUTs

    record Put(String path, String body) {
    }

    static final class Batch {
        long wallMs;
        int errors;
        String firstError;
        final List<Double> ms = Collections.synchronizedList(new ArrayList<>());

        String latencies() {
            List<Double> sorted = new ArrayList<>(ms);
            Collections.sort(sorted);
            if (sorted.isEmpty()) {
                return "no answers";
            }
            return String.format(Locale.ROOT, "per PUT p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                    sorted.get(sorted.size() / 2), sorted.get(Math.min(sorted.size() - 1,
                            (int) Math.ceil(sorted.size() * 0.99) - 1)), sorted.get(sorted.size() - 1));
        }
    }

    /** Sends the PUTs with at most {@code inFlight} outstanding; each bounded by a 60 s timeout. */
    static Batch putAll(List<Put> puts, int inFlight) throws Exception {
        Batch batch = new Batch();
        ExecutorService pool = Executors.newFixedThreadPool(inFlight);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (Put p : puts) {
            results.add(pool.submit(() -> {
                go.await();
                long t0 = System.nanoTime();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(api + p.path()))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(p.body())).build(),
                        HttpResponse.BodyHandlers.ofString());
                batch.ms.add((System.nanoTime() - t0) / 1e6);
                return r.statusCode() == 200 ? null : "PUT " + p.path() + " -> " + r.statusCode() + " " + r.body();
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<String> f : results) {
            String error;
            try {
                error = f.get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                error = e.toString();
            }
            if (error != null) {
                batch.errors++;
                if (batch.firstError == null) {
                    batch.firstError = error;
                }
            }
        }
        batch.wallMs = ms(t0);
        pool.shutdownNow();
        return batch;
    }

    static String backendJson(String balance, int port) {
        return "{\"type\":\"static\",\"balance\":\"" + balance + "\",\"mode\":\"http\",\"members\":[{\"host\":"
                + "\"127.0.0.1\",\"port\":" + port + "}]}";
    }

    static String backendKey(int i) {
        return String.format(Locale.ROOT, "be%04d", i);
    }

    // ------------------------------------------------------------------ activity feed

    static final class Settle {
        long waitedMs;
        final Map<String, Integer> counts = new java.util.TreeMap<>();
        final List<String> coalescedDetails = new ArrayList<>();

        int count(String verb) {
            return counts.getOrDefault(verb, 0);
        }
    }

    static final List<String> VERBS = List.of("configApplied", "configRejected", "reloadDone", "reloadCoalesced",
            "reloadFailed", "runtimeChange");

    /**
     * Waits until the changes after event id {@code marker} are reloaded: the newest reloadDone/reloadFailed is newer
     * than the newest configApplied (a coalesced reload covers every change applied before it runs), and nothing
     * new happened for 500 ms. Counts each verb after the marker. Bounded by {@value #SETTLE_TIMEOUT_MS} ms.
     */
    static Settle settle(int marker) throws Exception {
        long t0 = System.nanoTime();
        Settle s = new Settle();
        int lastSeen = -1;
        long quietSince = System.nanoTime();
        while (true) {
            List<JsonNode> events = eventsAfter(marker);
            int newestApplied = 0;
            int newestReload = 0;
            int newest = marker;
            for (JsonNode e : events) {
                int id = e.path("id").asInt();
                String verb = e.path("verb").asText();
                newest = Math.max(newest, id);
                if (verb.equals("configApplied")) {
                    newestApplied = Math.max(newestApplied, id);
                } else if (verb.equals("reloadDone") || verb.equals("reloadFailed")) {
                    newestReload = Math.max(newestReload, id);
                }
            }
            if (newest != lastSeen) {
                lastSeen = newest;
                quietSince = System.nanoTime();
            }
            boolean reloaded = newestApplied == 0 || newestReload > newestApplied;
            if (reloaded && ms(quietSince) >= 500) {
                for (JsonNode e : events) {
                    s.counts.merge(e.path("verb").asText(), 1, Integer::sum);
                    if (e.path("verb").asText().equals("reloadCoalesced")) {
                        s.coalescedDetails.add(e.path("detail").asText());
                    }
                }
                Collections.reverse(s.coalescedDetails);
                s.waitedMs = ms(t0);
                return s;
            }
            if (ms(t0) > SETTLE_TIMEOUT_MS) {
                throw new IllegalStateException("reloads did not settle within " + SETTLE_TIMEOUT_MS + " ms");
            }
            Thread.sleep(100);
        }
    }

    /** Events of {@link #VERBS} with an id above {@code marker}, newest first, paging with {@code before}. */
    static List<JsonNode> eventsAfter(int marker) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Long before = null;
        for (int page = 0; page < 100; page++) {
            String q = "/activity?limit=1000&verb=" + String.join(",", VERBS) + (before == null ? "" : "&before="
                    + before);
            JsonNode body = JSON.readTree(getText(q));
            boolean older = false;
            for (JsonNode e : body.path("events")) {
                if (e.path("id").asInt() <= marker) {
                    older = true;
                    break;
                }
                out.add(e);
            }
            JsonNode next = body.path("nextBefore");
            if (older || next.isNull() || next.isMissingNode() || body.path("events").isEmpty()) {
                return out;
            }
            before = next.asLong();
        }
        throw new IllegalStateException("more than 100 pages of activity");
    }

    static int newestId() throws Exception {
        JsonNode events = JSON.readTree(getText("/activity?limit=1")).path("events");
        return events.isEmpty() ? 0 : events.get(0).path("id").asInt();
    }

    // ------------------------------------------------------------------ helpers

    static String getText(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(api + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static void waitForApi() throws Exception {
        long t0 = System.nanoTime();
        while (ms(t0) < 60_000) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("the daemon exited with " + daemon.exitValue() + ": "
                        + Files.readString(dir.resolve("daemon.log")));
            }
            try {
                getText("/backends");
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the daemon's API did not answer within 60 s");
    }

    /**
     * GET / through a frontend's bind on a new connection (HTTP/1.0: a kept-alive one could still be served by the
     * worker before the last reload): the status and the app's name.
     */
    static String throughFrontend(Put frontend) throws Exception {
        Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(frontend.body());
        if (!m.find()) {
            throw new IllegalStateException(frontend.body());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int body = text.indexOf("\r\n\r\n");
            return text.length() < 12 ? "no answer" : text.substring(9, 12) + " " + (body < 0 ? ""
                    : text.substring(body + 4));
        }
    }

    /** The backend sections of a haproxy.cfg by name, each from its {@code backend} line to the next section. */
    static Map<String, String> sections(String cfg) {
        Map<String, String> out = new HashMap<>();
        String name = null;
        StringBuilder text = new StringBuilder();
        for (String line : (cfg + "\nend\n").split("\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                if (name != null) {
                    out.put(name, text.toString());
                }
                String[] f = line.strip().split("\\s+");
                name = f[0].equals("backend") && f.length > 1 ? f[1] : null;
                text.setLength(0);
            }
            text.append(line).append('\n');
        }
        return out;
    }

    record Wrk(double rps, long requests, long errors, String latency) {
    }

    /** wrk -t2 -c8 for {@code seconds} against a loopback URL; bounded by -d and a wait of seconds + 30. */
    static Wrk wrk(String url, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c8", "-d" + seconds + "s", "--timeout", "5s", url)
                .redirectErrorStream(true).start();
        String text;
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        log("wrk -t2 -c8 -d" + seconds + "s " + url + ":\n" + text.strip());
        Matcher rps = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(text);
        Matcher n = Pattern.compile("(\\d+) requests in").matcher(text);
        Matcher lat = Pattern.compile("Latency\\s+(\\S+)").matcher(text);
        if (!rps.find() || !n.find()) {
            throw new IllegalStateException("no wrk summary: " + text);
        }
        long errors = 0;
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(text);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new Wrk(Double.parseDouble(rps.group(1)), Long.parseLong(n.group(1)), errors,
                lat.find() ? lat.group(1) : "?");
    }

    record Status(long rssKb, long hwmKb, int threads) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "VmRSS %.1f MB, VmHWM %.1f MB, %d threads", rssKb / 1024.0,
                    hwmKb / 1024.0, threads);
        }
    }

    static Status status(long pid) throws IOException {
        long rss = -1;
        long hwm = -1;
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "VmRSS:" -> rss = Long.parseLong(f[1]);
                case "VmHWM:" -> hwm = Long.parseLong(f[1]);
                case "Threads:" -> threads = Integer.parseInt(f[1]);
                default -> {
                }
            }
        }
        return new Status(rss, hwm, threads);
    }

    /** TERM to the daemon (it leaves HAProxy serving), then TERM to HAProxy's master named by our pid file. */
    static void stopDaemonAndHaproxy() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                log("daemon did not stop on TERM within 20 s; killing it");
                daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        Path pidFile = dir.resolve("haproxy.pid");
        if (Files.exists(pidFile)) {
            String text = Files.readString(pidFile).strip();
            if (!text.isEmpty()) {
                long pid = Long.parseLong(text.split("\\s+")[0]);
                ProcessHandle.of(pid).ifPresent(h -> {
                    // only the HAProxy that runs our config file
                    if (h.info().arguments().map(a -> List.of(a).contains(dir.resolve("haproxy.cfg").toString()))
                            .orElse(false)) {
                        h.destroy();
                        try {
                            h.onExit().get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            log("HAProxy master " + pid + " did not stop within 10 s: " + e);
                        }
                    }
                });
            }
        }
    }

    static HttpServer app(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
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
