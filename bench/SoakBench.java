import com.sun.net.httpserver.HttpServer;
import io.thalassa.consul.ConsulAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak harness (run by bench/soak.sh): the daemon (its shaded jar, a separate process) on a real Consul agent, for
 * SOAK_MIN minutes: a member joins or leaves every second, a version switch every 10 s, a structural change every
 * minute, wrk at a bounded rate throughout, Consul frozen (SIGSTOP) for 20 s every 5 minutes. Samples the daemon's
 * RSS, heap after GC, threads, fds and HAProxy's old workers; checks every second that the backend is never emptied.
 * Everything on 127.0.0.1, every process stopped by its pid. Prints one line:
 * minutes= failed_requests= rss_growth_pct_per_h= threads_growth= fds_growth= old_workers_max= held_removals=
 * wrongly_emptied=
 * Usage: SoakBench <minutes> <daemon jar> <work dir>
 */
public class SoakBench {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final int PER_VERSION = 10;
    /** The instances of each version churn never takes away. */
    static final int MIN_PER_VERSION = 2;

    public static void main(String[] args) throws Exception {
        int minutes = Integer.parseInt(args[0]);
        Path jar = Path.of(args[1]);
        Path work = Path.of(args[2]);
        Files.createDirectories(work);
        List<HttpServer> apps = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        try (ConsulAgent agent = ConsulAgent.start(work.resolve("consul"))) {
            int[] ports = new int[2 * PER_VERSION];
            for (int i = 0; i < ports.length; i++) {
                HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
                s.createContext("/", ex -> {
                    byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                });
                s.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "app");
                    t.setDaemon(true); // the harness ends when main does
                    return t;
                }));
                s.start();
                apps.add(s);
                ports[i] = s.getAddress().getPort();
            }
            int api = free();
            int reg = free();
            int fe = free();
            // the daemon runs its own copy: a build during the soak does not change the jar under it
            Path daemonJar = Files.copy(jar, work.resolve("thalassa.jar"));
            List<String> command = new ArrayList<>(List.of("java"));
            command.addAll(launcherJavaOpts()); // run as the package runs it
            String trim = launcherValue("TRIM_NATIVE_HEAP_MS");
            if (!trim.equals("0")) { // the launcher adds it where the JVM knows it (this one: 17.0.9 or later)
                command.add("-XX:TrimNativeHeapInterval=" + trim);
            }
            String extra = System.getenv().getOrDefault("SOAK_JAVA_OPTS", "").trim();
            if (!extra.isEmpty()) { // an experiment's flags after the launcher's (the later flag wins)
                command.addAll(List.of(extra.split(" +")));
            }
            boolean nmt = command.stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking=")
                    && !f.endsWith("=off"));
            command.addAll(List.of("-jar", daemonJar.toString(),
                    "--host", "127.0.0.1",
                    "--port", "" + api, "--registrationPort", "" + reg, "--dbPath", work.resolve("db").toString(),
                    "--haproxyCfgPath", work.resolve("haproxy.cfg").toString(), "--haproxySocketPath",
                    work.resolve("stats.sock").toString(), "--haproxyPidPath", work.resolve("haproxy.pid").toString(),
                    "--haproxyBinary", System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy"),
                    "--statsPort", "" + free(), "--registry", "consul", "--serviceReg", "127.0.0.1",
                    "--serviceRegPort", "" + agent.httpPort(), "--reloadWindow", "500ms", "--haproxyUser="));
            ProcessBuilder daemonBuilder = new ProcessBuilder(command);
            daemonBuilder.environment().put("MALLOC_ARENA_MAX", launcherValue("MALLOC_ARENA_MAX"));
            System.err.println("daemon: MALLOC_ARENA_MAX=" + launcherValue("MALLOC_ARENA_MAX") + " " + command);
            Process daemon = daemonBuilder.redirectErrorStream(true).redirectOutput(work.resolve("daemon.log").toFile()).start();
            processes.add(daemon);
            String base = "http://127.0.0.1:" + api;
            awaitOk(base + "/health/live", Duration.ofSeconds(60));
            Random random = new Random(21);
            boolean[] on = new boolean[ports.length];
            for (int i = 0; i < ports.length; i++) {
                if (i % PER_VERSION < PER_VERSION / 2) {
                    register(agent, ports[i], i < PER_VERSION ? "1.0.0" : "2.0.0");
                    on[i] = true;
                }
            }
            put(base + "/backends/live", "{\"type\":\"dynamic\",\"name\":\"soak\",\"version\":\"1.0.0\","
                    + "\"mode\":\"http\"}");
            put(base + "/frontends/web", "{\"bind\":\"127.0.0.1:" + fe + "\",\"backend\":\"live\",\"mode\":\"http\"}");
            Path lua = work.resolve("rate.lua");
            Files.writeString(lua, "function delay() return 5 end\n"); // 4 connections, 5 ms apart: <= 800 req/s
            long wrkFailures = 0;
            Process wrk = null;
            long start = System.nanoTime();
            long end = start + TimeUnit.MINUTES.toNanos(minutes);
            long nextSample = start;
            long nextWrk = start;
            List<double[]> samples = new ArrayList<>(); // t_s, rss_kb, heap_kb, threads, fds
            int oldWorkersMax = 0;
            int wronglyEmptied = 0;
            String version = "1.0.0";
            int second = 0;
            boolean frozen = false;
            while (System.nanoTime() < end && second < minutes * 60 + 5) { // bounded in time and in count
                long tick = start + TimeUnit.SECONDS.toNanos(second);
                long sleep = tick - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
                if (System.nanoTime() >= nextWrk) {
                    if (wrk != null) {
                        wrkFailures += wrkFailures(wrk);
                    }
                    long left = Math.max(1, Math.min(60, (end - System.nanoTime()) / 1_000_000_000L));
                    wrk = new ProcessBuilder("wrk", "-t1", "-c4", "-d" + left + "s", "-s", lua.toString(),
                            "http://127.0.0.1:" + fe + "/").redirectErrorStream(true).start();
                    processes.add(wrk);
                    nextWrk = System.nanoTime() + TimeUnit.SECONDS.toNanos(left);
                }
                int inCycle = second % 300;
                if (inCycle == 150 && !frozen) {
                    agent.freeze();
                    frozen = true;
                } else if (inCycle == 170 && frozen) {
                    agent.thaw();
                    frozen = false;
                }
                if (!frozen) { // a member joins or leaves every second
                    int i = random.nextInt(ports.length);
                    String v = i < PER_VERSION ? "1.0.0" : "2.0.0";
                    int ofVersion = 0;
                    for (int k = 0; k < ports.length; k++) {
                        ofVersion += on[k] && (k < PER_VERSION) == (i < PER_VERSION) ? 1 : 0;
                    }
                    // churn, never an empty version: a switch to a version with no instance empties the pool by
                    // design, which is not what this soak is about
                    boolean keep = on[i] && ofVersion <= MIN_PER_VERSION;
                    try {
                        if (on[i] && !keep) {
                            agent.put("/v1/agent/service/deregister/soak-" + ports[i], "");
                            on[i] = false;
                        } else if (!on[i]) {
                            register(agent, ports[i], v);
                            on[i] = true;
                        }
                    } catch (IOException e) {
                        // the agent may be thawing
                    }
                }
                if (second % 10 == 5) {
                    version = version.equals("1.0.0") ? "2.0.0" : "1.0.0";
                    put(base + "/backends/live", "{\"type\":\"dynamic\",\"name\":\"soak\",\"version\":\"" + version
                            + "\",\"mode\":\"http\"}");
                }
                if (second % 60 == 30) { // structural: a frontend comes or goes
                    int n = second / 60;
                    if (n % 2 == 0) {
                        put(base + "/frontends/extra", "{\"bind\":\"127.0.0.1:" + free() + "\",\"backend\":\"live\","
                                + "\"mode\":\"http\"}");
                    } else {
                        send("DELETE", base + "/frontends/extra", null);
                    }
                }
                String live = send("GET", base + "/backends/live", null);
                int registered = 0;
                for (int i = 0; i < ports.length; i++) {
                    registered += on[i] && (i < PER_VERSION) == version.equals("1.0.0") ? 1 : 0;
                }
                if (registered > 0 && live != null && live.contains("\"members\":[]")) {
                    wronglyEmptied++;
                }
                if (System.nanoTime() >= nextSample) {
                    samples.add(sample(daemon.pid(), (System.nanoTime() - start) / 1e9));
                    if (nmt && samples.size() % 20 == 1) { // every 5 minutes: where the JVM's own memory is
                        Files.writeString(work.resolve("nmt.txt"), String.format(Locale.ROOT, "== t=%.0f s%n%s%n",
                                samples.get(samples.size() - 1)[0], run("jcmd", "" + daemon.pid(),
                                        "VM.native_memory", "summary")), java.nio.file.StandardOpenOption.CREATE,
                                java.nio.file.StandardOpenOption.APPEND);
                    }
                    oldWorkersMax = Math.max(oldWorkersMax, oldWorkers(work.resolve("haproxy.pid")));
                    nextSample += TimeUnit.SECONDS.toNanos(15);
                }
                second++;
            }
            if (frozen) {
                agent.thaw();
            }
            if (wrk != null) {
                wrkFailures += wrkFailures(wrk);
            }
            String metrics = send("GET", base + "/metrics", null);
            Matcher held = Pattern.compile("(?m)^thalassa_removals_held_total\\S* ([0-9.]+)").matcher(metrics == null
                    ? "" : metrics);
            long heldRemovals = held.find() ? (long) Double.parseDouble(held.group(1)) : -1;
            // the growth after the first 5 minutes (the JVM's warm-up), as the issue measures it: the slope of a
            // least-squares line through every sample from then on (one sample taken just before or after a GC or a
            // trim moves the end points by megabytes), as a share of the line's value at its start; a shorter run
            // from its second sample. The end points are printed too.
            double from = samples.get(samples.size() - 1)[0] >= 600 ? 300 : samples.get(Math.min(1,
                    samples.size() - 1))[0];
            List<double[]> after = samples.stream().filter(x -> x[0] >= from).toList();
            double[] first = after.get(0);
            double[] last = after.get(after.size() - 1);
            double n = after.size();
            double sx = 0;
            double sy = 0;
            double sxy = 0;
            double sxx = 0;
            for (double[] x : after) {
                double h = x[0] / 3600;
                sx += h;
                sy += x[1];
                sxy += h * x[1];
                sxx += h * h;
            }
            double denominator = n * sxx - sx * sx;
            double slope = denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator; // kB an hour
            double atStart = (sy - slope * sx) / n + slope * first[0] / 3600;
            System.out.printf(Locale.ROOT, "minutes=%d failed_requests=%d rss_growth_pct_per_h=%.1f"
                    + " threads_growth=%d fds_growth=%d old_workers_max=%d held_removals=%d wrongly_emptied=%d"
                    + " rss_mb=%.0f->%.0f rss_fit_mb_per_h=%.1f heap_after_gc_mb=%.0f->%.0f%n", minutes, wrkFailures,
                    slope / atStart * 100, (long) (last[3] - first[3]), (long) (last[4] - first[4]), oldWorkersMax,
                    heldRemovals, wronglyEmptied, first[1] / 1024, last[1] / 1024, slope / 1024, first[2] / 1024,
                    last[2] / 1024);
            Files.writeString(work.resolve("samples.tsv"), String.join("\n", samples.stream().map(s -> String.format(
                    Locale.ROOT, "%.0f\t%.0f\t%.0f\t%.0f\t%.0f", s[0], s[1], s[2], s[3], s[4])).toList()) + "\n");
            daemon.destroy();
            daemon.waitFor(20, TimeUnit.SECONDS);
            stopHaproxy(work.resolve("haproxy.pid"));
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (HttpServer s : apps) {
                s.stop(0);
            }
        }
    }

    static void register(ConsulAgent agent, int port, String version) throws Exception {
        agent.put("/v1/agent/service/register", "{\"ID\":\"soak-" + port + "\",\"Name\":\"soak\",\"Address\":"
                + "\"127.0.0.1\",\"Port\":" + port + ",\"Meta\":{\"version\":\"" + version + "\"}}");
    }

    /** The package launcher's default JVM options (thalassa-deb's /usr/bin/thalassa). */
    static List<String> launcherJavaOpts() throws IOException {
        return List.of(launcherValue("JAVA_OPTS").split(" +"));
    }

    /** A {@code NAME=value} or {@code NAME="value"} default of the package launcher. */
    static String launcherValue(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("thalassa-deb/src/deb/data/usr/bin/thalassa"))) {
            if (line.startsWith(name + "=")) {
                return line.substring(name.length() + 1).replace("\"", "");
            }
        }
        throw new IllegalStateException(name + " not set in thalassa-deb/src/deb/data/usr/bin/thalassa");
    }

    /** t, RSS kB, heap used after a GC kB, threads, fds of the daemon. */
    static double[] sample(long pid, double t) throws Exception {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        double rss = field(status, "VmRSS");
        double threads = field(status, "Threads");
        long fds;
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = s.count();
        }
        run("jcmd", "" + pid, "GC.run");
        String heap = run("jcmd", "" + pid, "GC.heap_info");
        Matcher m = Pattern.compile("used ([0-9]+)K").matcher(heap);
        double used = m.find() ? Double.parseDouble(m.group(1)) : 0;
        return new double[] {t, rss, used, threads, fds};
    }

    static double field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ":\\s+([0-9]+)").matcher(status);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** HAProxy workers beyond the current one: children of the master (its pid file) minus one. */
    static int oldWorkers(Path pidFile) {
        try {
            long master = Long.parseLong(Files.readString(pidFile).trim().split("\\s+")[0]);
            String children = Files.readString(Path.of("/proc/" + master + "/task/" + master + "/children")).trim();
            return children.isEmpty() ? 0 : Math.max(0, children.split("\\s+").length - 1);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static void stopHaproxy(Path pidFile) {
        try {
            long master = Long.parseLong(Files.readString(pidFile).trim().split("\\s+")[0]);
            ProcessHandle.of(master).ifPresent(ProcessHandle::destroy);
        } catch (IOException | RuntimeException ignored) {
            // not running
        }
    }

    static long wrkFailures(Process wrk) throws Exception {
        if (!wrk.waitFor(90, TimeUnit.SECONDS)) {
            wrk.destroyForcibly();
        }
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        long failed = 0;
        Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                failed += Long.parseLong(errors.group(g));
            }
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        if (non2xx.find()) {
            failed += Long.parseLong(non2xx.group(1));
        }
        return failed;
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void put(String url, String json) {
        send("PUT", url, json);
    }

    static String send(String method, String url, String json) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    static void awaitOk(String url, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            if (send("GET", url, null) != null) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " did not answer within " + within);
    }
}
