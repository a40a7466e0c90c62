package io.thalassa.runtime.internal;

import io.thalassa.ThalassaConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Group commit of configuration changes from many callers: changes that arrive while another is being committed wait,
 * then are committed together, each on the result of the one before, with one commit for all (one validation, at
 * most one reload). When the combined commit fails, they are committed again one by one, so every caller gets the
 * answer to its own change. A change that throws by itself fails alone and does not hold the others back.
 *
 * @param <R> what a commit answers
 */
public final class GroupCommit<R> {
    private final Supplier<ThalassaConfig> current;
    private final Function<ThalassaConfig, R> commit;
    private final ConcurrentLinkedQueue<Pending<R>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock committing = new ReentrantLock();

    /**
     * @param current the configuration a change applies to (read under the commit lock)
     * @param commit  puts a configuration in use, or throws and changes nothing
     */
    public GroupCommit(Supplier<ThalassaConfig> current, Function<ThalassaConfig, R> commit) {
        this.current = current;
        this.commit = commit;
    }

    /**
     * Commits {@code change}, alone or with the changes that arrived meanwhile.
     *
     * @return what the commit that carried it answered
     * @throws RuntimeException what {@code change} or the commit threw for this change
     */
    public R submit(UnaryOperator<ThalassaConfig> change) {
        Pending<R> mine = new Pending<>(change);
        queue.add(mine);
        committing.lock();
        try {
            if (!mine.done) { // still queued: take it and everything queued behind it
                List<Pending<R>> batch = new ArrayList<>();
                for (Pending<R> p = queue.poll(); p != null; p = queue.poll()) {
                    batch.add(p);
                }
                commitBatch(batch);
            }
        } finally {
            committing.unlock();
        }
        return mine.outcome();
    }

    private void commitBatch(List<Pending<R>> batch) {
        try {
            if (batch.size() == 1) {
                commitAlone(batch.get(0));
                return;
            }
            ThalassaConfig combined = current.get();
            List<Pending<R>> accepted = new ArrayList<>();
            for (Pending<R> p : batch) {
                try {
                    combined = p.change.apply(combined);
                    accepted.add(p);
                } catch (RuntimeException e) {
                    p.fail(e);
                }
            }
            if (accepted.size() <= 1) {
                accepted.forEach(this::commitAlone);
                return;
            }
            try {
                R result = commit.apply(combined);
                accepted.forEach(p -> p.succeed(result));
            } catch (RuntimeException e) {
                accepted.forEach(this::commitAlone); // find whose change it was
            }
        } finally {
            for (Pending<R> p : batch) {
                if (!p.done) {
                    p.fail(new IllegalStateException("the update was abandoned"));
                }
            }
        }
    }

    private void commitAlone(Pending<R> p) {
        try {
            p.succeed(commit.apply(p.change.apply(current.get())));
        } catch (RuntimeException e) {
            p.fail(e);
        }
    }

    /** One caller's change waiting for the group commit; completed by whichever caller commits its batch. */
    private static final class Pending<R> {
        final UnaryOperator<ThalassaConfig> change;
        volatile boolean done;
        private R result;
        private RuntimeException failure;

        Pending(UnaryOperator<ThalassaConfig> change) {
            this.change = change;
        }

        void succeed(R value) {
            result = value;
            done = true;
        }

        void fail(RuntimeException e) {
            failure = e;
            done = true;
        }

        R outcome() {
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }
}
