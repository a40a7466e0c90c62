package io.thalassa.internal;

import io.thalassa.Member;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * How every registry hands member sets to one subscriber: one at a time, never after {@link #close()} has returned,
 * and a subscriber that throws is logged, not propagated into the registry's watch.
 */
public final class Delivery {
    private final Consumer<Set<Member>> consumer;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;

    public Delivery(Consumer<Set<Member>> consumer) {
        this.consumer = consumer;
    }

    /**
     * Hands {@code set} to the subscriber unless closed; a failure is logged on {@code log} as
     * {@code "<what> failed"}.
     */
    public void deliver(Set<Member> set, Logger log, String what) {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            if (!closed) {
                consumer.accept(set);
            }
        } catch (RuntimeException e) {
            log.warn("{} failed", what, e);
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Waits for a delivery in progress (unless called from it), so none happens after close returns. */
    public void close() {
        closed = true;
        lock.lock();
        lock.unlock();
    }
}
