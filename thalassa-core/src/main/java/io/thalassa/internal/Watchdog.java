package io.thalassa.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts watches that neither deliver nor confirm within their bound: each watch says it is {@linkplain
 * Handle#alive() alive} after every answer or failure; one silent for longer than its bound has its restart run (on
 * the watchdog's thread), once per bound. For registries; one daemon thread, checking every 250 ms.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
    private final ScheduledExecutorService thread;
    private final Set<Handle> handles = ConcurrentHashMap.newKeySet();

    public Watchdog(String name) {
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::check, 250, 250, TimeUnit.MILLISECONDS);
    }

    /**
     * Watches one watch.
     *
     * @param bound   how long it may stay silent
     * @param restart what restarts it (it should close the returned handle and watch the new one)
     */
    public Handle watch(Duration bound, Runnable restart) {
        Handle h = new Handle(bound.toNanos(), restart);
        handles.add(h);
        return h;
    }

    private void check() {
        long now = System.nanoTime();
        for (Handle h : handles) {
            if (now - h.last > h.bound) {
                h.last = now;
                try {
                    h.restart.run();
                } catch (RuntimeException e) {
                    log.warn("watchdog - restarting a watch failed", e);
                }
            }
        }
    }

    /** Stops checking; safe twice. */
    @Override
    public void close() {
        thread.shutdownNow();
        handles.clear();
    }

    /** One watched watch. */
    public final class Handle implements AutoCloseable {
        private final long bound;
        private final Runnable restart;
        private volatile long last = System.nanoTime();

        private Handle(long bound, Runnable restart) {
            this.bound = bound;
            this.restart = restart;
        }

        /** The watch delivered, confirmed (an answer without change) or failed and will retry. */
        public void alive() {
            last = System.nanoTime();
        }

        /** Stops watching it. */
        @Override
        public void close() {
            handles.remove(this);
        }
    }
}
