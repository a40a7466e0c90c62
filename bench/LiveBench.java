import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.runtime.LiveStats;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The web UI's live stats at scale, run by bench/live.sh: HAProxy with B static backends of M members (default
 * 750 x 20 = 15,000, checks every 10 s, maxconn 1000/1000) plus a probe backend, through HaproxyController; then the
 * same run of membership changes of the probe three times: with no live stats reading, with the live view fed by the
 * whole {@code show stat} every tick (how LiveStats read before: "full"), and with LiveStats' bounded reads (the
 * frontend/backend rows plus about 1,000 servers a tick, changed backends first: "bounded"). A tick is what
 * ThalassaHttp does while a browser is connected (LiveStats.poll), here every 500 ms, the rate right after
 * changes. Per mode: a tick's time (p50/p99), the bytes read from HAProxy per tick, the membership latency (apply to
 * the first request the new member answers, p99), the time until the live view shows the new member UP (p99), and
 * HAProxy's CPU. Everything on 127.0.0.1; every loop bounded in count and time; HAProxy stopped by its pid.
 *
 * <pre>LiveBench &lt;workdir&gt; &lt;backends&gt; &lt;members&gt; &lt;changes per mode&gt;</pre>
 *
 * Last line: {@code servers=.. full_tick_ms_p50=.. full_tick_ms_p99=.. full_bytes_per_tick=..
 * bounded_tick_ms_p50=.. bounded_tick_ms_p99=.. bounded_bytes_per_tick=.. off_membership_p99_ms=..
 * full_membership_p99_ms=.. bounded_membership_p99_ms=.. full_up_p99_ms=.. bounded_up_p99_ms=..
 * off_haproxy_cpu_pct=.. full_haproxy_cpu_pct=.. bounded_haproxy_cpu_pct=..}
 */
public class LiveBench {
    static final String HAPROXY = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
    static final int MEMBER_PORT_BASE = Integer.parseInt(System.getenv().getOrDefault("LIVE_MEMBER_PORT_BASE",
            "21000"));
    static final Duration CHECK_INTERVAL = Duration.ofMillis(Long.parseLong(System.getenv()
            .getOrDefault("LIVE_CHECK_INTERVAL_MS", "10000")));
    static final long TICK_MS = 500;
    static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(120);
    static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final int POOL = 6;

    static HaproxyController controller;
    static long masterPid;
    static final List<HttpServer> apps = new ArrayList<>();
    static Selector selector;
    static volatile boolean listening = true;
    static volatile ThalassaConfig desired;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int backends = Integer.parseInt(args[1]);
        int members = Integer.parseInt(args[2]);
        int changes = Integer.parseInt(args[3]);
        if (members < 1 || members > 200 || backends < 1 || changes < 1 || changes > 1000) {
            throw new IllegalArgumentException("members 1..200, backends >= 1, changes 1..1000");
        }
        Files.createDirectories(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(LiveBench::cleanUp, "live-cleanup"));
        int exit = 0;
        try {
            run(dir, backends, members, changes);
        } catch (Exception e) {
            e.printStackTrace();
            exit = 1;
        } finally {
            cleanUp();
        }
        System.exit(exit);
    }

    static void run(Path dir, int backends, int members, int changes) throws Exception {
        startCheckListeners(members);
        for (int i = 0; i < POOL; i++) {
            apps.add(named("m" + i));
        }
        ThalassaConfig config = ThalassaConfig.empty();
        for (int b = 0; b < backends; b++) {
            Backend.Builder bb = Backend.staticBackend("big" + b).health(h -> h.interval(CHECK_INTERVAL));
            for (int m = 0; m < members; m++) {
                bb.member("127.0.0.1", MEMBER_PORT_BASE + m);
            }
            config = config.withBackend(bb.build());
        }
        int probePort = freePort();
        config = config.withFrontend(Frontend.builder("probe").bind("127.0.0.1:" + probePort)
                .defaultBackend("probe").build()).withBackend(Backend.dynamic("probe").service("probe", "v0")
                // a new member serves once its first check passed (health-gated joins): every 10 ms, no slowstart
                .balance(Balance.ROUNDROBIN).slowstart(Duration.ZERO).health(h -> h.interval(Duration.ofMillis(10)))
                .build().withMembers(List.of(member("v0", apps.get(0)))));
        int servers = backends * members + 1;
        Path ctl = dir.resolve("ctl");
        Files.createDirectories(ctl);
        HaproxySettings settings = HaproxySettings.builder().statsSocket(ctl.resolve("stats.sock"))
                .pidFile(ctl.resolve("haproxy.pid")).serverStateFile(ctl.resolve("server-state"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + freePort())).logTarget(null)
                .maxconn(1000, 1000).build();
        controller = HaproxyController.builder().binary(HAPROXY).configFile(ctl.resolve("haproxy.cfg"))
                .settings(settings).drainTimeout(Duration.ofSeconds(2)).reloadTimeout(Duration.ofSeconds(60))
                .stopOnClose(true).build();
        long t0 = System.nanoTime();
        controller.start(config);
        masterPid = controller.masterPid();
        desired = config;
        log("started HAProxy with %d servers in %d ms, master pid %d", servers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), masterPid);
        untilAnswer(probePort, "200 m0");
        RuntimeApi api = controller.runtimeApi();
        // the big backends' servers come up with their first checks (every 10 s): wait for them, bounded
        for (int i = 0; i < 60; i++) {
            long up = api.showStat().stream().filter(r -> r.type() == StatRow.Type.SERVER
                    && r.status().startsWith("UP")).count();
            if (up >= servers) {
                break;
            }
            Thread.sleep(1000);
        }
        Mode off = new Mode("off", null);
        Mode full = new Mode("full", fullSource(api));
        Mode bounded = new Mode("bounded", boundedSource(api));
        int[] version = {0};
        for (Mode mode : List.of(off, full, bounded)) {
            mode.run(changes, probePort, version);
            System.out.println(mode.summary());
        }
        System.out.println(String.format(Locale.ROOT, "servers=%d full_tick_ms_p50=%s full_tick_ms_p99=%s "
                        + "full_bytes_per_tick=%d bounded_tick_ms_p50=%s bounded_tick_ms_p99=%s "
                        + "bounded_bytes_per_tick=%d off_membership_p99_ms=%s full_membership_p99_ms=%s "
                        + "bounded_membership_p99_ms=%s full_up_p99_ms=%s bounded_up_p99_ms=%s "
                        + "off_haproxy_cpu_pct=%.1f full_haproxy_cpu_pct=%.1f bounded_haproxy_cpu_pct=%.1f", servers,
                fmt(full.ticks.p(50)), fmt(full.ticks.p(99)), full.bytesPerTick(), fmt(bounded.ticks.p(50)),
                fmt(bounded.ticks.p(99)), bounded.bytesPerTick(), fmt(off.membership.p(99)),
                fmt(full.membership.p(99)), fmt(bounded.membership.p(99)), fmt(full.up.p(99)),
                fmt(bounded.up.p(99)), off.haproxyCpuPct, full.haproxyCpuPct, bounded.haproxyCpuPct));
    }

    /** Counts the bytes HAProxy answered. */
    abstract static class Counting implements LiveStats.Source {
        final AtomicLong bytes = new AtomicLong();
    }

    /** As LiveStats read before: the whole show stat every tick. */
    static Counting fullSource(RuntimeApi api) {
        return new Counting() {
            List<StatRow> last = List.of();

            @Override
            public List<StatRow> all() {
                String answer = api.execute("show stat -1 -1 -1");
                bytes.addAndGet(answer.length());
                last = StatRow.parseCsv(answer);
                return last;
            }

            // LiveStats goes bounded above 5,000 servers: the proxies' call reads this tick's whole dump (once, as
            // before), the servers' call takes its rows from that dump
            @Override
            public List<StatRow> proxies() {
                return all().stream().filter(r -> r.type() != StatRow.Type.SERVER).toList();
            }

            @Override
            public List<StatRow> servers(List<StatRow> backends) {
                java.util.Set<String> wanted = new java.util.HashSet<>();
                backends.forEach(b -> wanted.add(b.proxy()));
                return last.stream().filter(r -> r.type() == StatRow.Type.SERVER && wanted.contains(r.proxy()))
                        .toList();
            }
        };
    }

    /** What StackBackplane gives LiveStats: show stat -1 3 -1, and show stat <b> 4 -1 per backend in one batch. */
    static Counting boundedSource(RuntimeApi api) {
        return new Counting() {
            @Override
            public List<StatRow> all() {
                String answer = api.execute("show stat -1 -1 -1");
                bytes.addAndGet(answer.length());
                return StatRow.parseCsv(answer);
            }

            @Override
            public List<StatRow> proxies() {
                String answer = api.execute("show stat -1 3 -1");
                bytes.addAndGet(answer.length());
                return StatRow.parseCsv(answer);
            }

            @Override
            public List<StatRow> servers(List<StatRow> backends) {
                List<String> commands = new ArrayList<>();
                for (StatRow b : backends) { // by id, as StackBackplane does: a frontend may have the same name
                    commands.add("show stat " + RuntimeApi.proxyId(b) + " 4 -1");
                }
                List<StatRow> out = new ArrayList<>();
                for (String answer : api.batch(commands)) {
                    bytes.addAndGet(answer.length());
                    for (StatRow r : StatRow.parseCsv(answer)) {
                        if (r.type() == StatRow.Type.SERVER) {
                            out.add(r);
                        }
                    }
                }
                return out;
            }
        };
    }

    static final class Samples {
        final long[] values = new long[10_000];
        int n;

        synchronized void add(long nanos) {
            if (n < values.length) {
                values[n++] = nanos;
            }
        }

        synchronized double p(int pct) {
            if (n == 0) {
                return Double.NaN;
            }
            long[] s = Arrays.copyOf(values, n);
            Arrays.sort(s);
            int idx = (int) Math.ceil(pct / 100.0 * s.length) - 1;
            return s[Math.max(0, Math.min(s.length - 1, idx))] / 1e6;
        }
    }

    /** One way of feeding the live view, while the probe's members change. */
    static final class Mode {
        final String name;
        final Counting source;
        final Samples ticks = new Samples();
        final Samples membership = new Samples();
        final Samples up = new Samples();
        long tickCount;
        long bytesBefore;
        double haproxyCpuPct;
        int timeouts;
        volatile LiveStats live;

        Mode(String name, Counting source) {
            this.name = name;
            this.source = source;
        }

        long bytesPerTick() {
            return tickCount == 0 ? 0 : (source.bytes.get() - bytesBefore) / tickCount;
        }

        void run(int changes, int probePort, int[] version) throws Exception {
            var ticker = Executors.newSingleThreadScheduledExecutor();
            if (source != null) {
                live = new LiveStats(source, () -> desired, 150, Duration.ofMillis(1500));
                live.poll(); // the first tick reads everything (as the first poll after start does)
                bytesBefore = source.bytes.get();
                ticker.scheduleWithFixedDelay(() -> {
                    long t = System.nanoTime();
                    try {
                        live.poll();
                    } catch (RuntimeException e) {
                        log("[%s] tick failed: %s", name, e);
                    }
                    ticks.add(System.nanoTime() - t);
                    synchronized (this) {
                        tickCount++;
                    }
                }, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            }
            long cpu0 = haproxyCpuTicks();
            long w0 = System.nanoTime();
            long deadline = w0 + PHASE_NANOS;
            try {
                for (int i = 0; i < changes && System.nanoTime() < deadline; i++) {
                    version[0]++;
                    int next = version[0] % POOL;
                    Member m = member("v" + version[0], apps.get(next));
                    Backend probe = desired.backend("probe").orElseThrow();
                    desired = desired.withBackend(probe.withService("probe", "v" + version[0])
                            .withMembers(List.of(m)));
                    long t = System.nanoTime();
                    controller.apply(desired);
                    boolean ok = false;
                    while (System.nanoTime() - t < WAIT_NANOS) {
                        if (get(probePort).equals("200 m" + next)) {
                            ok = true;
                            break;
                        }
                    }
                    membership.add(ok ? System.nanoTime() - t : WAIT_NANOS);
                    if (!ok) {
                        timeouts++;
                    }
                    if (live != null) { // until the live view shows the new member UP, bounded
                        boolean shown = false;
                        while (System.nanoTime() - t < WAIT_NANOS) {
                            Map<String, Object> s = live.memberStatus("probe").get(m.id());
                            if (s != null && "UP".equals(s.get("status"))) {
                                shown = true;
                                break;
                            }
                            Thread.sleep(20);
                        }
                        up.add(shown ? System.nanoTime() - t : WAIT_NANOS);
                        if (!shown) {
                            timeouts++;
                            log("[%s] change %d: the live view does not show %s UP within 10 s: %s", name, i, m.id(),
                                    live.memberStatus("probe"));
                        }
                    } else {
                        Thread.sleep(1500); // about the time the others wait for the view
                    }
                }
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(10, TimeUnit.SECONDS);
            }
            long wallNanos = System.nanoTime() - w0;
            long hz = 100; // USER_HZ on Linux
            haproxyCpuPct = 100.0 * (haproxyCpuTicks() - cpu0) / hz / (wallNanos / 1e9);
        }

        String summary() {
            return String.format(Locale.ROOT, "%s: ticks=%d tick_ms_p50=%s tick_ms_p99=%s bytes_per_tick=%d "
                            + "membership_ms_p50=%s membership_ms_p99=%s up_ms_p50=%s up_ms_p99=%s timeouts=%d "
                            + "haproxy_cpu_pct=%.1f", name, tickCount, fmt(ticks.p(50)), fmt(ticks.p(99)),
                    source == null ? 0 : bytesPerTick(), fmt(membership.p(50)), fmt(membership.p(99)),
                    fmt(up.p(50)), fmt(up.p(99)), timeouts, haproxyCpuPct);
        }
    }

    /** User and system CPU ticks of HAProxy's master and its workers (from /proc). */
    static long haproxyCpuTicks() {
        long total = 0;
        List<Long> pids = new ArrayList<>();
        pids.add(masterPid);
        ProcessHandle.of(masterPid).ifPresent(p -> p.children().forEach(c -> pids.add(c.pid())));
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return total;
    }

    /** The big backends' members: loopback ports that accept and close (HAProxy's TCP checks). */
    static void startCheckListeners(int count) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < count; i++) {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress("127.0.0.1", MEMBER_PORT_BASE + i), 4096);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_ACCEPT);
        }
        Thread t = new Thread(() -> {
            while (listening) {
                try {
                    selector.select(500);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel c;
                        while (k.isValid() && (c = ((ServerSocketChannel) k.channel()).accept()) != null) {
                            c.close();
                        }
                    }
                    selector.selectedKeys().clear();
                } catch (IOException | RuntimeException e) {
                    if (listening) {
                        log("check listeners: %s", e);
                    }
                }
            }
        }, "check-listeners");
        t.setDaemon(true);
        t.start();
    }

    static synchronized void cleanUp() {
        if (controller != null) {
            try {
                controller.close(); // stopOnClose: stops its HAProxy by the master pid
            } catch (RuntimeException e) {
                log("close: %s", e.getMessage());
            }
            controller = null;
        }
        if (masterPid > 0 && Processes.isRunning(masterPid)) {
            Processes.signal(List.of(), masterPid, "TERM");
        }
        for (HttpServer s : apps) {
            s.stop(0);
        }
        apps.clear();
        listening = false;
        if (selector != null) {
            for (SelectionKey k : selector.keys()) {
                try {
                    k.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }

    static Member member(String version, HttpServer server) {
        return Member.registered("probe", version, "127.0.0.1", server.getAddress().getPort(), null, null);
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
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server;
    }

    static void untilAnswer(int port, String want) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (get(port).equals(want)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the probe does not answer " + want);
    }

    /** GET / on a new connection, HTTP/1.0: "<status> <body>". */
    static String get(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int body = text.indexOf("\r\n\r\n");
            return text.length() < 12 ? "short" : text.substring(9, 12) + " " + (body < 0 ? "" : text.substring(body + 4));
        } catch (IOException e) {
            return "error";
        }
    }

    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                int port = s.getLocalPort();
                if (port < MEMBER_PORT_BASE || port > MEMBER_PORT_BASE + 1000) {
                    return port;
                }
            }
        }
    }

    static String fmt(double ms) {
        return Double.isNaN(ms) ? "NA" : String.format(Locale.ROOT, "%.1f", ms);
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
