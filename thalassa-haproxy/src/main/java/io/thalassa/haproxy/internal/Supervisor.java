package io.thalassa.haproxy.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that HAProxy's master is gone, or hangs, and starts it again. A master this process launched reports its
 * exit at once ({@link #exited()}, from {@code Process.onExit()}); an adopted one is looked at every check interval. A
 * liveness probe every liveness interval asks the worker for {@code show info} and the master for a worker; after
 * {@value #HUNG_AFTER} failed probes in a row (none during a reload) HAProxy is killed and started again. When the
 * master is gone a round of up to {@value #ATTEMPTS} attempts begins, each prepared and recorded under the controller's lock and
 * launched outside it, with a growing pause between attempts that is a scheduled task, never a sleep, so changes go
 * on being accepted meanwhile. A failed round is reported and the next check begins another. Thread-safe.
 *
 * @param <R> what a prepared restart carries from {@link Restarts#prepare} to {@link Restarts#started}
 */
public final class Supervisor<R> {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** Attempts per round. */
    static final int ATTEMPTS = 5;
    /** Failed liveness probes in a row after which HAProxy counts as hung. */
    static final int HUNG_AFTER = 3;

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

        /**
         * Without the lock: whether a running HAProxy answers (the worker's {@code show info} within the command
         * timeout, and a worker in the master's {@code show proc}); true when it cannot tell (a reload under way).
         */
        default boolean answers() {
            return true;
        }

        /** Without the lock: HAProxy is hung: its processes are killed, so a round starts it again. */
        default void kill(String why) {
        }
    }

    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final Duration liveness;
    private final Duration pause;
    private final Lock lock;
    private final Restarts<R> restarts;
    private volatile boolean closed;
    private boolean down; // guarded by this: the master is gone and not started again yet
    private boolean attempting; // guarded by this: a round is under way
    private long deadPid; // guarded by this
    private int failedProbes; // only on the liveness task

    /**
     * @param interval how often the master is checked
     * @param pause    the pause after the first failed attempt of a round; the n-th failure waits n times as long
     */
    public Supervisor(ScheduledExecutorService scheduler, Duration interval, Duration pause, Lock lock,
            Restarts<R> restarts) {
        this(scheduler, interval, Duration.ZERO, pause, lock, restarts);
    }

    /** @param liveness how often HAProxy is asked whether it answers; 0 for never */
    public Supervisor(ScheduledExecutorService scheduler, Duration interval, Duration liveness, Duration pause,
            Lock lock, Restarts<R> restarts) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.liveness = liveness;
        this.pause = pause;
        this.lock = lock;
        this.restarts = restarts;
    }

    /** Starts checking. */
    public void start() {
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
        if (!liveness.isZero()) {
            long l = liveness.toMillis();
            scheduler.scheduleWithFixedDelay(this::probe, l, l, TimeUnit.MILLISECONDS);
        }
    }

    /** The master this process launched exited: look now, not at the next check. */
    public void exited() {
        try {
            scheduler.execute(this::check);
        } catch (RejectedExecutionException shutDown) {
            // closed
        }
    }

    /** Asks HAProxy whether it answers; kills it after {@value #HUNG_AFTER} failures in a row. */
    void probe() {
        synchronized (this) {
            if (closed || attempting || down) {
                failedProbes = 0;
                return;
            }
        }
        if (!restarts.alive() || restarts.answers()) {
            failedProbes = 0;
            return;
        }
        failedProbes++;
        LOG.warn("haproxy - master {} did not answer the liveness probe ({} of {})", restarts.pid(), failedProbes,
                HUNG_AFTER);
        if (failedProbes >= HUNG_AFTER) {
            failedProbes = 0;
            restarts.kill(HUNG_AFTER + " liveness probes in a row failed");
            check();
        }
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
