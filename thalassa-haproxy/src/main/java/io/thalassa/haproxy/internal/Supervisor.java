package io.thalassa.haproxy.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that HAProxy's master is gone and starts it again: every check interval it looks; when the master is gone a
 * round of up to {@value #ATTEMPTS} attempts begins, each prepared and recorded under the controller's lock and
 * launched outside it, with a growing pause between attempts that is a scheduled task, never a sleep, so changes go
 * on being accepted meanwhile. A failed round is reported and the next check begins another. Thread-safe.
 *
 * @param <R> what a prepared restart carries from {@link Restarts#prepare} to {@link Restarts#started}
 */
public final class Supervisor<R> {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** Attempts per round. */
    static final int ATTEMPTS = 5;

    /** What a restart is made of. */
    public interface Restarts<R> {
        /** Whether the master runs (called without the lock). */
        boolean alive();

        /** The master's pid as last known. */
        long pid();

        /** Under the lock: gets the restart ready (the file the new master starts with). */
        R prepare(long deadPid) throws Exception;

        /** Without the lock: starts HAProxy and waits until it answers. */
        void launch(R restart);

        /** Under the lock: HAProxy runs again. */
        void started(R restart);

        /** Under the lock: a whole round of attempts failed. */
        void gaveUp(long deadPid);
    }

    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final Duration pause;
    private final Lock lock;
    private final Restarts<R> restarts;
    private volatile boolean closed;
    private boolean down; // guarded by this: the master is gone and not started again yet
    private boolean attempting; // guarded by this: a round is under way
    private long deadPid; // guarded by this

    /**
     * @param interval how often the master is checked
     * @param pause    the pause after the first failed attempt of a round; the n-th failure waits n times as long
     */
    public Supervisor(ScheduledExecutorService scheduler, Duration interval, Duration pause, Lock lock,
            Restarts<R> restarts) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.pause = pause;
        this.lock = lock;
        this.restarts = restarts;
    }

    /** Starts checking. */
    public void start() {
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Stops: no further attempt begins. */
    public void close() {
        closed = true;
    }

    /** Whether the master is gone and not started again yet (a round may be under way, or the next one due). */
    public synchronized boolean isDown() {
        return down;
    }

    /** Looks at the master; when it is gone and no round is under way, begins one. */
    void check() {
        synchronized (this) {
            if (closed || attempting || restarts.alive()) {
                return;
            }
            attempting = true;
            if (!down) {
                down = true;
                deadPid = restarts.pid();
                LOG.warn("haproxy - master {} is gone; starting it again", deadPid);
            }
        }
        attempt(1);
    }

    private void attempt(int n) {
        long dead;
        synchronized (this) {
            dead = deadPid;
        }
        if (closed) {
            endRound();
            return;
        }
        R restart;
        lock.lock();
        try {
            restart = restarts.prepare(dead);
        } catch (Exception e) {
            failed(n, dead, e);
            return;
        } finally {
            lock.unlock();
        }
        try {
            restarts.launch(restart);
        } catch (RuntimeException e) {
            failed(n, dead, e);
            return;
        }
        lock.lock();
        try {
            synchronized (this) {
                down = false;
                attempting = false;
            }
            restarts.started(restart);
        } finally {
            lock.unlock();
        }
    }

    private void failed(int n, long dead, Exception e) {
        LOG.warn("haproxy - restart attempt {} failed: {}", n, e.getMessage());
        if (n < ATTEMPTS && !closed) {
            try {
                scheduler.schedule(() -> attempt(n + 1), pause.toMillis() * n, TimeUnit.MILLISECONDS);
                return;
            } catch (RejectedExecutionException shutDown) {
                endRound();
                return;
            }
        }
        lock.lock();
        try {
            restarts.gaveUp(dead);
        } finally {
            lock.unlock();
        }
        endRound();
    }

    private synchronized void endRound() {
        attempting = false;
    }
}
