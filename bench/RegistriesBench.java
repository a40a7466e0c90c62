import io.thalassa.Backend;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.consul.ConsulAgent;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.dns.DnsRegistry;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.zookeeper.ZookeeperRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registries benchmark harness (run by bench/registries.sh). Part 1, per registry (embedded, consul, zookeeper, dns):
 * alternately adds and removes a 127.0.0.1 instance next to 4 that stay, and times each from the registry write (for
 * DNS: nsupdate done) until HAProxy's runtime shows the member in or out. Part 2, load: 750 services watched through
 * a counting loopback relay, requests per second to Consul and to ZooKeeper idle and during churn, and Consul's
 * reconnects after a 10 s outage (per 100 ms). Every loop is bounded in count and time.
 * Usage: RegistriesBench <events> <dnsEvents> <zkConnect> <dnsPort> <workDir> <consulLogDir>
 */
public class RegistriesBench {
    static final String ZONE = "svc.example";

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        int dnsEvents = Integer.parseInt(args[1]);
        String zk = args[2];
        int dnsPort = Integer.parseInt(args[3]);
        Path work = Path.of(args[4]);
        Path consulLogs = Path.of(args[5]);
        try (EmbeddedRegistry embedded = EmbeddedRegistry.create()) {
            latency("embedded", embedded, events, work.resolve("embedded"), (port, add) -> {
                if (add) {
                    embedded.register(reg(port));
                } else {
                    embedded.deregister("bench", "1.0.0", "127.0.0.1", port);
                }
            });
        }
        // 750 blocking watches are 750 connections: past Consul's default of 200 per client
        try (ConsulAgent agent = ConsulAgent.start(consulLogs, "-hcl", "limits { http_max_conns_per_client = 2000 }")) {
            ConsulRegistry consul = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort()).build();
            latency("consul", consul, events, work.resolve("consul"), (port, add) -> {
                if (add) {
                    consul.register(reg(port));
                } else {
                    consul.deregister("bench", "1.0.0", "127.0.0.1", port);
                }
            });
            consulLoad(agent);
        }
        ZookeeperRegistry zookeeper = ZookeeperRegistry.builder().connect(zk).build();
        latency("zookeeper", zookeeper, events, work.resolve("zookeeper"), (port, add) -> {
            if (add) {
                zookeeper.register(reg(port));
            } else {
                zookeeper.deregister("bench", "1.0.0", "127.0.0.1", port);
            }
        });
        zookeeperLoad(zk);
        DnsRegistry dns = DnsRegistry.builder().server("127.0.0.1", dnsPort)
                .name("_{service}._tcp.v{version}." + ZONE + ".").intervals(Duration.ofMillis(100),
                        Duration.ofSeconds(60)).build();
        String srv = "_bench._tcp.v1-0-0." + ZONE + ".";
        for (int p = 19000; p < 19004; p++) {
            nsupdate(dnsPort, "update add " + srv + " 1 IN SRV 0 100 " + p + " app." + ZONE + ".");
        }
        latency("dns", dns, dnsEvents, work.resolve("dns"), (port, add) -> nsupdate(dnsPort, (add ? "update add "
                + srv + " 1 IN SRV 0 100 " : "update delete " + srv + " SRV 0 100 ") + port + " app." + ZONE + "."));
    }

    interface Change {
        void apply(int port, boolean add) throws Exception;
    }

    static Registration reg(int port) {
        return Registration.of("bench", "1.0.0", "127.0.0.1", port, Map.of(), Duration.ofMinutes(10));
    }

    /** Part 1: event to member in HAProxy, one line. */
    static void latency(String name, Registry registry, int events, Path dir, Change change) throws Exception {
        int warmup = Math.max(4, events / 10);
        int feport;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            feport = s.getLocalPort();
        }
        Files.createDirectories(dir);
        java.util.concurrent.LinkedBlockingQueue<Long> applied = new java.util.concurrent.LinkedBlockingQueue<>();
        Thalassa t = Thalassa.builder().workDir(dir).haproxyBinary(System.getenv().getOrDefault(
                "THALASSA_HAPROXY_BINARY", "haproxy")).registry(registry).reloadWindow(Duration.ZERO)
                .listener(e -> {
                    if (e.verb() == io.thalassa.ThalassaEvent.Verb.RUNTIME_CHANGE) {
                        applied.add(System.nanoTime()); // the runtime API commands are done
                    }
                }).start();
        try {
            t.update(c -> c.withBackend(Backend.dynamic("bench").service("bench", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + feport).defaultBackend("bench")
                            .build())).await(Duration.ofSeconds(60));
            if (!name.equals("dns")) {
                for (int p = 19000; p < 19004; p++) {
                    change.apply(p, true);
                }
            }
            RuntimeApi api = t.controller().runtimeApi();
            awaitServed(api, 4, 19000, true, Duration.ofSeconds(30));
            double[] ms = new double[events];
            for (int i = 0; i < warmup + events; i++) {
                int port = 20000 + i / 2;
                boolean add = i % 2 == 0;
                applied.clear();
                change.apply(port, add);
                long t0 = System.nanoTime();
                long seen = awaitApplied(applied, api, add ? 5 : 4, port, add, Duration.ofSeconds(20));
                if (i >= warmup) {
                    ms[i - warmup] = (seen - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "registry=%s events=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n", name,
                    events, pct(ms, 50), pct(ms, 99), ms[ms.length - 1]);
        } finally {
            t.stop();
            registry.close();
        }
    }

    /**
     * When HAProxy got the change: the first runtimeChange after which its runtime shows it (checked once per event,
     * so the measurement does not load HAProxy's CLI); bounded.
     */
    static long awaitApplied(java.util.concurrent.BlockingQueue<Long> applied, RuntimeApi api, int count, int port,
            boolean in, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            Long at = applied.poll(Math.max(1, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (at != null && served(api, count, port, in)) {
                return at;
            }
        }
        throw new IllegalStateException("HAProxy did not get the change of " + port + " within " + within);
    }

    static boolean served(RuntimeApi api, int count, int port, boolean in) {
        int n = 0;
        boolean has = false;
        for (RuntimeApi.ServerStateRow r : api.showServersState("bench")) {
            if ((r.adminState() & 0x7b) == 0) { // neither in maintenance nor draining: it takes new requests
                n++;
                has |= r.port() == port;
            }
        }
        return n == count && has == in;
    }

    /** Polls HAProxy's runtime (bounded) until backend bench serves {@code count} members, {@code port} in or out. */
    static void awaitServed(RuntimeApi api, int count, int port, boolean in, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            int n = 0;
            boolean has = false;
            for (RuntimeApi.ServerStateRow r : api.showServersState("bench")) {
                if (!r.inMaintenance()) {
                    n++;
                    has |= r.port() == port;
                }
            }
            if (n == count && has == in) {
                return;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("HAProxy did not serve " + count + " members with " + port + (in ? "" : " not")
                + " in within " + within);
    }

    static double pct(double[] sorted, int p) {
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static void nsupdate(int port, String line) throws Exception {
        Process p = new ProcessBuilder("nsupdate").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(("server 127.0.0.1 " + port + "\nzone " + ZONE + "\n" + line + "\nsend\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("nsupdate failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    // ------------------------------------------------------------------ part 2: load

    static final int SERVICES = 750;

    static void consulLoad(ConsulAgent agent) throws Exception {
        try (Relay relay = new Relay(agent.httpPort(), false);
             ConsulRegistry watching = ConsulRegistry.builder().agent("127.0.0.1", relay.port()).build()) {
            List<Registry.Subscription> subs = new ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                subs.add(watching.subscribe("svc" + i, "1.0.0", s -> { }));
            }
            Thread.sleep(5000); // every first query answered
            // longer than the blocking wait (30 s + jitter): every watch returns at least once
            double idle = rate(relay, Duration.ofSeconds(65), null);
            double churn = rate(relay, Duration.ofSeconds(20), i -> agent.put("/v1/agent/service/register",
                    "{\"ID\":\"c" + (i % 40) + "\",\"Name\":\"svc" + (i % 50) + "\",\"Address\":\"127.0.0.1\","
                            + "\"Port\":" + (30000 + i % 40) + ",\"Meta\":{\"version\":\"1.0.0\"}}"));
            relay.down(true);
            Thread.sleep(10_000);
            long upAt = System.nanoTime();
            relay.hits.clear();
            relay.down(false);
            Thread.sleep(8000);
            long[] buckets = new long[80];
            long last = 0;
            for (long hit : relay.hits) {
                int b = (int) ((hit - upAt) / 100_000_000L);
                if (b >= 0 && b < buckets.length) {
                    buckets[b]++;
                    last = Math.max(last, hit - upAt);
                }
            }
            long peak = Arrays.stream(buckets).max().orElse(0);
            System.out.printf(Locale.ROOT, "load=consul services=%d idle_rps=%.1f churn_rps=%.1f churn_changes_per_s=20"
                    + " reconnect_requests=%d reconnect_peak_per_100ms=%d reconnect_spread_ms=%d%n", SERVICES, idle,
                    churn, Arrays.stream(buckets).sum(), peak, last / 1_000_000);
            subs.forEach(Registry.Subscription::close);
        }
    }

    static void zookeeperLoad(String zk) throws Exception {
        int port = Integer.parseInt(zk.substring(zk.lastIndexOf(':') + 1));
        try (Relay relay = new Relay(port, true);
             ZookeeperRegistry watching = ZookeeperRegistry.builder().connect("127.0.0.1:" + relay.port()).build();
             ZookeeperRegistry writer = ZookeeperRegistry.builder().connect(zk).build()) {
            List<Registry.Subscription> subs = new ArrayList<>();
            for (int i = 0; i < SERVICES; i++) {
                subs.add(watching.subscribe("svc" + i, "1.0.0", s -> { }));
            }
            Thread.sleep(5000);
            double idle = rate(relay, Duration.ofSeconds(20), null);
            double churn = rate(relay, Duration.ofSeconds(20), i -> {
                if (i % 2 == 0) {
                    writer.register(Registration.of("svc" + (i % 50), "1.0.0", "127.0.0.1", 30000 + i % 40, null,
                            Duration.ofMinutes(5)));
                } else {
                    writer.deregister("svc" + ((i - 1) % 50), "1.0.0", "127.0.0.1", 30000 + (i - 1) % 40);
                }
            });
            System.out.printf(Locale.ROOT, "load=zookeeper services=%d idle_rps=%.1f churn_rps=%.1f"
                    + " churn_changes_per_s=20%n", SERVICES, idle, churn);
            subs.forEach(Registry.Subscription::close);
        }
    }

    interface Churn {
        void change(int i) throws Exception;
    }

    /** Requests per second through the relay over {@code d}, with 20 changes a second when {@code churn} is given. */
    static double rate(Relay relay, Duration d, Churn churn) throws Exception {
        long before = relay.requests.get();
        long t0 = System.nanoTime();
        int i = 0;
        while (System.nanoTime() - t0 < d.toNanos()) {
            if (churn != null) {
                churn.change(i++);
            }
            Thread.sleep(50);
        }
        return (relay.requests.get() - before) * 1e9 / (System.nanoTime() - t0);
    }

    /**
     * A loopback TCP relay to a local server that counts requests client to server: HTTP request lines to
     * /v1/health/service, or ZooKeeper's length-prefixed frames. When down, it closes every connection and refuses
     * new ones (an outage).
     */
    static final class Relay implements AutoCloseable {
        final AtomicLong requests = new AtomicLong();
        final ConcurrentLinkedQueue<Long> hits = new ConcurrentLinkedQueue<>();
        private final ServerSocket server;
        private final int target;
        private final boolean zk;
        private final List<Socket> open = new CopyOnWriteArrayList<>();
        private volatile boolean down;
        private volatile boolean closed;

        Relay(int target, boolean zk) throws IOException {
            this.target = target;
            this.zk = zk;
            this.server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "relay");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void down(boolean d) throws IOException {
            down = d;
            if (d) {
                for (Socket s : open) {
                    s.close();
                }
                open.clear();
            }
        }

        private void accept() {
            while (!closed) {
                try {
                    Socket c = server.accept();
                    if (down) {
                        c.close();
                        continue;
                    }
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(c);
                    open.add(s);
                    pump(c, s, true);
                    pump(s, c, false);
                } catch (IOException e) {
                    if (closed) {
                        return;
                    }
                }
            }
        }

        private void pump(Socket from, Socket to, boolean count) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                byte[] needle = "GET /v1/health/service".getBytes(StandardCharsets.US_ASCII);
                int matched = 0;
                long frameLeft = 0;
                int lenBytes = 0;
                long len = 0;
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        if (count) {
                            for (int i = 0; i < n; i++) {
                                byte b = buf[i];
                                if (zk) {
                                    if (frameLeft > 0) {
                                        frameLeft--;
                                        continue;
                                    }
                                    len = (len << 8) | (b & 0xff);
                                    if (++lenBytes == 4) {
                                        frameLeft = len;
                                        len = 0;
                                        lenBytes = 0;
                                        requests.incrementAndGet();
                                        hits.add(System.nanoTime());
                                    }
                                } else {
                                    matched = b == needle[matched] ? matched + 1 : (b == needle[0] ? 1 : 0);
                                    if (matched == needle.length) {
                                        matched = 0;
                                        requests.incrementAndGet();
                                        hits.add(System.nanoTime());
                                    }
                                }
                            }
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the other side closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closed already
                    }
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
