package io.thalassa.spring;

import io.thalassa.runtime.Thalassa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Thalassa in the application's lifecycle. HAProxy runs from the moment the {@link Thalassa} bean exists, so before
 * the web server takes requests; this lifecycle starts publishing its events, and at shutdown it comes after the web
 * server's graceful shutdown and stop ({@link #PHASE} is below theirs): requests in flight through HAProxy finish
 * first. Then it closes the Thalassa, leaving HAProxy serving for the next start ({@link Thalassa#close()}), or stops
 * HAProxy too ({@link Thalassa#stop()}) with {@code thalassa.haproxy.stop-on-shutdown}.
 */
public final class ThalassaLifecycle implements SmartLifecycle {
    /**
     * Below the web server's start/stop phase ({@code DEFAULT_PHASE - 2048}, itself below its graceful shutdown's):
     * started before it, stopped after it.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

    private static final Logger LOG = LoggerFactory.getLogger(ThalassaLifecycle.class);

    private final Thalassa thalassa;
    private final ThalassaEventRelay events;
    private final boolean stopHaproxy;
    private volatile boolean running;
    private volatile boolean stopped;

    /**
     * @param thalassa    the Thalassa, started
     * @param events      its events' relay, started here
     * @param stopHaproxy whether stopping stops HAProxy too
     */
    public ThalassaLifecycle(Thalassa thalassa, ThalassaEventRelay events, boolean stopHaproxy) {
        this.thalassa = thalassa;
        this.events = events;
        this.stopHaproxy = stopHaproxy;
    }

    @Override
    public void start() {
        if (stopped) {
            LOG.warn("thalassa - was stopped with the application and does not start again in this process");
            return;
        }
        events.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        stopped = true;
        try {
            if (stopHaproxy) {
                thalassa.stop();
            } else {
                thalassa.close();
            }
        } finally {
            events.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Whether stopping stops HAProxy too. */
    public boolean stopsHaproxy() {
        return stopHaproxy;
    }
}
