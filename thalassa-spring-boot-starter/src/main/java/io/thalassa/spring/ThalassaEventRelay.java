package io.thalassa.spring;

import io.thalassa.ThalassaEvent;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes every {@link ThalassaEvent} as an application event, so {@code @EventListener void on(ThalassaEvent e)}
 * receives them: in order, on one thread of its own ({@code thalassa-events}), so a slow or failing listener never
 * holds Thalassa up. Events from the start on are kept until the application context has its listeners
 * ({@link #start()}, from the {@link ThalassaLifecycle}); at most {@value #CAPACITY} wait, more are dropped and counted.
 */
public final class ThalassaEventRelay implements ThalassaEvent.Listener, AutoCloseable {
    /** How many events may wait to be published. */
    public static final int CAPACITY = 10_000;
    /** How long {@link #close()} lets the events still waiting be published. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(ThalassaEventRelay.class);
    private static final ThalassaEvent END = ThalassaEvent.now(ThalassaEvent.Verb.STARTED, "end", "");

    private final ApplicationEventPublisher publisher;
    private final BlockingQueue<ThalassaEvent> waiting = new LinkedBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private Thread thread;
    private boolean closed;

    public ThalassaEventRelay(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void onEvent(ThalassaEvent event) {
        if (!waiting.offer(event)) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                LOG.warn("events - {} event(s) not published: {} wait for the application's listeners", n, CAPACITY);
            }
        }
    }

    /** Starts publishing, the events kept since the Thalassa started first. */
    public synchronized void start() {
        if (thread != null || closed) {
            return;
        }
        thread = new Thread(this::publish, "thalassa-events");
        thread.setDaemon(true);
        thread.start();
    }

    private void publish() {
        while (true) {
            ThalassaEvent event;
            try {
                event = waiting.take();
            } catch (InterruptedException e) {
                return;
            }
            if (event == END) {
                return;
            }
            try {
                publisher.publishEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("events - a listener of {} {} failed: {}", event.verb().wireName(), event.object(),
                        e.toString());
            }
        }
    }

    /** Events not published because too many waited. */
    public long dropped() {
        return dropped.get();
    }

    /** Publishes what waits (for at most 2 s), then stops; safe to call twice. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        if (t == null) {
            return;
        }
        try {
            if (!waiting.offer(END, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                t.interrupt();
            }
            t.join(CLOSE_WAIT.toMillis());
            t.interrupt();
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
