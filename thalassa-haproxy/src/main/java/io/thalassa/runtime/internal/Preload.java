package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import java.net.StandardProtocolFamily;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and links, on a daemon thread, what a first start spends most of its time on before HAProxy runs: the NIO
 * classes of the UNIX sockets, the stored items' JSON ({@link io.thalassa.ModelJson}, no JSON library) and the
 * template's first render. A host that starts other things meanwhile (a Spring context) gets them for the price of a
 * second core. Nothing is kept but the classes; a failure is logged at debug and costs the start nothing.
 */
public final class Preload {
    private static final Logger LOG = LoggerFactory.getLogger(Preload.class);
    private static volatile CompletableFuture<Void> running;

    private Preload() {
    }

    /** Starts the preload once per class loader; later calls answer the same future. */
    public static synchronized CompletableFuture<Void> start() {
        if (running == null) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    run();
                } catch (Throwable e) { // a preload only warms: whatever fails here fails again where it matters
                    LOG.debug("preload - {}", e.toString());
                } finally {
                    done.complete(null);
                }
            }, "thalassa-preload");
            t.setDaemon(true);
            t.start();
            running = done;
        }
        return running;
    }

    private static void run() throws Exception {
        long t0 = System.nanoTime();
        SocketChannel.open(StandardProtocolFamily.UNIX).close();
        Selector.open().close();
        ThalassaConfig sample = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("preload").members(List.of(Member.of("127.0.0.1", 8080))).build())
                .withFrontend(Frontend.builder("preload").bind("127.0.0.1:8080").defaultBackend("preload").build());
        Documents.configOf(Documents.itemsOf(sample));
        HaproxyConfigRenderer.defaultTemplate().render(sample, HaproxySettings.defaults());
        LOG.debug("preload - done in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
