import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rollouts under load, run by bench/rollout.sh: the library's {@code Thalassa} with a real HAProxy, wrk at a fixed
 * rate through it, and rollouts of a backend (4 instances of 1.0.0) to good versions (2 instances that always answer
 * 200) and to bad ones (2 instances that answer 500 to one request in ten). Each good rollout must end done; each bad
 * one must be rolled back by its guard: the time from its start to the abort, the requests its instances got after
 * the abort. Everything listens on 127.0.0.1; wrk runs bounded in time (-d) and rate (a delay per request); every loop
 * is bounded; every process started here is stopped by its pid.
 *
 * <pre>
 *   RolloutBench &lt;workdir&gt; &lt;rollouts of each kind&gt; &lt;stepSeconds&gt; &lt;requests per second&gt;
 * </pre>
 */
public class RolloutBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final List<Long> STARTED_PIDS = new ArrayList<>();
    static final List<HttpServer> SERVERS = new ArrayList<>();

    record Instance(String version, HttpServer server, AtomicLong requests) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int n = Integer.parseInt(args[1]);
        int stepSeconds = Integer.parseInt(args[2]);
        int rate = Integer.parseInt(args[3]);
        Files.createDirectories(dir);
        try {
            run(dir, n, stepSeconds, rate);
        } finally {
            for (long pid : STARTED_PIDS) {
                if (Processes.isRunning(pid)) {
                    Processes.signal(List.of(), pid, "TERM");
                }
            }
            SERVERS.forEach(s -> s.stop(0));
        }
        System.exit(0);
    }

    static void run(Path dir, int n, int stepSeconds, int rate) throws Exception {
        int port = freePort();
        Thalassa thalassa = Thalassa.builder().workDir(dir).haproxyBinary(HAPROXY).start();
        STARTED_PIDS.add(thalassa.controller().masterPid());
        List<ThalassaEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        thalassa.onEvent(events::add);
        for (int i = 0; i < 4; i++) {
            instance(thalassa, "1.0.0", 0);
        }
        thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                .await(Duration.ofSeconds(60));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (thalassa.config().backend("live").orElseThrow().members().size() < 4) {
            check(System.nanoTime() < deadline, "the 1.0.0 instances are not members within 60 s");
            Thread.sleep(50);
        }
        long reloads = thalassa.controller().reloadCount();
        Rollout.Guard guard = Rollout.Guard.defaults().maxErrorRatePct(1).maxResponseTime(Duration.ofSeconds(1))
                .minRequests(20);
        long budget = (long) n * (stepSeconds * 6L + 30); // every rollout well within its share of wrk's -d
        Path script = dir.resolve("pace.lua");
        int connections = 8;
        Files.writeString(script, "function delay() return " + Math.max(1, connections * 1000 / rate) + " end\n");

        // good versions, under wrk at a fixed rate
        Wrk good = Wrk.start(port, 2, connections, script, budget);
        Thread.sleep(1000);
        int completed = 0;
        String from = "1.0.0";
        for (int i = 1; i <= n; i++) {
            String to = "2.0." + i;
            instance(thalassa, to, 0);
            instance(thalassa, to, 0);
            awaitVersion(thalassa, to);
            long t0 = System.nanoTime();
            thalassa.rollout("live", Rollout.to(to).steps(10, 50, 100).every(Duration.ofSeconds(stepSeconds))
                    .guard(guard));
            RolloutStatus end = awaitEnd(thalassa, stepSeconds);
            boolean ok = end.state() == RolloutStatus.State.DONE;
            completed += ok ? 1 : 0;
            System.out.printf("good %s -> %s: %s in %.1f s (%s)%n", from, to, end.state().wireName(),
                    (System.nanoTime() - t0) / 1e9, end.reason());
            if (ok) {
                from = to;
            }
        }
        long failedGood = good.stop();

        // bad versions: 500 to one request in ten
        Wrk bad = Wrk.start(port, 2, connections, script, budget);
        Thread.sleep(1000);
        int aborted = 0;
        long after = 0;
        List<Double> detect = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String to = "9.0." + i;
            List<Instance> badOnes = List.of(instance(thalassa, to, 10), instance(thalassa, to, 10));
            awaitVersion(thalassa, to);
            long t0 = System.nanoTime();
            thalassa.rollout("live", Rollout.to(to).steps(10, 50, 100).every(Duration.ofSeconds(stepSeconds))
                    .guard(guard));
            RolloutStatus end = awaitEnd(thalassa, stepSeconds);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long atAbort = badOnes.stream().mapToLong(x -> x.requests().get()).sum();
            Thread.sleep(3000); // traffic goes on: none of it may reach the bad version
            long later = badOnes.stream().mapToLong(x -> x.requests().get()).sum() - atAbort;
            boolean ok = end.state() == RolloutStatus.State.ABORTED;
            aborted += ok ? 1 : 0;
            after += later;
            detect.add(seconds);
            System.out.printf("bad %s -> %s: %s in %.2f s, %d requests after the abort (%s)%n", from, to,
                    end.state().wireName(), seconds, later, end.reason());
        }
        bad.stop();
        long reloadCount = thalassa.controller().reloadCount() - reloads;
        thalassa.stop();
        double[] sorted = detect.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.println("load: good phase requests=" + good.requests + " failed=" + good.failed
                + "; bad phase requests=" + bad.requests + " non-2xx=" + bad.failed + "; events=" + events.size());
        System.out.printf("rollouts=%d good_completed=%d bad_aborted=%d abort_detect_s_p99=%.2f"
                + " bad_requests_after_abort=%d reloads=%d failed_requests_good=%d%n", 2 * n, completed, aborted,
                percentile(sorted, 99), after, reloadCount, failedGood);
    }

    static RolloutStatus awaitEnd(Thalassa thalassa, int stepSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(stepSeconds * 6L + 30);
        while (true) {
            RolloutStatus s = thalassa.rollout("live").orElseThrow();
            if (!s.state().active() || System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(20);
        }
    }

    static void awaitVersion(Thalassa thalassa, String version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (thalassa.registry().registrations("myapp", version).size() < 2) {
            check(System.nanoTime() < deadline, "instances of " + version + " not registered within 30 s");
            Thread.sleep(20);
        }
    }

    static Instance instance(Thalassa thalassa, String version, int failEvery) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        AtomicLong requests = new AtomicLong();
        byte[] body = version.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            long k = requests.incrementAndGet();
            ex.sendResponseHeaders(failEvery > 0 && k % failEvery == 0 ? 500 : 200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        SERVERS.add(server);
        thalassa.registry().register(Registration.of("myapp", version, "127.0.0.1", server.getAddress().getPort(),
                Map.of(), Duration.ofHours(1)));
        return new Instance(version, server, requests);
    }

    static void check(boolean ok, String why) {
        if (!ok) {
            throw new IllegalStateException(why);
        }
    }

    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** wrk against 127.0.0.1 at a bounded rate (a delay after each request), stopped with SIGINT; bounded by -d. */
    static final class Wrk {
        final Process process;
        final Path output;
        long requests;
        long failed;

        private Wrk(Process process, Path output) {
            this.process = process;
            this.output = output;
        }

        static Wrk start(int port, int threads, int connections, Path script, long seconds) throws IOException {
            Path out = Files.createTempFile("wrk", ".txt");
            List<String> cmd = List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--timeout",
                    "5s", "-s", script.toString(), "http://127.0.0.1:" + port + "/");
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
