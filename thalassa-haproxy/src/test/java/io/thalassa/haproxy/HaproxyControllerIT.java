package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.haproxy.internal.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The controller against the real HAProxy 2.6, with real HTTP traffic through it on 127.0.0.1. */
class HaproxyControllerIT extends ControllerTraffic {

    static Backend live(Balance balance, String version, NamedHttpServer... members) {
        Backend.Builder b = Backend.dynamic("live").service("myapp", version).balance(balance);
        Backend backend = b.build();
        List<Member> list = new ArrayList<>();
        for (NamedHttpServer s : members) {
            list.add(Member.registered("myapp", version, "127.0.0.1", s.port(), null, null));
        }
        return backend.withMembers(list);
    }

    @Test
    void membershipChangesAndVersionSwitchGoThroughTheRuntimeApiWithoutAReload() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        NamedHttpServer c = server("c");
        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1.0.0", a)));
        assertThat(answers(4)).containsExactly("200 a");
        List<Long> workers = controller.workerPids();

        ApplyResult added = controller.apply(web(live(Balance.ROUNDROBIN, "1.0.0", a, b)));
        assertThat(added.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        awaitAnswers(Set.of("200 a", "200 b"));

        ApplyResult switched = controller.apply(web(live(Balance.ROUNDROBIN, "2.0.0", c)));
        assertThat(switched.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        awaitAnswers(Set.of("200 c"));

        assertThat(controller.workerPids()).isEqualTo(workers);
        assertThat(controller.reloadCount()).isZero();
        assertThat(fx.events(Verb.RELOAD_DONE)).isEmpty();
        // the file on disk follows within a moment (off the membership path), so a later reload or restart keeps it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        String serving = "127.0.0.1:" + c.port() + " check inter 2000\n"; // in service: not 'disabled' any more
        while (!Files.readString(fx.dir.resolve("haproxy.cfg")).contains(serving) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).contains("127.0.0.1:" + c.port())
                .doesNotContain("127.0.0.1:" + a.port() + " ");
        assertThat(controller.configText()).isEqualTo(Files.readString(fx.dir.resolve("haproxy.cfg")));
    }

    @Test
    void aBackendWithAHashBalanceGrowsItsSlotsWithOneReloadAndADynamicOneWithAddServer() throws Exception {
        List<NamedHttpServer> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(server("s" + i));
        }
        controller = fx.builder().build().start(web(live(Balance.SOURCE, "1", six.get(0))));
        assertThat(answers(2)).containsExactly("200 s0");
        // 4 slots: 6 members need more; balance source cannot add servers at run time: one reload for all
        ApplyResult grown = controller.apply(web(live(Balance.SOURCE, "1", six.toArray(NamedHttpServer[]::new))));
        assertThat(grown.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        grown.reload().get(20, TimeUnit.SECONDS);
        assertThat(controller.reloadCount()).isEqualTo(1);
        assertThat(controller.configText()).contains("live_slot8").doesNotContain("live_slot9");

        // roundrobin is dynamic: beyond 8 slots the controller adds servers at run time, no reload
        List<NamedHttpServer> ten = new ArrayList<>(six);
        for (int i = 6; i < 10; i++) {
            ten.add(server("s" + i));
        }
        ApplyResult rr = controller.apply(web(live(Balance.SOURCE, "1", six.toArray(NamedHttpServer[]::new))
                .toBuilder().balance(Balance.ROUNDROBIN).build().withMembers(
                        live(Balance.SOURCE, "1", six.toArray(NamedHttpServer[]::new)).members())));
        rr.reload().get(20, TimeUnit.SECONDS); // balance change is structural: one reload
        long reloads = controller.reloadCount();
        ApplyResult more = controller.apply(web(live(Balance.ROUNDROBIN, "1", ten.toArray(NamedHttpServer[]::new))));
        assertThat(more.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        Set<String> expected = new HashSet<>();
        for (NamedHttpServer s : ten) {
            expected.add("200 " + s.name());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<String> seen = new HashSet<>();
        while (!seen.equals(expected) && System.nanoTime() < deadline) {
            seen.addAll(answers(10));
        }
        assertThat(seen).isEqualTo(expected);
        assertThat(controller.reloadCount()).isEqualTo(reloads);
        assertThat(controller.configText()).contains("live_slot10");
    }

    @Test
    void aStructuralChangeIsOneReloadAndABurstIsCoalesced() throws Exception {
        NamedHttpServer a = server("a");
        // each change runs haproxy -c before it is accepted: on a busy machine three take more than 300 ms
        controller = fx.builder().reloadWindow(Duration.ofSeconds(1)).build()
                .start(web(live(Balance.ROUNDROBIN, "1", a)));
        List<Long> before = controller.workerPids();
        int[] ports = {RawHttp.freePort(), RawHttp.freePort(), RawHttp.freePort()};
        ThalassaConfig config = web(live(Balance.ROUNDROBIN, "1", a));
        List<CompletableFuture<Void>> reloads = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            config = config.withFrontend(Frontend.builder("extra" + i).bind("127.0.0.1:" + ports[i])
                    .defaultBackend("live").build());
            ApplyResult r = controller.apply(config);
            assertThat(r.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
            reloads.add(r.reload());
        }
        CompletableFuture.allOf(reloads.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        assertThat(controller.reloadCount()).isEqualTo(1);
        assertThat(fx.events(Verb.RELOAD_COALESCED)).hasSize(1);
        assertThat(controller.workerPids()).doesNotContainAnyElementsOf(before);
        for (int p : ports) {
            assertThat(RawHttp.get(p, "/", "x").body()).isEqualTo("a");
        }
        // same bytes again: nothing happens
        assertThat(controller.apply(config).kind()).isEqualTo(ApplyResult.Kind.NOOP);
    }

    @Test
    void anInvalidNativeIsRejectedWithHaproxysMessageAndTheOldConfigKeepsServing() throws Exception {
        NamedHttpServer a = server("a");
        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1", a)));
        String before = Files.readString(fx.dir.resolve("haproxy.cfg"));
        Backend bad = live(Balance.ROUNDROBIN, "1", a).toBuilder().nativeLine("bogus-directive 42").build()
                .withMembers(live(Balance.ROUNDROBIN, "1", a).members());
        assertThatThrownBy(() -> controller.apply(web(bad)))
                .isInstanceOfSatisfying(ConfigRejectedException.class, e -> {
                    assertThat(e.haproxyMessage()).contains("bogus-directive");
                    assertThat(e.line()).isPositive();
                    assertThat(before.lines().toList()).hasSizeGreaterThanOrEqualTo(e.line() - 1);
                });
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).isEqualTo(before);
        assertThat(fx.events(Verb.CONFIG_REJECTED)).hasSize(1);
        assertThat(get()).isEqualTo("200 a");
        assertThat(controller.reloadCount()).isZero();
    }

    @Test
    void aListenAddressAnotherProcessHoldsIsRefusedBeforeItIsAccepted() throws Exception {
        NamedHttpServer a = server("a");
        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1", a)));
        String good = Files.readString(fx.dir.resolve("haproxy.cfg"));
        // haproxy -c cannot see that the port is taken; the controller tries it before accepting the change
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ThalassaConfig clash = web(live(Balance.ROUNDROBIN, "1", a)).withFrontend(Frontend.builder("clash")
                    .bind("127.0.0.1:" + taken.getLocalPort()).defaultBackend("live").build());
            assertThatThrownBy(() -> controller.apply(clash)).isInstanceOf(ConfigRejectedException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(Files.readString(fx.dir.resolve("haproxy.cfg"))).isEqualTo(good);
        assertThat(controller.reloadCount()).isZero();
        assertThat(controller.status().runsDesired()).isTrue();
        assertThat(get()).isEqualTo("200 a");
    }

    @Test
    void aKilledWorkerOrMasterIsStartedAgainWithTheCurrentMembers() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1", a)));
        controller.apply(web(live(Balance.ROUNDROBIN, "1", b))); // runtime only
        awaitAnswers(Set.of("200 b"));

        long worker = controller.workerPids().get(0);
        Processes.signal(List.of(), worker, "KILL");
        awaitRestart(1);
        awaitAnswers(Set.of("200 b"));

        long masterPid = controller.masterPid();
        Processes.signal(List.of(), masterPid, "KILL");
        awaitRestart(2);
        assertThat(controller.masterPid()).isNotEqualTo(masterPid);
        awaitAnswers(Set.of("200 b"));
    }

    void awaitRestart(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (fx.events(Verb.HAPROXY_RESTARTED).size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(fx.events(Verb.HAPROXY_RESTARTED)).hasSize(n);
    }

    @Test
    void aLeavingMemberDrainsItsInFlightRequests() throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        slow.createContext("/", ex -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "slow".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        slow.setExecutor(Executors.newFixedThreadPool(4));
        slow.start();
        servers.add(() -> slow.stop(0));
        int slowPort = slow.getAddress().getPort();
        NamedHttpServer fast = server("fast");
        Backend withSlow = Backend.staticBackend("live").member("127.0.0.1", slowPort).build();
        controller = fx.builder().build().start(web(withSlow));
        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return get();
            } catch (IOException e) {
                return "error " + e;
            }
        });
        Thread.sleep(300); // the request is at the slow member now
        ApplyResult r = controller.apply(web(Backend.staticBackend("live").member("127.0.0.1", fast.port()).build()));
        assertThat(r.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        // the only member is replaced: slow serves until fast passed its first check, then drains
        controller.awaitChange(r.changeId(), Duration.ofSeconds(10));
        assertThat(get()).isEqualTo("200 fast"); // new requests go to the new member
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("200 slow");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (drained().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(drained()).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("127.0.0.1:" + slowPort).doesNotContain("timeout"));
    }

    @Test
    void aNewControllerAdoptsTheRunningHaproxyWithoutAReload() throws Exception {
        NamedHttpServer a = server("a");
        NamedHttpServer b = server("b");
        ThalassaConfig config = web(live(Balance.ROUNDROBIN, "1", a, b));
        controller = fx.builder().build().start(config);
        long masterPid = controller.masterPid();
        List<Long> workers = controller.workerPids();
        controller.close(); // HAProxy keeps serving
        awaitAnswers(Set.of("200 a", "200 b"));

        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1", b)));
        assertThat(controller.masterPid()).isEqualTo(masterPid);
        assertThat(controller.workerPids()).isEqualTo(workers);
        assertThat(fx.events(Verb.STARTED)).last().satisfies(e -> assertThat(e.detail()).contains("adopted"));
        awaitAnswers(Set.of("200 b"));
        assertThat(controller.reloadCount()).isZero();
    }

    @Test
    void statsSnapshotsReportFrontendsBackendsAndServersWithoutPlaceholders() throws Exception {
        NamedHttpServer a = server("a");
        List<StatsSnapshot> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        controller = fx.builder().build().start(web(live(Balance.ROUNDROBIN, "1", a)));
        controller.addStatsListener(seen::add);
        get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        StatsSnapshot s = seen.get(seen.size() - 1);
        assertThat(s.frontends()).containsKey("web");
        assertThat(s.frontends().get("web").status()).isEqualTo("OPEN");
        StatsSnapshot.BackendStats live = s.backends().get("live");
        assertThat(live.total()).isEqualTo(1);
        assertThat(live.servers()).singleElement().satisfies(srv -> assertThat(srv.name()).isEqualTo("live_slot1"));
        assertThat(controller.stats()).isPresent();
    }

    @Test
    void aSlotGrownWithAddServerGetsTheBackendsDefaultServerParameters() throws Exception {
        List<NamedHttpServer> members = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            members.add(server("m" + i));
        }
        Backend weighted = Backend.dynamic("live").service("myapp", "1.0.0")
                .nativeLine("default-server weight 50").build();
        controller = fx.builder().build().start(web(weighted.withMembers(registered(members.subList(0, 1)))));
        assertThat(weights()).containsOnly(50); // 3 slots (1 member + 2), all from the file

        ApplyResult grown = controller.apply(web(weighted.withMembers(registered(members))));
        assertThat(grown.kind()).isEqualTo(ApplyResult.Kind.RUNTIME);
        assertThat(controller.reloadCount()).isZero();
        assertThat(weights()).as("slots 4 and 5 came with add server").hasSize(5).containsOnly(50);
        Set<String> all = new HashSet<>();
        members.forEach(m -> all.add("200 " + m.name()));
        awaitAnswers(all);
    }

    /** The drain events of slots emptied once their sessions ended (not those of members starting to drain). */
    private List<io.thalassa.ThalassaEvent> drained() {
        return fx.events(Verb.DRAIN).stream().filter(e -> e.detail().contains("drained from")).toList();
    }

    private static List<Member> registered(List<NamedHttpServer> servers) {
        List<Member> out = new ArrayList<>();
        for (NamedHttpServer s : servers) {
            out.add(Member.registered("myapp", "1.0.0", "127.0.0.1", s.port(), null, null));
        }
        return out;
    }

    /** The weight of every server of backend live, as the worker has it. */
    private List<Integer> weights() {
        List<Integer> out = new ArrayList<>();
        for (RuntimeApi.ServerStateRow row : controller.runtimeApi().showServersState("live")) {
            out.add(row.weight());
        }
        return out;
    }
}
