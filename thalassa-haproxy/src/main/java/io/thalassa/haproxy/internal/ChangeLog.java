package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.ChangeStatus.State;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every change the controller accepted, by id: pending until HAProxy runs it, then applied or failed. Keeps the
 * latest {@code retained} changes (and every pending one). Thread-safe.
 */
public final class ChangeLog {
    private final Clock clock;
    private final int retained;
    private final Map<Long, Entry> entries = new LinkedHashMap<>();
    private long nextId = 1;

    private static final class Entry {
        volatile ChangeStatus status;
        final CompletableFuture<ChangeStatus> done = new CompletableFuture<>();

        Entry(ChangeStatus status) {
            this.status = status;
        }
    }

    public ChangeLog(Clock clock, int retained) {
        this.clock = clock;
        this.retained = retained;
    }

    /** Records a change: applied at once unless {@code pending}. */
    public synchronized ChangeStatus open(ApplyResult.Kind kind, List<String> changes, boolean pending) {
        long id = nextId++;
        ChangeStatus s = new ChangeStatus(id, pending ? State.PENDING : State.APPLIED, kind, changes, null,
                clock.instant(), pending ? null : clock.instant());
        Entry e = new Entry(s);
        if (!pending) {
            e.done.complete(s);
        }
        entries.put(id, e);
        trim();
        return s;
    }

    /** Marks pending changes applied (a reload that carries them is done). */
    public synchronized void applied(List<Long> ids) {
        finish(ids, State.APPLIED, null, null);
    }

    /** Marks pending changes applied, adding {@code note} (how it ended) to what each says it changed. */
    public synchronized void applied(List<Long> ids, String note) {
        finish(ids, State.APPLIED, null, note);
    }

    /** Marks pending changes failed with HAProxy's message. */
    public synchronized void failed(List<Long> ids, String message) {
        finish(ids, State.FAILED, message, null);
    }

    private void finish(List<Long> ids, State state, String message, String note) {
        for (long id : ids) {
            Entry e = entries.get(id);
            if (e == null || e.status.isFinished()) {
                continue;
            }
            ChangeStatus s = e.status;
            List<String> changes = s.changes();
            if (note != null) {
                changes = new ArrayList<>(changes);
                changes.add(note);
            }
            e.status = new ChangeStatus(s.id(), state, s.kind(), changes, message, s.submitted(), clock.instant());
            e.done.complete(e.status);
        }
        trim();
    }

    /** The change with this id, if it is still kept. */
    public synchronized Optional<ChangeStatus> get(long id) {
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.of(e.status);
    }

    /** The latest change, if any. */
    public synchronized Optional<ChangeStatus> latest() {
        return nextId == 1 ? Optional.empty() : get(nextId - 1);
    }

    /** Changes still pending, oldest first. */
    public synchronized List<ChangeStatus> pending() {
        List<ChangeStatus> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.status.isFinished()) {
                out.add(e.status);
            }
        }
        return out;
    }

    /**
     * Waits until the change is applied or failed, at most {@code timeout}; returns its status then (still pending
     * when the time ran out), or empty when the id is unknown.
     */
    public Optional<ChangeStatus> await(long id, Duration timeout) throws InterruptedException {
        CompletableFuture<ChangeStatus> done;
        synchronized (this) {
            Entry e = entries.get(id);
            if (e == null) {
                return Optional.empty();
            }
            done = e.done;
        }
        try {
            return Optional.of(done.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return get(id);
        } catch (ExecutionException e) {
            return get(id);
        }
    }

    private void trim() {
        var it = entries.entrySet().iterator();
        while (entries.size() > retained && it.hasNext()) {
            Map.Entry<Long, Entry> e = it.next();
            if (e.getValue().status.isFinished()) {
                it.remove();
            } else {
                break;
            }
        }
    }
}
