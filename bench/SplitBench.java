import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.SplitWeights;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.internal.Processes;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canary steps under load, run by bench/split.sh: a backend with 4 instances of 1.0.0 and 1 of 2.0.0 goes through
 * 100/0, 95/5, 75/25, 50/50, 0/100 and back to 100/0 (each round), through the library's {@code apply}, under wrk.
 * Each step is timed from the apply call until {@code show servers state} shows the new weights (and the version at 0
 * drained); then the share each version serves is counted by the instances themselves over at least 2,000 requests
 * (and 1 s). A first round warms the JVM up and is printed but not counted.
 * Everything listens on 127.0.0.1; every loop is bounded in count and time; every process started here is stopped by
 * its pid.
 *
 * <pre>
 *   SplitBench &lt;workdir&gt; &lt;rounds&gt;
 * </pre>
 */
public class SplitBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final List<Long> STARTED_PIDS = new ArrayList<>();
    static final int[][] STEPS = {{100, 0}, {95, 5}, {75, 25}, {50, 50}, {0, 100}, {100, 0}};
    static final long MIN_REQUESTS = 2_000;
    static final long MIN_STEP_MS = 1_000;
    static final long MAX_STEP_MS = 20_000;

    record Instance(String version, HttpServer server, AtomicLong requests) {
        Member member() {
            return Member.registered("myapp", version, "127.0.0.1", server.getAddress().getPort(), null, null);
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int rounds = Integer.parseInt(args[1]);
        Files.createDirectories(dir);
        try {
            run(dir, rounds);
        } finally {
            for (long pid : STARTED_PIDS) {
                if (Processes.isRunning(pid)) {
                    Processes.signal(List.of(), pid, "TERM");
                }
            }
        }
        System.exit(0);
    }

    static void run(Path dir, int rounds) throws Exception {
        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            instances.add(instance("1.0.0"));
        }
        instances.add(instance("2.0.0"));
        List<Member> members = instances.stream().map(Instance::member).toList();
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
        // no slowstart: the default 10 s ramp of a joining member is not the split being measured; a 100 ms check:
        // a version back from 0 % joins once HAProxy's first check of its members passed (health-gated joins)
        Backend single = Backend.dynamic("live").service("myapp", "1.0.0").balance(Balance.ROUNDROBIN)
                .slowstart(Duration.ZERO).health(h -> h.uri("/health").interval(Duration.ofMillis(100))).build()
                .withMembers(members.stream().filter(m -> m.version().equals("1.0.0")).toList());
        controller.start(config(port, single));
        STARTED_PIDS.add(controller.masterPid());
        Wrk load = Wrk.start(port, 1, 8);
        Thread.sleep(1000);

        List<Long> stepNanos = new ArrayList<>(); // steps whose versions were all serving before: weights alone
        List<Long> joinNanos = new ArrayList<>(); // steps where a version at 0 % comes back: its members join
        Map<String, Integer> previous = Map.of("1.0.0", 100, "2.0.0", 0);
        double maxError = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        // round 0 warms the JVM up (the daemon runs long; its first split is slower): timed, printed, not counted
        for (int round = 0; round <= rounds && System.nanoTime() < deadline; round++) {
            for (int[] step : STEPS) {
                Map<String, Integer> split = new TreeMap<>(Map.of("1.0.0", step[0], "2.0.0", step[1]));
                Map<String, Integer> before0 = previous;
                boolean joins = split.entrySet().stream().anyMatch(e -> e.getValue() > 0
                        && before0.getOrDefault(e.getKey(), 0) == 0);
                previous = split;
                Backend backend = single.withSplit(split).withMembers(members);
                Map<String, Integer> expected = SplitWeights.memberWeights(backend.split().orElseThrow(), members);
                long t0 = System.nanoTime();
                ApplyResult r = controller.apply(config(port, backend));
                if (r.kind() != ApplyResult.Kind.RUNTIME && r.kind() != ApplyResult.Kind.NOOP) {
                    throw new IllegalStateException("step " + split + " was " + r.kind());
                }
                long applied = System.nanoTime() - t0;
                awaitWeights(controller.runtimeApi(), expected, t0 + TimeUnit.SECONDS.toNanos(5));
                long seen = System.nanoTime() - t0;
                if (round == 0) {
                    System.out.printf("warm-up step %s: apply_ms=%.2f weights_seen_ms=%.2f%n", split, applied / 1e6,
                            seen / 1e6);
                    Thread.sleep(200);
                    continue;
                }
                (joins ? joinNanos : stepNanos).add(seen);
                Thread.sleep(100); // requests in flight when the weights changed finish
                Map<String, Long> before = counts(instances);
                long start = System.nanoTime();
                long total;
                Map<String, Long> served;
                do {
                    Thread.sleep(50);
                    served = delta(before, counts(instances));
                    total = served.values().stream().mapToLong(Long::longValue).sum();
                } while ((total < MIN_REQUESTS || System.nanoTime() - start < MIN_STEP_MS * 1_000_000)
                        && System.nanoTime() - start < MAX_STEP_MS * 1_000_000);
                StringBuilder line = new StringBuilder();
                for (Map.Entry<String, Integer> e : split.entrySet()) {
                    double share = total == 0 ? 0 : 100.0 * served.getOrDefault(e.getKey(), 0L) / total;
                    double error = Math.abs(share - e.getValue());
                    if (total < MIN_REQUESTS) {
                        error = 100; // too few requests to measure: counted as a failure of the step
                    }
                    maxError = Math.max(maxError, error);
                    line.append(String.format(" %s=%.2f%%(want %d)", e.getKey(), share, e.getValue()));
                }
                System.out.printf("step %s: apply_ms=%.2f weights_seen_ms=%.2f requests=%d%s%n", split,
                        applied / 1e6, seen / 1e6, total, line);
            }
        }
        Thread.sleep(300);
        long failed = load.stop();
        long reloads = controller.reloadCount() + reloadEvents.get();
        controller.stopHaproxy();
        for (Instance i : instances) {
            i.server().stop(0);
        }
        long[] sorted = stepNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] joinSorted = joinNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.println("load: requests=" + load.requests + " failed=" + load.failed);
        System.out.printf("steps=%d max_share_error_pct=%.2f reloads=%d failed_requests=%d step_p99_ms=%.1f"
                + " join_steps=%d join_p99_ms=%.1f%n", sorted.length + joinSorted.length, maxError, reloads, failed,
                percentile(sorted, 99), joinSorted.length, percentile(joinSorted, 99));
    }

    /** Polls {@code show servers state} until every served member has its weight and no other member is ready. */
    static void awaitWeights(RuntimeApi api, Map<String, Integer> expected, long deadline) throws Exception {
        while (true) {
            Map<String, Integer> ready = new HashMap<>();
            for (RuntimeApi.ServerStateRow row : api.showServersState("live")) {
                boolean maint = (row.adminState() & 0x01) != 0 || (row.adminState() & 0x20) != 0;
                boolean drain = (row.adminState() & 0x08) != 0;
                if (!maint && !drain && row.port() != 1) {
                    ready.put(io.thalassa.Member.addressOf(row.address(), row.port()), row.weight());
                }
            }
            boolean ok = true;
            for (Map.Entry<String, Integer> e : expected.entrySet()) {
                Integer w = ready.get(e.getKey());
                ok &= e.getValue() == 0 ? w == null : e.getValue().equals(w);
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("weights not in HAProxy within 5 s: want " + expected + ", ready "
                        + ready);
            }
            Thread.sleep(1);
        }
    }

    static Map<String, Long> counts(List<Instance> instances) {
        Map<String, Long> out = new TreeMap<>();
        for (Instance i : instances) {
            out.merge(i.version(), i.requests().get(), Long::sum);
        }
        return out;
    }

    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((v, n) -> out.put(v, n - before.getOrDefault(v, 0L)));
        return out;
    }

    static ThalassaConfig config(int port, Backend live) {
        return ThalassaConfig.empty().withBackend(live)
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build());
    }

    static Instance instance(String version) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        AtomicLong requests = new AtomicLong();
        byte[] body = version.getBytes(StandardCharsets.UTF_8);
        server.createContext("/health", ex -> { // HAProxy's checks: not counted as served
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return new Instance(version, server, requests);
    }

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
                .serverStateFile(dir.resolve("server-state"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + freePort())).logTarget(null).build();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
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

        static Wrk start(int port, int threads, int connections) throws IOException {
            Path out = Files.createTempFile("wrk", ".txt");
            List<String> cmd = List.of("wrk", "-t" + threads, "-c" + connections, "-d300s", "--timeout", "5s",
                    "http://127.0.0.1:" + port + "/");
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
