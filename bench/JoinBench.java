import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.internal.Processes;
import java.io.IOException;
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
 * Health-gated joins under load, run by bench/join.sh. A backend behind an HTTP check serves steady wrk traffic from
 * one stable member; each round a new member joins whose app answers 500 to everything (its check included) for its
 * first {@value #NOT_READY_MS} ms, as an app that accepts connections before it is ready, then 200; the member of the
 * round before leaves (draining; its app keeps answering until the end). The apps count the real requests they answered with 500 (a request that reached a member before
 * it was ready), and note when their first check passed and when their first real request came. Everything listens on
 * 127.0.0.1; the loop is bounded in count and time; every process started here is stopped by its pid.
 *
 * <pre>
 *   JoinBench &lt;workdir&gt; &lt;joins&gt;
 * </pre>
 *
 * Last line: {@code joins=<n> error_responses_during_join=<e> first_traffic_after_check_ms_p99=<p>}; the target is
 * e = 0.
 */
public class JoinBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final List<Long> STARTED_PIDS = new ArrayList<>();
    static final int NOT_READY_MS = 1500;
    static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

    /** An app that is not ready for its first {@link #NOT_READY_MS} ms, and what it saw. */
    static final class App {
        final HttpServer server;
        final long started = System.nanoTime();
        final AtomicLong firstPassedCheck = new AtomicLong();
        final AtomicLong firstRequest = new AtomicLong();
        final AtomicLong errorResponses = new AtomicLong();
        final AtomicLong requests = new AtomicLong();

        App(String name, boolean readyAtOnce) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            server.createContext("/", ex -> {
                ex.getRequestBody().readAllBytes();
                long now = System.nanoTime();
                boolean ready = readyAtOnce || now - started > TimeUnit.MILLISECONDS.toNanos(NOT_READY_MS);
                if (ex.getRequestURI().getPath().equals("/health")) {
                    if (ready) {
                        firstPassedCheck.compareAndSet(0, now);
                    }
                } else {
                    firstRequest.compareAndSet(0, now);
                    requests.incrementAndGet();
                    if (!ready) {
                        errorResponses.incrementAndGet();
                    }
                }
                ex.sendResponseHeaders(ready ? 200 : 500, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int joins = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        try {
            run(dir, joins);
        } finally {
            for (long pid : STARTED_PIDS) {
                if (Processes.isRunning(pid)) {
                    Processes.signal(List.of(), pid, "TERM");
                }
            }
        }
        System.exit(0);
    }

    static ThalassaConfig config(int port, List<App> members) {
        List<Member> list = new ArrayList<>();
        for (App a : members) {
            list.add(Member.of("127.0.0.1", a.port()));
        }
        Backend live = Backend.staticBackend("live").balance(Balance.ROUNDROBIN)
                .health(h -> h.uri("/health").interval(CHECK_INTERVAL)).build().withMembers(list);
        return ThalassaConfig.empty().withBackend(live)
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
    }

    static void run(Path dir, int joins) throws Exception {
        int port = freePort();
        HaproxySettings settings = settings(dir.resolve("ctl"));
        AtomicLong reloads = new AtomicLong();
        HaproxyController controller = HaproxyController.builder().binary(HAPROXY)
                .configFile(dir.resolve("ctl/haproxy.cfg")).settings(settings).drainTimeout(Duration.ofSeconds(2))
                .listener(e -> {
                    if (e.verb() == ThalassaEvent.Verb.RELOAD_DONE) {
                        reloads.incrementAndGet();
                    }
                }).build();
        App stable = new App("stable", true);
        List<App> all = new ArrayList<>(List.of(stable));
        controller.start(config(port, List.of(stable)));
        STARTED_PIDS.add(controller.masterPid());
        long up = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!get(port).equals("200 stable") && System.nanoTime() < up) {
            Thread.sleep(50);
        }
        Wrk load = Wrk.start(port);
        Thread.sleep(1000);
        long[] afterCheck = new long[joins];
        int done = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        for (int i = 0; i < joins && System.nanoTime() < deadline; i++) {
            App joining = new App("j" + i, false);
            all.add(joining);
            ApplyResult r = controller.apply(config(port, List.of(stable, joining)));
            if (r.kind() != ApplyResult.Kind.RUNTIME) {
                throw new IllegalStateException("join " + i + " was " + r.kind());
            }
            long served = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (joining.requests.get() == 0 && System.nanoTime() < served) {
                Thread.sleep(20);
            }
            if (joining.requests.get() == 0) {
                throw new IllegalStateException("member j" + i + " got no request within 30 s");
            }
            long passed = joining.firstPassedCheck.get();
            long first = joining.firstRequest.get();
            afterCheck[done++] = passed == 0 ? Long.MAX_VALUE : Math.max(0, first - passed);
            System.err.printf("join %d: first check passed %d ms after start, first request %+d ms after it%n", i,
                    passed == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(passed - joining.started),
                    passed == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(first - passed));
        }
        Thread.sleep(500);
        long wrkFailed = load.stop();
        controller.stopHaproxy();
        long errors = 0;
        for (App a : all) {
            errors += a.errorResponses.get();
            a.server.stop(0);
        }
        long[] sorted = Arrays.copyOf(afterCheck, done);
        Arrays.sort(sorted);
        System.out.println("load: requests=" + load.requests + " failed=" + wrkFailed + " reloads="
                + (controller.reloadCount() + reloads.get()) + " not_ready_ms=" + NOT_READY_MS + " check_interval_ms="
                + CHECK_INTERVAL.toMillis());
        System.out.printf("joins=%d error_responses_during_join=%d first_traffic_after_check_ms_p99=%.1f%n", done,
                errors + wrkFailed, percentile(sorted, 99));
    }

    // ------------------------------------------------------------------ helpers (as ControlBench's)

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    static HaproxySettings settings(Path dir) throws IOException {
        Files.createDirectories(dir);
        return HaproxySettings.builder().statsSocket(dir.resolve("stats.sock")).pidFile(dir.resolve("haproxy.pid"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + freePort())).logTarget(null).build();
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

    /** wrk (1 thread, 4 keep-alive connections) against 127.0.0.1, stopped with SIGINT; bounded by -d. */
    static final class Wrk {
        final Process process;
        final Path output;
        long requests;

        private Wrk(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Wrk start(int port) throws IOException {
            Path out = Files.createTempFile("wrk", ".txt");
            Process p = new ProcessBuilder("wrk", "-t1", "-c4", "-d600s", "--timeout", "5s",
                    "http://127.0.0.1:" + port + "/").redirectErrorStream(true).redirectOutput(out.toFile()).start();
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
            System.err.println("wrk:\n" + text);
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no wrk summary: " + text);
            }
            requests = Long.parseLong(m.group(1));
            long failed = 0;
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
