import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.ControllerStatus;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.internal.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scale benchmark, run by bench/scale.sh: membership changes on a big configuration (static backends big0..bigN of
 * M members each, on the library: HaproxyController + ThalassaConfig) and on a small one (10 servers), in one run.
 * Everything listens on 127.0.0.1; every loop is bounded in count and time; every process started here is stopped by
 * its pid (try/finally and a shutdown hook).
 *
 * <pre>
 *   ScaleBench &lt;workdir&gt; &lt;backends&gt; &lt;members&gt; &lt;changes&gt; [globalMaxconn defaultsMaxconn]
 * </pre>
 *
 * Details go to stderr; stdout gets the phase summaries and, last, {@code servers=<n> p50_ms=<a> p99_ms=<b>
 * small_p99_ms=<c> failed_reloads=<f> membership_reloads=<r> rss_mb=<m>}. Exit 2 when the big configuration could
 * not be started (the line then has {@code NA} for its figures).
 */
public class ScaleBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final int MEMBER_PORT_BASE = Integer.parseInt(System.getenv().getOrDefault("SCALE_MEMBER_PORT_BASE",
            "20000"));
    static final int POOL = 8;
    static final int WARMUP = 10;
    static final long PROBE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(100);
    static final int GROUP = 50; // backends per frontend
    /**
     * The health-check interval of the big backends' members (SCALE_CHECK_INTERVAL_MS; HAProxy's TCP check every
     * 2 s when unset): every member is one of 20 listeners in this JVM, so at 2 s the 15,000 members cost this machine
     * 7,500 checks a second, HAProxy's and the listeners' CPU beside the controller's.
     */
    static final Duration CHECK_INTERVAL = System.getenv("SCALE_CHECK_INTERVAL_MS") == null ? null
            : Duration.ofMillis(Long.parseLong(System.getenv("SCALE_CHECK_INTERVAL_MS")));
    /**
     * The probe backend's HTTP check interval (SCALE_PROBE_CHECK_INTERVAL_MS, default 10 ms): a member the probe's
     * changes add serves once its first check passed, so this bounds each change's latency from below.
     */
    static final Duration PROBE_CHECK_INTERVAL = Duration.ofMillis(Long.parseLong(
            System.getenv().getOrDefault("SCALE_PROBE_CHECK_INTERVAL_MS", "10")));

    /** The controller's stats poll interval (its default 2 s); a diagnostic knob: SCALE_STATS_INTERVAL_MS. */
    static final Duration STATS_INTERVAL = Duration.ofMillis(Long.parseLong(System.getenv()
            .getOrDefault("SCALE_STATS_INTERVAL_MS", "2000")));

    static final List<Long> MASTER_PIDS = new CopyOnWriteArrayList<>();
    static final List<HttpServer> HTTP_SERVERS = new CopyOnWriteArrayList<>();
    static final List<HaproxyController> CONTROLLERS = new CopyOnWriteArrayList<>();
    static volatile CheckListeners checkListeners;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int backends = Integer.parseInt(args[1]);
        int members = Integer.parseInt(args[2]);
        int changes = Integer.parseInt(args[3]);
        int globalMaxconn = args.length > 4 ? Integer.parseInt(args[4]) : HaproxySettings.defaults().globalMaxconn();
        int defaultsMaxconn = args.length > 5 ? Integer.parseInt(args[5])
                : HaproxySettings.defaults().defaultsMaxconn();
        if (members > 1000 || backends < 1 || changes < 1) {
            throw new IllegalArgumentException("members 1..1000, backends >= 1, changes >= 1");
        }
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(ScaleBench::cleanUp, "scale-cleanup"));
        int exit = 0;
        try {
            int listeners = Math.max(members, 9);
            checkListeners = CheckListeners.start(MEMBER_PORT_BASE, listeners);
            log("started %d check listeners on 127.0.0.1:%d-%d", listeners, MEMBER_PORT_BASE,
                    MEMBER_PORT_BASE + listeners - 1);
            List<HttpServer> apps = new ArrayList<>();
            for (int i = 0; i < POOL; i++) {
                apps.add(named("m" + i));
            }
            log("started %d probe members (JDK HTTP servers answering their name)", POOL);

            Phase big = new Phase("big", dir.resolve("big"), backends, members, changes, globalMaxconn,
                    defaultsMaxconn, apps);
            big.run();
            System.out.println(big.summary());
            // the small one after the big HAProxy is stopped: same JVM, same probe members, other files and ports
            Phase small = new Phase("small", dir.resolve("small"), 1, 9, changes, globalMaxconn, defaultsMaxconn,
                    apps);
            small.run();
            System.out.println(small.summary());
            long rss = rssMb();
            if (!big.started) {
                System.out.println("scale: FAILED: the big configuration (" + big.servers + " member servers, "
                        + "maxconn " + globalMaxconn + ") did not start: " + big.error);
                exit = 2;
            }
            System.out.println(String.format(Locale.ROOT,
                    "servers=%d p50_ms=%s p99_ms=%s small_p99_ms=%s failed_reloads=%s membership_reloads=%s rss_mb=%d",
                    big.servers, big.started ? fmt(big.p(50)) : "NA", big.started ? fmt(big.p(99)) : "NA",
                    small.started ? fmt(small.p(99)) : "NA", big.started ? Long.toString(big.failedReloads) : "NA",
                    big.started ? Long.toString(big.membershipReloads()) : "NA", rss));
        } finally {
            cleanUp();
        }
        System.exit(exit);
    }

    /** One configuration: start HAProxy on it, warm up, time the changes, then a side timing breakdown. */
    static final class Phase {
        final String name;
        final Path dir;
        final int backends;
        final int members;
        final int changes;
        final int globalMaxconn;
        final int defaultsMaxconn;
        final List<HttpServer> apps;
        final int servers;
        long slots; // the controller's server slots once started (its SlotPlanner's headroom)
        final AtomicLong reloadDone = new AtomicLong();
        final AtomicLong reloadFailed = new AtomicLong();
        final AtomicLong statsFailed = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        boolean started;
        String error = "";
        long startMs;
        long[] latencies = new long[0];
        long[] applies = new long[0];
        /** Per change: from the apply call to the joining member's "passed its first check" event. */
        long[] checkPassed = new long[0];
        volatile long checkPassedNanos;
        int done;
        int timeouts;
        int notRuntime;
        int applyErrors;
        long reloadCountDelta;
        long reloadDoneDelta;
        long gcCount;
        long gcMs;
        long failedReloads;
        String breakdown = "";

        Phase(String name, Path dir, int backends, int members, int changes, int globalMaxconn, int defaultsMaxconn,
                List<HttpServer> apps) {
            this.name = name;
            this.dir = dir;
            this.backends = backends;
            this.members = members;
            this.changes = changes;
            this.globalMaxconn = globalMaxconn;
            this.defaultsMaxconn = defaultsMaxconn;
            this.apps = apps;
            this.servers = backends * members + 1;
            this.slots = -1;
        }

        long membershipReloads() {
            return Math.max(reloadCountDelta, reloadDoneDelta);
        }

        double p(int pct) {
            long[] sorted = Arrays.copyOf(latencies, done);
            Arrays.sort(sorted);
            return percentile(sorted, pct);
        }

        void run() throws Exception {
            Files.createDirectories(dir);
            HaproxySettings settings = settings(dir.resolve("ctl")).toBuilder()
                    .maxconn(globalMaxconn, defaultsMaxconn).build();
            int probePort = freePort();
            ThalassaConfig base = ThalassaConfig.empty();
            List<Integer> frontendPorts = new ArrayList<>();
            String prefix = name.equals("big") ? "big" : "small";
            for (int b = 0; b < backends; b++) {
                Backend.Builder bb = Backend.staticBackend(prefix + b);
                if (CHECK_INTERVAL != null) {
                    bb.health(h -> h.interval(CHECK_INTERVAL));
                }
                for (int m = 0; m < members; m++) {
                    bb.member("127.0.0.1", MEMBER_PORT_BASE + m);
                }
                base = base.withBackend(bb.build());
            }
            for (int g = 0; g * GROUP < backends; g++) {
                int port = freePort();
                frontendPorts.add(port);
                Frontend.Builder fb = Frontend.builder("fe" + g).bind("127.0.0.1:" + port)
                        .defaultBackend(prefix + (g * GROUP));
                for (int b = g * GROUP + 1; b < Math.min(backends, (g + 1) * GROUP); b++) {
                    fb.rule(Rule.pathBegins("/" + prefix + b + "/", prefix + b));
                }
                base = base.withFrontend(fb.build());
            }
            base = base.withFrontend(Frontend.builder("probe").bind("127.0.0.1:" + probePort).defaultBackend("probe")
                    .build());
            // a new member serves once HAProxy's first check of it passed (health-gated joins): the probe is checked
            // every PROBE_CHECK_INTERVAL, without slowstart (one member at a time: nothing to ramp against)
            Backend probe = Backend.dynamic("probe").service("probe", "v0").balance(Balance.ROUNDROBIN)
                    .slowstart(Duration.ZERO).health(h -> h.interval(PROBE_CHECK_INTERVAL)).build()
                    .withMembers(List.of(member("v0", apps.get(0))));
            ThalassaConfig config = base.withBackend(probe);
            log("[%s] %d backends x %d members + probe = %d member servers, %d server slots, %d frontends, "
                    + "maxconn %d/%d", name, backends, members, servers, slots, frontendPorts.size() + 1,
                    globalMaxconn, defaultsMaxconn);

            HaproxyController controller = HaproxyController.builder().binary(HAPROXY)
                    .configFile(dir.resolve("ctl/haproxy.cfg")).settings(settings).drainTimeout(Duration.ofSeconds(2))
                    .reloadTimeout(Duration.ofSeconds(60)).statsInterval(STATS_INTERVAL).stopOnClose(true)
                    .listener(e -> {
                        switch (e.verb()) {
                            case RELOAD_DONE -> reloadDone.incrementAndGet();
                            case RELOAD_FAILED -> {
                                reloadFailed.incrementAndGet();
                                failures.add(e.detail());
                            }
                            case STATS_FAILED -> statsFailed.incrementAndGet();
                            case MEMBER_CHECK -> {
                                if (e.detail().contains("passed its first")) {
                                    checkPassedNanos = System.nanoTime();
                                }
                            }
                            default -> {
                            }
                        }
                    }).build();
            CONTROLLERS.add(controller);
            try {
                long t0 = System.nanoTime();
                try {
                    controller.start(config);
                } catch (RuntimeException e) {
                    startMs = (System.nanoTime() - t0) / 1_000_000;
                    error = e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
                    log("[%s] HaproxyController.start failed after %d ms: %s", name, startMs, error);
                    return;
                }
                startMs = (System.nanoTime() - t0) / 1_000_000;
                MASTER_PIDS.add(controller.masterPid());
                started = true;
                ControllerStatus st = controller.status();
                slots = st.servers();
                log("[%s] %d server slots; file descriptors: needed %d (HAProxy's Maxsock %s), limit %d", name, slots,
                        st.fileDescriptors().needed(), controller.runtimeApi().showInfo().get("Maxsock"),
                        st.fileDescriptors().available());
                log("[%s] HaproxyController.start took %d ms (render, haproxy -c, write, launch); config file %d "
                        + "bytes; master pid %d", name, startMs, Files.size(controller.configFile()),
                        controller.masterPid());
                // sanity: traffic through a big frontend (a check listener answers) and through the probe
                String a = untilAnswer(frontendPorts.get(0), "/" + prefix + Math.min(1, backends - 1) + "/", "200 ok");
                log("[%s] through fe0: %s", name, a);
                String p = untilAnswer(probePort, "/", "200 m0");
                log("[%s] through probe: %s", name, p);
                membership(controller, config, probePort);
                breakdown = breakdown(controller, config);
            } finally {
                controller.close(); // stopOnClose: stops this HAProxy (by its master pid)
                CONTROLLERS.remove(controller);
            }
        }

        void membership(HaproxyController controller, ThalassaConfig config, int probePort) throws Exception {
            latencies = new long[changes];
            applies = new long[changes];
            checkPassed = new long[changes];
            long reloadCountBefore = controller.reloadCount();
            long reloadDoneBefore = reloadDone.get();
            long reloadFailedBefore = reloadFailed.get();
            long[] gcBefore = gc();
            Backend current = config.backend("probe").orElseThrow();
            ThalassaConfig desired = config;
            long deadline = System.nanoTime() + PHASE_NANOS;
            int total = WARMUP + changes;
            StringBuilder slow = new StringBuilder();
            for (int i = 1; i <= total && System.nanoTime() < deadline; i++) {
                int next = i % POOL;
                String version = "v" + (i / 2);
                Member m = member(version, apps.get(next));
                // every other change is a version switch (withService), the others replace the member
                Backend nextProbe = version.equals(current.serviceVersion()) ? current.withMembers(List.of(m))
                        : current.withService("probe", version).withMembers(List.of(m));
                desired = desired.withBackend(nextProbe);
                current = nextProbe;
                String want = "200 m" + next;
                checkPassedNanos = 0;
                long t0 = System.nanoTime();
                long applyNanos;
                try {
                    ApplyResult r = controller.apply(desired);
                    applyNanos = System.nanoTime() - t0;
                    if (r.kind() != ApplyResult.Kind.RUNTIME) {
                        notRuntime++;
                        log("[%s] change %d was %s: %s", name, i, r.kind(), r.changes());
                    }
                } catch (RuntimeException e) {
                    applyNanos = System.nanoTime() - t0;
                    applyErrors++;
                    log("[%s] change %d: apply failed: %s", name, i, oneLine(e.getMessage()));
                }
                long probeDeadline = t0 + PROBE_WAIT_NANOS;
                boolean ok = false;
                while (System.nanoTime() < probeDeadline) {
                    String answer;
                    try {
                        answer = get(probePort, "/");
                    } catch (IOException e) {
                        answer = "error";
                    }
                    if (answer.equals(want)) {
                        ok = true;
                        break;
                    }
                }
                long latency = ok ? System.nanoTime() - t0 : PROBE_WAIT_NANOS; // a timeout counts as the bound
                if (!ok) {
                    log("[%s] change %d: %s not answering within %d s", name, i, want,
                            TimeUnit.NANOSECONDS.toSeconds(PROBE_WAIT_NANOS));
                }
                if (i > WARMUP) {
                    if (!ok) {
                        timeouts++;
                    }
                    latencies[done] = latency;
                    applies[done] = applyNanos;
                    long passed = checkPassedNanos;
                    checkPassed[done] = passed == 0 ? latency : passed - t0;
                    done++;
                    if (latency > 50_000_000L) {
                        slow.append(" #").append(i - WARMUP).append(":apply=").append(applyNanos / 1_000_000)
                                .append("ms,check_passed=").append(checkPassed[done - 1] / 1_000_000)
                                .append("ms,first=").append(latency / 1_000_000).append("ms");
                    }
                }
                Thread.sleep(10);
            }
            Thread.sleep(500); // a reload the changes might have scheduled (window 200 ms) shows up
            reloadCountDelta = controller.reloadCount() - reloadCountBefore;
            reloadDoneDelta = reloadDone.get() - reloadDoneBefore;
            failedReloads = reloadFailed.get() - reloadFailedBefore;
            long[] gcAfter = gc();
            gcCount = gcAfter[0] - gcBefore[0];
            gcMs = gcAfter[1] - gcBefore[1];
            log("[%s] changes over 50 ms:%s", name, slow);
            if (!failures.isEmpty()) {
                log("[%s] reloadFailed events: %s", name, failures);
            }
        }

        /** Side timings of what apply does per change at this size, outside the controller (same inputs). */
        String breakdown(HaproxyController controller, ThalassaConfig config) throws Exception {
            // what happens off the membership path at this size: the coalesced file write renders the whole file,
            // and one full stats dump (the poller reads ~2,000 servers a poll above 2,000)
            HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
            HaproxySettings s = controller.settings();
            long[] render = new long[7];
            for (int k = 0; k < render.length; k++) {
                long t0 = System.nanoTime();
                renderer.render(config, s);
                render[k] = System.nanoTime() - t0;
            }
            Arrays.sort(render);
            RuntimeApi api = controller.runtimeApi();
            long t0 = System.nanoTime();
            int statBytes = api.execute("show stat -1 -1 -1").length();
            long stat = System.nanoTime() - t0;
            return String.format(Locale.ROOT, "full_render_ms=%.1f (background file write, at most 1/s) "
                    + "full_show_stat_ms=%.1f show_stat_bytes=%d", percentile(render, 50), stat / 1e6, statBytes);
        }

        String summary() {
            if (!started) {
                return String.format(Locale.ROOT, "%s: servers=%d slots=%d start=FAILED after %d ms: %s", name,
                        servers, slots, startMs, error);
            }
            long[] a = Arrays.copyOf(applies, done);
            Arrays.sort(a);
            long[] c = Arrays.copyOf(checkPassed, done);
            Arrays.sort(c);
            return String.format(Locale.ROOT, "%s: servers=%d slots=%d start_ms=%d changes=%d timeouts=%d "
                    + "not_runtime=%d apply_errors=%d p50_ms=%s p99_ms=%s max_ms=%s apply_p50_ms=%s apply_p99_ms=%s "
                    + "check_passed_p50_ms=%s check_passed_p99_ms=%s reloads=%d reload_done_events=%d "
                    + "failed_reloads=%d stats_failed_events=%d gc_count=%d gc_ms=%d%n  breakdown: %s",
                    name, servers, slots, startMs, done, timeouts, notRuntime, applyErrors, fmt(p(50)), fmt(p(99)),
                    fmt(p(100)), fmt(percentile(a, 50)), fmt(percentile(a, 99)), fmt(percentile(c, 50)),
                    fmt(percentile(c, 99)), reloadCountDelta, reloadDoneDelta, failedReloads, statsFailed.get(),
                    gcCount, gcMs, breakdown);
        }
    }

    /** What the controller's signature() does per change: split the whole text into lines and rebuild it. */
    /** Collections and milliseconds spent in them so far, all collectors. */
    static long[] gc() {
        long count = 0;
        long ms = 0;
        for (java.lang.management.GarbageCollectorMXBean b
                : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            ms += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, ms};
    }

    static Member member(String version, HttpServer server) {
        return Member.registered("probe", version, "127.0.0.1", server.getAddress().getPort(), null, null);
    }

    static String untilAnswer(int port, String path, String want) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String answer = "none";
        while (System.nanoTime() < deadline) {
            try {
                answer = get(port, path);
            } catch (IOException e) {
                answer = "error: " + e.getMessage();
            }
            if (answer.equals(want)) {
                return answer;
            }
            Thread.sleep(50);
        }
        return "NOT " + want + " within 10 s (last: " + answer + ")";
    }

    // ------------------------------------------------------------------ cleanup

    static synchronized void cleanUp() {
        for (HaproxyController c : CONTROLLERS) {
            try {
                c.close();
            } catch (RuntimeException e) {
                System.err.println("close: " + e.getMessage());
            }
        }
        CONTROLLERS.clear();
        for (long pid : MASTER_PIDS) {
            if (pid > 0 && Processes.isRunning(pid)) {
                Processes.signal(List.of(), pid, "TERM");
            }
        }
        for (HttpServer s : HTTP_SERVERS) {
            s.stop(0);
            if (s.getExecutor() instanceof ExecutorService e) {
                e.shutdownNow();
            }
        }
        HTTP_SERVERS.clear();
        CheckListeners l = checkListeners;
        if (l != null) {
            l.close();
            checkListeners = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    static HaproxySettings settings(Path dir) throws IOException {
        Files.createDirectories(dir);
        return HaproxySettings.builder().statsSocket(dir.resolve("stats.sock")).pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("server-state"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + freePort())).logTarget(null).build();
    }

    static HttpServer named(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        HTTP_SERVERS.add(server);
        return server;
    }

    /** A new connection, HTTP/1.0: "<status> <body>". */
    static String get(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: bench\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (text.length() < 12) {
                return "short";
            }
            int body = text.indexOf("\r\n\r\n");
            return text.substring(9, 12) + " " + (body < 0 ? "" : text.substring(body + 4));
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();

    /** A free loopback port outside the members' range, never the same twice in one run. */
    static synchronized int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                int port = s.getLocalPort();
                if ((port < MEMBER_PORT_BASE || port > MEMBER_PORT_BASE + 1000) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
    }

    static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    static String fmt(double ms) {
        return Double.isNaN(ms) ? "NA" : String.format(Locale.ROOT, "%.1f", ms);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " | ").strip();
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }

    /**
     * The members of the big backends: tiny loopback listeners on consecutive ports, one selector thread. HAProxy's
     * TCP health checks connect and close; an HTTP request gets "200 ok" and the connection closed.
     */
    static final class CheckListeners implements AutoCloseable {
        static final byte[] RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                .getBytes(StandardCharsets.ISO_8859_1);
        final Selector selector;
        final List<ServerSocketChannel> servers = new ArrayList<>();
        final Thread thread;
        final AtomicLong accepted = new AtomicLong();
        volatile boolean closed;

        private CheckListeners(Selector selector) {
            this.selector = selector;
            this.thread = new Thread(this::loop, "check-listeners");
            this.thread.setDaemon(true);
        }

        static CheckListeners start(int base, int count) throws IOException {
            CheckListeners l = new CheckListeners(Selector.open());
            try {
                for (int i = 0; i < count; i++) {
                    ServerSocketChannel ch = ServerSocketChannel.open();
                    try {
                        ch.bind(new InetSocketAddress("127.0.0.1", base + i), 4096);
                    } catch (IOException e) {
                        ch.close();
                        throw new IOException("member port 127.0.0.1:" + (base + i) + " is taken (" + e.getMessage()
                                + "); set SCALE_MEMBER_PORT_BASE to another base", e);
                    }
                    ch.configureBlocking(false);
                    ch.register(l.selector, SelectionKey.OP_ACCEPT);
                    l.servers.add(ch);
                }
            } catch (IOException e) {
                l.close();
                throw e;
            }
            l.thread.start();
            return l;
        }

        private void loop() {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long lastSweep = System.nanoTime();
            while (!closed) {
                try {
                    selector.select(500);
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey key = it.next();
                        it.remove();
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            SocketChannel c;
                            while ((c = ((ServerSocketChannel) key.channel()).accept()) != null) {
                                accepted.incrementAndGet();
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ, new long[] {System.nanoTime(), 0});
                            }
                        } else if (key.isReadable()) {
                            SocketChannel c = (SocketChannel) key.channel();
                            buf.clear();
                            int n;
                            try {
                                n = c.read(buf);
                            } catch (IOException e) {
                                n = -1;
                            }
                            if (n < 0) {
                                key.cancel();
                                c.close();
                                continue;
                            }
                            String seen = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
                            if (seen.contains("\r\n\r\n") || seen.contains("\n\n")) {
                                try {
                                    c.write(ByteBuffer.wrap(RESPONSE)); // small: fits the socket buffer
                                } catch (IOException ignored) {
                                    // the peer left
                                }
                                key.cancel();
                                c.close();
                            }
                        }
                    }
                    if (System.nanoTime() - lastSweep > TimeUnit.SECONDS.toNanos(1)) {
                        lastSweep = System.nanoTime();
                        for (SelectionKey key : selector.keys()) {
                            if (key.attachment() instanceof long[] t
                                    && System.nanoTime() - t[0] > TimeUnit.SECONDS.toNanos(5)) {
                                key.cancel();
                                key.channel().close();
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed) {
                        System.err.println("check listeners: " + e);
                    }
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            selector.wakeup();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SelectionKey key : selector.keys()) {
                try {
                    key.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
