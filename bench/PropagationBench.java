import io.thalassa.Backend;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Member;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.consul.ConsulAgent;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Propagation benchmark harness (run by bench/propagation.sh): for each registry, alternately registers and
 * deregisters 127.0.0.1 instances and times each call until a MembershipEngine sink receives the member set that
 * reflects it. Prints one line per registry: registry=<name> events=<n> p50_ms=<x> p99_ms=<y> max_ms=<z>.
 * Usage: PropagationBench <events> <warmup events> <log dir>
 */
public class PropagationBench {
    record Seen(long nanos, Set<Integer> ports) {
    }

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        Path logDir = Path.of(args[2]);
        try (EmbeddedRegistry embedded = EmbeddedRegistry.create()) {
            run("embedded", embedded, events, warmup);
        }
        try (ConsulAgent agent = ConsulAgent.start(logDir);
                ConsulRegistry consul = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort()).build()) {
            run("consul", consul, events, warmup);
        }
    }

    static void run(String name, Registry registry, int events, int warmup) throws Exception {
        BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
        try (MembershipEngine engine = new MembershipEngine(registry, config -> seen.add(new Seen(System.nanoTime(),
                config.backend("bench").map(b -> b.members().stream().map(Member::port).collect(Collectors.toSet()))
                        .orElse(Set.of()))))) {
            engine.update(ThalassaConfig.empty().withBackend(Backend.dynamic("bench").service("bench", "1.0.0")
                    .build()));
            Set<Integer> expected = new HashSet<>();
            double[] ms = new double[events];
            int basePort = 20000;
            for (int i = 0; i < warmup + events; i++) {
                int port = basePort + i / 2;
                long t0 = System.nanoTime();
                if (i % 2 == 0) {
                    registry.register(Registration.of("bench", "1.0.0", "127.0.0.1", port, Map.of("i", i),
                            Duration.ofSeconds(60)));
                    expected.add(port);
                } else {
                    registry.deregister("bench", "1.0.0", "127.0.0.1", port);
                    expected.remove(port);
                }
                long t1 = awaitPorts(seen, expected, t0, name);
                if (i >= warmup) {
                    ms[i - warmup] = (t1 - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "registry=%s events=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n", name, events,
                    percentile(ms, 50), percentile(ms, 99), ms[ms.length - 1]);
        }
    }

    /** The time the sink first saw exactly the expected ports after t0; fails after 10 s. */
    static long awaitPorts(BlockingQueue<Seen> seen, Set<Integer> expected, long t0, String name)
            throws InterruptedException {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long left = deadline - System.nanoTime();
            Seen s = seen.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (s == null) {
                throw new IllegalStateException(name + ": the sink did not see " + new TreeSet<>(expected)
                        + " within 10 s");
            }
            if (s.ports().equals(expected)) {
                return s.nanos();
            }
        }
    }

    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
