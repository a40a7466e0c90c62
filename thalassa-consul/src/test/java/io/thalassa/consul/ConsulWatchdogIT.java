package io.thalassa.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Member;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The watch that cannot hang: a registry that accepts connections but never answers, and a Consul agent frozen by
 * SIGSTOP, both get their watch restarted by the watchdog (with an event) before the call's own timeout; and the
 * stale-index bug: after an agent restarted without its services, an instance registered at once is a member within
 * a second while the removal guard keeps the old pool.
 */
class ConsulWatchdogIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final Recorder rec = new Recorder();

    private static ConsulRegistry.Builder fast(int port) {
        // watch bound: max(1 s + 1/16, 500 ms) + 1 s = ~2.1 s; a call's own timeout: ~5.1 s
        return ConsulRegistry.builder().agent("127.0.0.1", port).wait(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(2)).retryBackoff(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    @Test
    void aRegistryThatAcceptsButNeverAnswersHasItsWatchRestartedWithAnEvent() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                for (int i = 0; i < 200 && !silent.isClosed(); i++) { // bounded: at most 200 connections
                    try {
                        held.add(silent.accept());
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            try (ConsulRegistry registry = fast(silent.getLocalPort()).build()) {
                registry.addListener(rec);
                long t0 = System.nanoTime();
                registry.subscribe("silent", "1.0.0", rec);
                ThalassaEvent restarted = rec.awaitEvent(ThalassaEvent.Verb.WATCH_RESTARTED, WAIT);
                assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
                assertThat(restarted.detail()).contains("silent").contains("restarted");
                assertThat(registry.health().isConnected()).isFalse();
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aFrozenAgentHasItsWatchRestartedTheMembersKeptAndItResumesAfterSigcont() throws Exception {
        try (ConsulAgent agent = ConsulAgent.start(Path.of("target", "consul-it"));
             ConsulRegistry registry = fast(agent.httpPort()).build()) {
            registry.addListener(rec);
            registry.subscribe("frozen", "1.0.0", rec);
            agent.put("/v1/agent/service/register", service("frozen", "a", 8080));
            rec.awaitSet(s -> s.size() == 1, WAIT);
            agent.freeze();
            try {
                rec.awaitEvent(ThalassaEvent.Verb.WATCH_RESTARTED, WAIT);
                assertThat(rec.last()).hasSize(1);
            } finally {
                agent.thaw();
            }
            agent.put("/v1/agent/service/register", service("frozen", "b", 8081));
            rec.awaitSet(s -> s.size() == 2, WAIT);
            assertThat(registry.health().isConnected()).isTrue();
        }
    }

    @Test
    void afterARestartWithoutItsServicesANewInstanceIsAMemberWithinASecondAndTheGuardKeepsThePool()
            throws Exception {
        List<ThalassaConfig> published = new CopyOnWriteArrayList<>();
        List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        try (ConsulAgent agent = ConsulAgent.start(Path.of("target", "consul-it"));
             ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort())
                     .wait(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(1))
                     .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(200)).build();
             MembershipEngine engine = MembershipEngine.builder(registry, published::add).listener(events::add)
                     .removalGuard(50, Duration.ofSeconds(30)).build()) {
            engine.update(ThalassaConfig.empty().withBackend(Backend.dynamic("live").service("stale", "1.0.0")
                    .build()));
            for (int i = 0; i < 4; i++) {
                agent.put("/v1/agent/service/register", service("stale", "s" + i, 9000 + i));
            }
            await(published, ports -> ports.size() == 4);
            // let the watch's index grow well past what a fresh agent starts with
            for (int i = 0; i < 30; i++) {
                agent.put("/v1/kv/bump" + i, "x");
            }
            agent.kill();
            agent.restart(); // a dev agent: every service is gone, the index starts again from low
            long registered = System.nanoTime();
            agent.put("/v1/agent/service/register", service("stale", "fresh", 9100));
            await(published, ports -> ports.contains(9100));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registered);
            assertThat(tookMs).as("a member within a second of registering").isLessThan(1000);
            assertThat(ports(published.get(published.size() - 1))).containsExactly(9000, 9001, 9002, 9003, 9100);
            assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REMOVAL_HELD);
            Thread.sleep(10_000); // the services stay gone for 10 s: the guard keeps the pool
            assertThat(ports(published.get(published.size() - 1))).contains(9000, 9001, 9002, 9003, 9100);
            for (int i = 0; i < 4; i++) {
                agent.put("/v1/agent/service/register", service("stale", "s" + i, 9000 + i));
            }
            long until = System.nanoTime() + WAIT.toNanos();
            while (events.stream().noneMatch(e -> e.verb() == ThalassaEvent.Verb.REMOVAL_CANCELLED)
                    && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(events).anyMatch(e -> e.verb() == ThalassaEvent.Verb.REMOVAL_CANCELLED);
            int full = 0;
            while (ports(published.get(full)).size() < 4) {
                full++;
            }
            assertThat(published.subList(full, published.size())).as("never emptied after the restart")
                    .allMatch(c -> ports(c).containsAll(List.of(9000, 9001, 9002, 9003)));
        }
    }

    private static String service(String name, String id, int port) {
        return "{\"ID\":\"" + name + "-" + id + "\",\"Name\":\"" + name + "\",\"Address\":\"127.0.0.1\",\"Port\":"
                + port + ",\"Meta\":{\"version\":\"1.0.0\"}}";
    }

    private static List<Integer> ports(ThalassaConfig c) {
        return c.backend("live").map(b -> b.members().stream().map(Member::port).sorted().toList())
                .orElse(List.of());
    }

    private static void await(List<ThalassaConfig> published, Predicate<List<Integer>> p)
            throws InterruptedException {
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            if (!published.isEmpty() && p.test(ports(published.get(published.size() - 1)))) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no such publication within " + WAIT + ": " + (published.isEmpty() ? "none"
                : ports(published.get(published.size() - 1))));
    }
}
