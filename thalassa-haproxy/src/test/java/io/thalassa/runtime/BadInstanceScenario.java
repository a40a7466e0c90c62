package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.spi.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One bad instance among 100 good ones, for any registry: the good ones all reach HAProxy, the bad one is left out
 * of its backend alone with a {@code memberRejected} event, and a structural change afterwards is applied. Shared by
 * the ITs of every registry (in the haproxy module's test-jar).
 */
public final class BadInstanceScenario {
    /** A host name that never resolves (RFC 6761). */
    public static final String BAD_HOST = "nosuchhost.invalid";
    public static final int FIRST_PORT = 21001;

    /** How the scenario puts instances in the registry: through its API, or behind its back (nsupdate...). */
    @FunctionalInterface
    public interface Instances {
        void add(String name, String version, String host, int port) throws Exception;
    }

    private BadInstanceScenario() {
    }

    /**
     * Runs the scenario on {@code registry} (closed by the Thalassa at the end) with the Thalassa in {@code dir}.
     *
     * @param deadline how long everything may take to show, generous on a loaded machine
     */
    public static void run(Path dir, Registry registry, Instances instances, Duration deadline) throws Exception {
        run(dir, registry, instances, deadline, false);
    }

    /**
     * {@link #run(Path, Registry, Instances, Duration)}; {@code registryRejects}: the registry itself leaves the bad
     * instance out with the event (DNS: a target without an address), so the controller never sees it.
     */
    public static void run(Path dir, Registry registry, Instances instances, Duration deadline,
            boolean registryRejects) throws Exception {
        List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        int port = NamedHttpServer.freePort();
        Thalassa thalassa = Thalassa.builder().workDir(dir).haproxyBinary(NamedHttpServer.haproxyBinary())
                .registry(registry).listener(events::add).reloadWindow(Duration.ZERO).start();
        try {
            thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live").build()))
                    .await(Duration.ofSeconds(60));
            Set<String> good = new TreeSet<>();
            for (int i = 0; i < 100; i++) {
                if (i == 50) {
                    instances.add("myapp", "1.0.0", BAD_HOST, 20999);
                }
                instances.add("myapp", "1.0.0", "127.0.0.1", FIRST_PORT + i);
                good.add("127.0.0.1:" + (FIRST_PORT + i));
            }
            long until = System.nanoTime() + deadline.toNanos();
            while (!served(thalassa).equals(good) && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertThat(served(thalassa)).isEqualTo(good);
            while (events.stream().noneMatch(BadInstanceScenario::rejection) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(events).filteredOn(BadInstanceScenario::rejection).hasSize(1);
            if (!registryRejects) {
                assertThat(events).filteredOn(BadInstanceScenario::rejection).allMatch(e -> e.detail()
                        .contains("live"));
                assertThat(thalassa.controller().rejectedMembers().get("live")).hasSize(1);
            }
            Change structural = thalassa.update(c -> c.withBackend(Backend.dynamic("other")
                    .service("other", "1.0.0").build())).await(Duration.ofSeconds(60));
            assertThat(structural.status().orElseThrow().state()).isEqualTo(ChangeStatus.State.APPLIED);
            assertThat(served(thalassa)).isEqualTo(good);
            assertThat(thalassa.status().ready()).isTrue();
        } finally {
            thalassa.stop();
            registry.close();
        }
    }

    private static boolean rejection(ThalassaEvent e) {
        return e.verb() == ThalassaEvent.Verb.MEMBER_REJECTED && e.object().contains(BAD_HOST);
    }

    /** The addresses HAProxy's backend {@code live} serves (slots out of maintenance). */
    static Set<String> served(Thalassa thalassa) {
        Set<String> out = new TreeSet<>();
        for (RuntimeApi.ServerStateRow row : thalassa.controller().runtimeApi().showServersState("live")) {
            if (!row.inMaintenance()) {
                out.add(row.address() + ":" + row.port());
            }
        }
        return out;
    }

    /** Waits with a bound; for callers' own conditions. */
    public static void await(java.util.function.BooleanSupplier ok, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        while (!ok.getAsBoolean() && System.nanoTime() < until) {
            Thread.sleep(TimeUnit.MILLISECONDS.toMillis(50));
        }
    }
}
