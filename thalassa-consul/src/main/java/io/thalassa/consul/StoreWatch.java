package io.thalassa.consul;

import io.thalassa.spi.ConfigStore.Snapshot;
import io.thalassa.spi.ConfigStore.Watch;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blocking-query loop on a {@link ConsulConfigStore}'s prefix, on a daemon thread of its own: each answer whose
 * index moved goes to the listener, an index that went backwards (a restored snapshot) starts over from 0, and a
 * failed query is retried with a doubling backoff, its health reported once per outage.
 */
final class StoreWatch implements Watch {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWatch.class);

    private final String label;
    private final LongFunction<Snapshot> query;
    private final Duration retryMin;
    private final Duration retryMax;
    private final Consumer<Snapshot> listener;
    private final Consumer<RegistryHealth> health;
    private final Consumer<StoreWatch> onClose;
    private final Thread thread;
    private volatile boolean stopped;
    private long index; // only on the watch's thread

    /**
     * @param query   the blocking query: the snapshot once the index passed the one given (or the wait ran out)
     * @param onClose told when the watch is closed
     */
    StoreWatch(String label, long fromIndex, LongFunction<Snapshot> query, Duration retryMin, Duration retryMax,
            Consumer<Snapshot> listener, Consumer<RegistryHealth> health, Consumer<StoreWatch> onClose) {
        this.label = label;
        this.index = Math.max(0, fromIndex);
        this.query = query;
        this.retryMin = retryMin;
        this.retryMax = retryMax;
        this.listener = listener;
        this.health = health;
        this.onClose = onClose;
        this.thread = new Thread(this::run, "thalassa-consul-kv-watch");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long backoff = retryMin.toMillis();
        boolean reachable = true;
        while (!stopped) {
            try {
                Snapshot s = query.apply(index);
                if (!reachable) {
                    reachable = true;
                    health.accept(RegistryHealth.connected(Instant.now()));
                }
                backoff = retryMin.toMillis();
                if (s.index() < index) {
                    index = 0; // Consul's index went backwards (a restored snapshot): start over
                    continue;
                }
                if (s.index() != index) {
                    index = s.index();
                    listener.accept(s);
                }
            } catch (RuntimeException e) {
                if (stopped) {
                    break;
                }
                if (reachable) {
                    reachable = false;
                    health.accept(RegistryHealth.unavailable(Instant.now(), String.valueOf(e.getMessage())));
                    LOG.warn("{} - watch failed, retrying: {}", label, e.toString());
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, retryMax.toMillis());
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        onClose.accept(this);
    }
}
