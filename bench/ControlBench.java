import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.internal.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Controller benchmarks, run by bench/reloads.sh and bench/membership.sh. Everything listens on 127.0.0.1; every
 * loop is bounded in count and time; every process started here is stopped by its pid.
 *
 * <pre>
 *   ControlBench reloads    &lt;workdir&gt; &lt;changes&gt;
 *   ControlBench membership &lt;workdir&gt; &lt;changes&gt; [&lt;check interval ms, default 2000&gt;]
 * </pre>
 */
public class ControlBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final List<Long> STARTED_PIDS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]).toAbsolutePath();
        int changes = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        try {
            if (args[0].equals("reloads")) {
                reloads(dir, changes);
            } else {
                membership(dir, changes, args.length > 3 ? Long.parseLong(args[3]) : 2000);
            }
        } finally {
            for (long pid : STARTED_PIDS) {
                if (Processes.isRunning(pid)) {
                    Processes.signal(List.of(), pid, "TERM");
                }
            }
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ reloads

    static void reloads(Path dir, int changes) throws Exception {
        HttpServer app = named("app");
        int port = freePort();
        HaproxySettings settings = settings(dir.resolve("ctl"));
        ThalassaConfig base = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", app.getAddress().getPort()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
        AtomicLong reloadEvents = new AtomicLong();
        HaproxyController controller = HaproxyController.builder().binary(HAPROXY)
                .configFile(dir.resolve("ctl/haproxy.cfg")).settings(settings).reloadWindow(Duration.ZERO)
                .listener(e -> {
                    if (e.verb() == ThalassaEvent.Verb.RELOAD_DONE) {
                        reloadEvents.incrementAndGet();
                    }
                }).build();
        controller.start(base);
        STARTED_PIDS.add(controller.masterPid());
        Wrk keepAlive = Wrk.start(port, false);
        Wrk close = Wrk.start(port, true);
        Thread.sleep(1000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int applied = 0;
        for (int i = 0; i < changes && System.nanoTime() < deadline; i++) {
            // a structural change: the server timeout of the backend differs every time
            ThalassaConfig next = base.withBackend(base.backend("live").orElseThrow().toBuilder()
                    .nativeLine("timeout server " + (30000 + i) + "ms").build());
            ApplyResult r = controller.apply(next);
            r.reload().get(30, TimeUnit.SECONDS);
            applied++;
            Thread.sleep(40);
        }
        Thread.sleep(1000);
        long failed = keepAlive.stop() + close.stop();
        long reloads = controller.reloadCount();
        System.out.println("thalassa: changes=" + applied + " reloads=" + reloads + " keepalive_requests="
                + keepAlive.requests + " keepalive_failed=" + keepAlive.failed + " close_requests=" + close.requests
                + " close_failed=" + close.failed);
        controller.stopHaproxy();

        // the naive way, as the original Thalassa reloaded: haproxy -D -sf <oldpid>, no socket hand-over
        Path naiveDir = dir.resolve("naive");
        HaproxySettings naive = settings(naiveDir).toBuilder().masterWorker(false).idleCloseOnResponse(false)
                .serverStateFile(null).noReusePort(false).build(); // as the original's haproxy.cfg: no noreuseport
        int naivePort = freePort();
        ThalassaConfig naiveConfig = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", app.getAddress().getPort()).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + naivePort).defaultBackend("live").build());
        Path cfg = naiveDir.resolve("haproxy.cfg");
        Files.createDirectories(naiveDir);
        Files.writeString(cfg, HaproxyConfigRenderer.defaultTemplate().render(naiveConfig, naive).text());
        run(HAPROXY, "-D", "-f", cfg.toString());
        STARTED_PIDS.add(Processes.readPid(naive.pidFile()));
        keepAlive = Wrk.start(naivePort, false);
        close = Wrk.start(naivePort, true);
        Thread.sleep(1000);
        for (int i = 0; i < reloads && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(120); i++) {
            long old = Processes.readPid(naive.pidFile());
            run(HAPROXY, "-D", "-f", cfg.toString(), "-sf", Long.toString(old));
            STARTED_PIDS.add(Processes.readPid(naive.pidFile()));
            Thread.sleep(100);
        }
        Thread.sleep(1000);
        long naiveFailed = keepAlive.stop() + close.stop();
        System.out.println("naive: reloads=" + reloads + " keepalive_requests=" + keepAlive.requests
                + " keepalive_failed=" + keepAlive.failed + " close_requests=" + close.requests + " close_failed="
                + close.failed);
        long last = Processes.readPid(naive.pidFile());
        Processes.signal(List.of(), last, "TERM");
        app.stop(0);
        System.out.println("reloads=" + reloads + " failed_requests=" + failed + " naive_failed_requests="
                + naiveFailed);
    }

    // ------------------------------------------------------------------ membership

    static void membership(Path dir, int changes, long checkMs) throws Exception {
        int pool = 8;
        List<HttpServer> apps = new ArrayList<>();
        for (int i = 0; i < pool; i++) {
            apps.add(named("m" + i));
        }
        int port = freePort();
        HaproxySettings settings = settings(dir.resolve("ctl"));
        AtomicLong reloadEvents = new AtomicLong();
        HaproxyController controller = HaproxyController.builder().binary(HAPROXY)
                .configFile(dir.resolve("ctl/haproxy.cfg")).settings(settings).drainTimeout(Duration.ofSeconds(2))
                .listener(e -> {
                    if (e.verb() == ThalassaEvent.Verb.RELOAD_DONE) {
                        reloadEvents.incrementAndGet();
                    }
                }).build();
        ThalassaConfig config = config(port, "1", apps.get(0), checkMs);
        controller.start(config);
        STARTED_PIDS.add(controller.masterPid());
        Wrk load = Wrk.start(port, false, 1, 4);
        Thread.sleep(1000);
        long[] latencies = new long[changes];
        long[] applyNanos = new long[changes];
        long probeFailures = 0;
        int done = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int i = 1; i <= changes && System.nanoTime() < deadline; i++) {
            int next = i % pool;
            // odd changes switch the service version, even ones replace a member of the same version
            String version = Integer.toString((i + 1) / 2);
            ThalassaConfig desired = config(port, version, apps.get(next), checkMs);
            String want = "m" + next;
            long t0 = System.nanoTime();
            ApplyResult r = controller.apply(desired);
            applyNanos[done] = System.nanoTime() - t0;
            if (r.kind() != ApplyResult.Kind.RUNTIME) {
                throw new IllegalStateException("change " + i + " was " + r.kind());
            }
            long probeDeadline = t0 + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                String answer;
                try {
                    answer = get(port);
                } catch (IOException e) {
                    answer = "error";
                }
                if (answer.equals("200 " + want)) {
                    break;
                }
                if (!answer.startsWith("200 ")) {
                    probeFailures++;
                }
                if (System.nanoTime() > probeDeadline) {
                    throw new IllegalStateException("member " + want + " not answering 5 s after change " + i);
                }
            }
            latencies[done++] = System.nanoTime() - t0;
            Thread.sleep(10);
        }
        Thread.sleep(500);
        long failed = load.stop() + probeFailures;
        long reloads = controller.reloadCount() + reloadEvents.get();
        controller.stopHaproxy();
        for (HttpServer s : apps) {
            s.stop(0);
        }
        long[] sorted = Arrays.copyOf(latencies, done);
        Arrays.sort(sorted);
        StringBuilder slow = new StringBuilder();
        for (int k = 0; k < done; k++) {
            if (applyNanos[k] > 20_000_000L || latencies[k] > 20_000_000L) {
                slow.append(" #").append(k + 1).append(":apply=").append(applyNanos[k] / 1_000_000).append("ms,first=")
                        .append(latencies[k] / 1_000_000).append("ms");
            }
        }
        System.err.println("slow changes:" + slow);
        long[] applySorted = Arrays.copyOf(applyNanos, done);
        Arrays.sort(applySorted);
        System.out.printf("apply call alone: p50_ms=%.1f p99_ms=%.1f%n", percentile(applySorted, 50),
                percentile(applySorted, 99));
        System.out.println("load: requests=" + load.requests + " failed=" + load.failed + " probe_failures="
                + probeFailures);
        System.out.printf("check_ms=%d changes=%d p50_ms=%.1f p99_ms=%.1f reloads=%d failed_requests=%d%n", checkMs,
                done, percentile(sorted, 50), percentile(sorted, 99), reloads, failed);
    }

    /** One member in backend live behind its TCP check every {@code checkMs}, which gates its join. */
    static ThalassaConfig config(int port, String version, HttpServer member, long checkMs) {
        Backend live = Backend.dynamic("live").service("myapp", version).balance(Balance.ROUNDROBIN)
                .health(h -> h.interval(java.time.Duration.ofMillis(checkMs))).build()
                .withMembers(List.of(Member.registered("myapp", version, "127.0.0.1", member.getAddress().getPort(),
                        null, null)));
        return ThalassaConfig.empty().withBackend(live)
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
    }

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
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
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        return server;
    }

    static String get(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (text.length() < 12) {
                return "short";
            }
            int body = text.indexOf("\r\n\r\n");
            return text.substring(9, 12) + " " + (body < 0 ? "" : text.substring(body + 4));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static void run(String... command) throws Exception {
        Processes.Outcome out = Processes.run(List.of(command), Duration.ofSeconds(30));
        if (out.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out.output());
        }
    }

    /** wrk against 127.0.0.1, stopped with SIGINT (it prints its summary then); bounded by -d. */
    static final class Wrk {
        final Process process;
        final Path output;
        long requests;
        long failed;

        private Wrk(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Wrk start(int port, boolean close) throws IOException {
            return start(port, close, 2, close ? 10 : 20);
        }

        static Wrk start(int port, boolean close, int threads, int connections) throws IOException {
            Path out = Files.createTempFile("wrk", ".txt");
            List<String> cmd = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d300s",
                    "--timeout", "5s"));
            if (close) {
                cmd.addAll(List.of("-H", "Connection: close"));
            }
            cmd.add("http://127.0.0.1:" + port + "/");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            STARTED_PIDS.add(p.pid());
            return new Wrk(p, out);
        }

        /** Stops wrk and returns its failed requests: socket errors plus non-2xx/3xx answers. */
        long stop() throws Exception {
            Processes.signal(List.of(), process.pid(), "INT");
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            String text = Files.readString(output);
            Files.deleteIfExists(output);
            System.err.println("wrk on " + process.info().arguments().map(Arrays::toString).orElse("?") + ":\n" + text);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no wrk summary: " + text);
            }
            requests = Long.parseLong(m.group(1));
            failed = 0;
            Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                    .matcher(text);
            if (errors.find()) {
                for (int g = 1; g <= 4; g++) {
                    failed += Long.parseLong(errors.group(g));
                }
            }
            Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
            if (non2xx.find()) {
                failed += Long.parseLong(non2xx.group(1));
            }
            return failed;
        }
    }
}
