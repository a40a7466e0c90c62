package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a worker knows that is not in the file, carried across a structural reload (stick tables, server states) and
 * kept when the controller restarts and adopts HAProxy.
 */
class ReloadStateIT extends ControllerTraffic {

    @Test
    void stickTableCountersSurviveAReload() throws Exception {
        TestApp app = new TestApp("app", 200);
        servers.add(app);
        ThalassaConfig config = web(Backend.staticBackend("live").member("127.0.0.1", app.port())
                .nativeLine("stick-table type ip size 1k expire 10m store http_req_cnt")
                .nativeLine("http-request track-sc0 src").build());
        controller = fx.builder().build().start(config);
        for (int i = 0; i < 7; i++) {
            assertThat(get()).isEqualTo("200 app");
        }
        assertThat(requestCount()).isEqualTo(7);
        // HAProxy 2.6 hands its tables on only once its own start-up sync is over (5 s to hear from an older worker,
        // 5 s from remote peers): wait for it, as an operator's reload a few seconds later would
        awaitPeersSynchronized(Duration.ofSeconds(30));

        ApplyResult r = controller.apply(config.withFrontend(Frontend.builder("other")
                .bind("127.0.0.1:" + RawHttp.freePort()).defaultBackend("live").build()));
        assertThat(r.kind()).isEqualTo(ApplyResult.Kind.RELOAD);
        assertThat(controller.awaitChange(r.changeId(), Duration.ofSeconds(20)).orElseThrow().state())
                .isEqualTo(ChangeStatus.State.APPLIED);
        assertThat(controller.reloadCount()).isEqualTo(1);

        // the old worker pushes its table to the new one over the local peer once the new one is up, which can be a
        // moment after the reload is confirmed: wait for it (without the peers section it never comes: 0)
        long handed = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (requestCount() != 7 && System.nanoTime() < handed) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertThat(requestCount()).as("the new worker's table, handed over by the old one").isEqualTo(7);
        assertThat(get()).isEqualTo("200 app");
        assertThat(requestCount()).isEqualTo(8);
    }

    @Test
    void aMemberFoundDownIsStillDownInTheNewWorkerRightAfterAReload() throws Exception {
        TestApp good = new TestApp("good", 200);
        servers.add(good);
        TestApp broken = new TestApp("broken", 200); // in service first, then its checks fail
        servers.add(broken);
        ThalassaConfig config = web(Backend.staticBackend("live").member("127.0.0.1", good.port())
                .member("127.0.0.1", broken.port()).health(h -> h.uri(TestApp.CHECK_PATH)).build());
        // HaproxyController's own defaults: no server-state file given
        controller = fx.builder().settings(fx.settings.toBuilder().serverStateFile(null).build()).build()
                .start(config);
        String brokenAddress = "127.0.0.1:" + broken.port();
        // a member that never passed a check waits in drain (health-gated joins, JoinIT) and gets nothing anyway:
        // what only the worker knows is that a member in service was found DOWN since
        awaitStatus(brokenAddress, "UP", Duration.ofSeconds(20));
        broken.status(500);
        awaitStatus(brokenAddress, "DOWN", Duration.ofSeconds(20));
        long before = broken.traffic();

        ApplyResult r = controller.apply(config.withFrontend(Frontend.builder("other")
                .bind("127.0.0.1:" + RawHttp.freePort()).defaultBackend("live").build()));
        assertThat(controller.awaitChange(r.changeId(), Duration.ofSeconds(20)).orElseThrow().state())
                .isEqualTo(ChangeStatus.State.APPLIED);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        int requests = 0;
        while (System.nanoTime() < end) {
            assertThat(get()).isEqualTo("200 good");
            requests++;
        }
        assertThat(requests).isGreaterThan(5);
        assertThat(broken.traffic() - before).as("requests to the DOWN member in the second after the reload")
                .isZero();
        assertThat(controller.runtimeApi().showServerStats("live"))
                .filteredOn(row -> brokenAddress.equals(row.fields().get("addr")))
                .singleElement().satisfies(row -> assertThat(row.status()).startsWith("DOWN"));
    }

    @Test
    void aMemberFoundDownIsStillDownAfterTheControllerIsRestartedAndAdoptsHaproxy() throws Exception {
        TestApp good = new TestApp("good", 200);
        servers.add(good);
        TestApp broken = new TestApp("broken", 200);
        servers.add(broken);
        ThalassaConfig config = web(Backend.staticBackend("live").member("127.0.0.1", good.port())
                .member("127.0.0.1", broken.port()).health(h -> h.uri(TestApp.CHECK_PATH)).build());
        controller = fx.builder().build().start(config);
        String brokenAddress = "127.0.0.1:" + broken.port();
        awaitStatus(brokenAddress, "UP", Duration.ofSeconds(20));
        broken.status(500);
        awaitStatus(brokenAddress, "DOWN", Duration.ofSeconds(20));
        long master = controller.masterPid();
        controller.close(); // the daemon stops; HAProxy keeps serving

        long before = broken.traffic();
        controller = fx.builder().build().start(config); // the daemon starts again: it adopts HAProxy
        assertThat(controller.masterPid()).isEqualTo(master);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        int requests = 0;
        while (System.nanoTime() < end) {
            assertThat(get()).isEqualTo("200 good");
            requests++;
        }
        assertThat(requests).isGreaterThan(5);
        assertThat(broken.traffic() - before).as("requests to the DOWN member in the second after the restart")
                .isZero();
        assertThat(controller.runtimeApi().showServerStats("live"))
                .filteredOn(row -> brokenAddress.equals(row.fields().get("addr")))
                .singleElement().satisfies(row -> assertThat(row.status()).startsWith("DOWN"));
        assertThat(controller.reloadCount()).isZero();
    }

    /** Until the server of backend live at {@code address} has a status beginning with {@code status}. */
    private void awaitStatus(String address, String status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline) {
            for (StatRow row : controller.runtimeApi().showServerStats("live")) {
                if (address.equals(row.fields().get("addr"))) {
                    seen = row.status();
                }
            }
            if (seen.startsWith(status)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError(address + " is " + seen + ", not " + status + ", after " + timeout);
    }

    private long requestCount() {
        String table = controller.runtimeApi().execute("show table live");
        Matcher m = Pattern.compile("key=127\\.0\\.0\\.1 .*http_req_cnt=(\\d+)").matcher(table);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Until the worker's peers section has finished its start-up synchronization ({@code show peers} flags 0x3). */
    private void awaitPeersSynchronized(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String peers = "";
        while (System.nanoTime() < deadline) {
            peers = controller.runtimeApi().execute("show peers");
            if (peers.isBlank()) {
                return; // no peers section: nothing hands the tables on
            }
            Matcher m = Pattern.compile("flags=0x([0-9a-f]+)").matcher(peers);
            if (m.find() && (Long.parseLong(m.group(1), 16) & 0x3) == 0x3) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("peers not synchronized within " + timeout + ": " + peers);
    }
}
