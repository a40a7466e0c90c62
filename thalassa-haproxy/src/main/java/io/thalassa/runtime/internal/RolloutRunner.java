package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.VersionSplit;
import io.thalassa.haproxy.StatRow;
import io.thalassa.runtime.Edit;
import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutConflictException;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.RolloutStatus.Decision;
import io.thalassa.runtime.RolloutStatus.Measure;
import io.thalassa.runtime.RolloutStatus.State;
import io.thalassa.runtime.internal.RolloutCounters.Server;
import io.thalassa.runtime.internal.RolloutCounters.Totals;
import io.thalassa.runtime.internal.RolloutJudge.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rollouts of a {@link io.thalassa.runtime.Thalassa}: one per backend, each a series of version splits
 * written through the node (runtime API, no reload), judged on every tick (a quarter second) from HAProxy's
 * per-server counters by {@link RolloutJudge}, kept in a {@link RolloutBook} at every decision so a restart continues
 * from the step it was at (the step's measurement starts again). Another write that changes a rolled-out backend's
 * version or split ends its rollout there: {@link #watching} flags such writes, {@link #afterWrite} ends the rollouts,
 * and every tick compares the backend with what the rollout last wrote (a write on another node of a fleet).
 */
public final class RolloutRunner implements AutoCloseable {
    /** How often rollouts are judged. */
    public static final Duration TICK = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(RolloutRunner.class);
    /** How long a fleet's driver waits before it takes a changed backend for another write: a pause may say why. */
    private static final Duration MISMATCH_GRACE = Duration.ofSeconds(3);
    /** How often a fleet's driver keeps the numbers of the step in the store, for the other nodes to show. */
    private static final Duration SHARE_EVERY = Duration.ofSeconds(2);

    private final Node node;
    private final Function<String, List<StatRow>> serverRows;
    private final ThalassaEvent.Listener events;
    private final RolloutBook book;
    private final Map<String, RolloutRun> runs = new TreeMap<>(); // by backend; guarded by this
    /** The active rollouts' backends and what they wrote last, read by writes without this lock. */
    private volatile Map<String, RolloutRun.Expected> active = Map.of();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thalassa-rollouts");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param serverRows the server rows of a backend in HAProxy ({@code show stat}), by backend key
     */
    public RolloutRunner(Node node, Function<String, List<StatRow>> serverRows, ThalassaEvent.Listener events,
            RolloutBook book) {
        this.node = node;
        this.serverRows = serverRows;
        this.events = events;
        this.book = book;
        synchronized (this) {
            for (RolloutStatus s : book.load()) {
                RolloutRun r = RolloutRun.of(s);
                if (r.state.active()) {
                    r.restart = true;
                }
                runs.put(s.backend(), r);
            }
            refreshActive();
        }
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- the API

    /**
     * Starts rolling {@code backend} out as {@code plan} says: its first step is written at once.
     *
     * @throws InvalidValueException     when there is no such backend ({@code backend}), it is static ({@code type}),
     *                                   split already ({@code versions}), on {@code plan}'s version already
     *                                   ({@code version}), or its balance ignores weights ({@code balance})
     * @throws RolloutConflictException when a rollout of the backend runs
     */
    public synchronized RolloutStatus start(String backend, Rollout plan) {
        if (book.shared()) {
            refreshFromBook();
        }
        RolloutRun running = runs.get(backend);
        if (running != null && running.state.active()) {
            throw new RolloutConflictException("backend " + backend + " is being rolled out to " + running.to
                    + " already (step " + running.step + " of " + running.plan.steps().size() + ", "
                    + running.state.wireName() + "); abort it first", status(running));
        }
        String[] from = new String[2];
        int first = plan.steps().get(0);
        node.write((c, v) -> {
            Backend b = checkStart(c, backend, plan);
            from[0] = b.serviceVersion();
            from[1] = b.serviceName();
            return c.withBackend(b.toBuilder().split(split(b.serviceVersion(), plan.version(), first)).build());
        }, "rollout");
        Instant now = Instant.now();
        RolloutRun r = new RolloutRun(backend + "@" + now.toEpochMilli(), backend, from[1], from[0], plan, now);
        book.drives(backend); // in a fleet the node that starts it drives it, if it can take the lock
        r.driver = book.node();
        r.decide("started", "rolling " + backend + " out from " + r.from + " to " + r.to + ": " + first + " % to "
                + r.to + ", " + plan.guard(), Map.of());
        runs.put(backend, r);
        book.save(status(r));
        refreshActive();
        emit(Verb.ROLLOUT_STARTED, r, backend + ": " + r.service + " " + r.from + " -> " + r.to + " in steps "
                + plan.steps() + " every " + seconds(plan.every()) + " s; " + first + " % to " + r.to);
        return status(r);
    }

    private static Backend checkStart(ThalassaConfig c, String key, Rollout plan) {
        Backend b = c.backend(key).orElseThrow(() -> new InvalidValueException("backend", key, "backend " + key
                + " does not exist"));
        if (!b.isDynamic()) {
            throw new InvalidValueException("type", "static", "backend " + key + " is static; only dynamic backends"
                    + " roll out versions");
        }
        if (b.split().isPresent()) {
            throw new InvalidValueException("versions", b.split().get().toString(), "backend " + key + " is split "
                    + b.split().get() + "; a rollout starts from one version: switch to it first");
        }
        if (b.serviceVersion().equals(plan.version())) {
            throw new InvalidValueException("version", plan.version(), "backend " + key + " serves "
                    + plan.version() + " already");
        }
        if (!b.balance().honoursRuntimeWeights()) {
            throw new InvalidValueException("balance", b.balance().toString(), "backend " + key + ": balance "
                    + b.balance() + " ignores weights changed at run time; a rollout needs roundrobin, leastconn or"
                    + " random");
        }
        return b;
    }

    static VersionSplit split(String from, String to, int percent) {
        Map<String, Integer> w = new TreeMap<>();
        w.put(from, 100 - percent);
        w.put(to, percent);
        return VersionSplit.of(w);
    }

    /** The backend's rollout: the active one, or the last that ended. */
    public synchronized Optional<RolloutStatus> get(String backend) {
        if (book.shared()) {
            refreshFromBook();
        }
        RolloutRun r = runs.get(backend);
        return r == null ? Optional.empty() : Optional.of(status(r));
    }

    /** Every backend's rollout (active, or the last that ended), by backend. */
    public synchronized List<RolloutStatus> all() {
        if (book.shared()) {
            refreshFromBook();
        }
        List<RolloutStatus> out = new ArrayList<>();
        runs.values().forEach(r -> out.add(status(r)));
        return out;
    }

    /**
     * Pauses the backend's rollout: no step and no judgement until {@link #resume}; the shares stay.
     *
     * @throws NoSuchElementException   when the backend never had a rollout
     * @throws RolloutConflictException when it ended
     */
    public synchronized RolloutStatus pause(String backend) {
        if (book.shared()) {
            refreshFromBook();
        }
        RolloutRun r = activeRun(backend, "pause");
        if (r.state == State.RUNNING) {
            r.state = State.PAUSED;
            r.decide("paused", "paused by hand at step " + r.step + " (" + r.percent() + " % to " + r.to + ")",
                    r.measured);
            book.save(status(r));
            emit(Verb.ROLLOUT_PAUSED, r, backend + " paused at step " + r.step + " (" + r.percent() + " % to "
                    + r.to + ")");
        }
        return status(r);
    }

    /**
     * Resumes a paused rollout: its step starts again (measured from now, for the whole step time).
     *
     * @throws NoSuchElementException   when the backend never had a rollout
     * @throws RolloutConflictException when it ended
     */
    public synchronized RolloutStatus resume(String backend) {
        if (book.shared()) {
            refreshFromBook();
        }
        RolloutRun r = activeRun(backend, "resume");
        if (r.state == State.PAUSED) {
            r.state = State.RUNNING;
            r.newStep(r.step);
            r.decide("resumed", "resumed by hand: step " + r.step + " (" + r.percent() + " % to " + r.to
                    + ") starts again", Map.of());
            book.save(status(r));
            emit(Verb.ROLLOUT_RESUMED, r, backend + " resumed at step " + r.step);
        }
        return status(r);
    }

    /**
     * Aborts the backend's rollout: all the traffic back to the old version at once (runtime API, no reload).
     *
     * @throws NoSuchElementException   when the backend never had a rollout
     * @throws RolloutConflictException when it ended
     */
    public synchronized RolloutStatus abort(String backend) {
        if (book.shared()) {
            refreshFromBook();
        }
        RolloutRun r = activeRun(backend, "abort");
        goBack(r, "aborted by hand at step " + r.step + " (" + r.percent() + " % to " + r.to + ")");
        return status(r);
    }

    private RolloutRun activeRun(String backend, String what) {
        RolloutRun r = runs.get(backend);
        if (r == null) {
            throw new NoSuchElementException("backend " + backend + " has no rollout");
        }
        if (!r.state.active()) {
            throw new RolloutConflictException("cannot " + what + " the rollout of " + backend + " to " + r.to
                    + ": it " + (r.state == State.DONE ? "is done" : "was aborted") + " (" + r.reason + ")",
                    status(r));
        }
        return r;
    }

    // ---- other writes

    /**
     * {@code edit} that adds to {@code flagged} every backend under a rollout whose service, version or split it
     * changes (or which it deletes); called by the writes that are not the rollouts' own, under the commit lock.
     */
    public Edit watching(Edit edit, Set<String> flagged) {
        return (c, v) -> {
            ThalassaConfig next = edit.apply(c, v);
            Map<String, RolloutRun.Expected> now = active;
            if (!now.isEmpty() && next != c) {
                for (String key : now.keySet()) {
                    Backend before = c.backends().get(key);
                    Backend after = next.backends().get(key);
                    if (before != after && !sameService(before, after)) {
                        flagged.add(key);
                    }
                }
            }
            return next;
        };
    }

    private static boolean sameService(Backend a, Backend b) {
        return a != null && b != null && a.isDynamic() == b.isDynamic() && java.util.Objects.equals(a.serviceName(),
                b.serviceName()) && java.util.Objects.equals(a.serviceVersion(), b.serviceVersion())
                && a.split().equals(b.split());
    }

    /**
     * Ends the rollouts of {@code flagged}, whose version or split another write changed; that write stays.
     *
     * @return the rollouts ended, as they ended
     */
    public synchronized List<RolloutStatus> afterWrite(Set<String> flagged, ThalassaConfig config) {
        List<RolloutStatus> ended = new ArrayList<>();
        for (String key : flagged) {
            RolloutRun r = runs.get(key);
            if (r != null && r.state.active()) {
                Backend b = config.backends().get(key);
                end(r, State.ABORTED, "a write changed backend " + key + "'s version or split"
                        + (b == null ? " (it was deleted)" : " to " + (b.isDynamic() ? b.serviceDescription()
                        : "static")) + "; the rollout stopped there", Verb.ROLLOUT_ABORTED);
                ended.add(status(r));
            }
        }
        return ended;
    }

    // ---- ticks

    private synchronized void tick() {
        try {
            if (book.shared()) {
                refreshFromBook();
            }
            for (RolloutRun r : new ArrayList<>(runs.values())) {
                if (r.state.active()) {
                    try {
                        tick(r);
                    } catch (RuntimeException e) {
                        LOG.warn("rollout - {}: {}", r.id, e.toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("rollout - tick failed: {}", e.toString());
        }
    }

    /** In a fleet: what other nodes started, stepped, paused or ended since the last look. */
    private void refreshFromBook() {
        for (RolloutStatus s : book.load()) {
            RolloutRun mine = runs.get(s.backend());
            boolean same = mine != null && mine.id.equals(s.id());
            if (same && !book.changedElsewhere(s.backend())) {
                continue;
            }
            RolloutRun r = RolloutRun.of(s);
            r.adopted = true;
            if (same && mine.step == s.step() && mine.state == s.state()) {
                r.baseline = mine.baseline; // the same step: keep measuring it
                r.stepNanos = mine.stepNanos;
                r.seenUp.addAll(mine.seenUp);
                r.upInStep.addAll(mine.upInStep);
                r.driving = mine.driving;
            }
            runs.put(s.backend(), r);
            book.accept(s.backend());
        }
        refreshActive();
    }

    private void tick(RolloutRun r) {
        boolean drives = book.drives(r.backend);
        ThalassaConfig c = node.config();
        Backend b = c.backends().get(r.backend);
        if (drives && r.goingBack != null) {
            goBack(r, r.goingBack);
            return;
        }
        if (drives && !r.expected().matches(b)) {
            long t = System.nanoTime();
            if (book.shared() && (r.mismatchNanos == 0 || t - r.mismatchNanos < MISMATCH_GRACE.toNanos())) {
                r.mismatchNanos = r.mismatchNanos == 0 ? t : r.mismatchNanos; // another node's write may say why
                return;
            }
            end(r, State.ABORTED, b == null ? "backend " + r.backend + " was deleted; the rollout stopped"
                    : "a write changed backend " + r.backend + "'s version or split to " + (b.isDynamic()
                    ? b.serviceDescription() : "static") + "; the rollout stopped there", Verb.ROLLOUT_ABORTED);
            return;
        }
        r.mismatchNanos = 0;
        if (b == null) {
            return;
        }
        if (drives && !r.driving) {
            r.driving = true;
            r.driver = book.node();
            if (r.restart) {
                r.newStep(r.step);
                r.decide("resumed", "continues after a restart: step " + r.step + " (" + r.percent() + " % to "
                        + r.to + ") starts again", Map.of());
                book.save(status(r));
            } else if (r.adopted) {
                r.decide("resumed", book.node() + " drives it now (the node that drove it stopped); step " + r.step
                        + " goes on", Map.of());
                book.save(status(r));
            }
        } else if (!drives) {
            r.driving = false;
        }
        r.restart = false;
        Map<String, Server> now = RolloutCounters.read(serverRows.apply(r.backend));
        long t = System.nanoTime();
        if (r.baseline == null) {
            r.baseline = now;
            r.stepNanos = t;
            return;
        }
        Map<String, String> versionOf = new HashMap<>();
        b.members().forEach(m -> {
            if (m.version() != null) {
                versionOf.put(m.address(), m.version());
            }
        });
        Map<String, Totals> totals = RolloutCounters.since(r.baseline, now, versionOf, Set.of(r.from, r.to));
        book.publish(r.id, r.step, totals);
        if (!drives) {
            return; // the driver's numbers, as it keeps them, are the rollout's
        }
        for (Map.Entry<String, Map<String, Totals>> peer : book.peers(r.id, r.step).entrySet()) {
            peer.getValue().forEach((v, x) -> totals.merge(v, x, Totals::plus));
        }
        r.measured = measures(totals);
        if (book.shared() && t - r.savedNanos > SHARE_EVERY.toNanos()) {
            r.savedNanos = t; // the other nodes show the numbers too
            book.save(status(r));
        }
        if (r.state == State.PAUSED) {
            return;
        }
        List<String> turnedDown = new ArrayList<>();
        List<String> downAllStep = new ArrayList<>();
        Duration elapsed = Duration.ofNanos(t - r.stepNanos);
        boolean stepOver = elapsed.compareTo(r.plan.every()) >= 0;
        now.forEach((addr, s) -> {
            if (!r.to.equals(versionOf.get(addr))) {
                return;
            }
            if (!s.down()) {
                r.seenUp.add(addr);
                r.upInStep.add(addr);
            } else if (r.seenUp.contains(addr)) {
                turnedDown.add(addr);
            } else if (stepOver && !r.upInStep.contains(addr)) {
                downAllStep.add(addr);
            }
        });
        Verdict v = RolloutJudge.judge(r.plan.guard(), r.to, r.measured.getOrDefault(r.to, Measure.NONE), elapsed,
                r.plan.every(), r.step == r.plan.steps().size(), turnedDown, downAllStep);
        switch (v.action()) {
            case WAIT -> {
            }
            case HOLD -> {
                if (!v.detail().equals(r.reason)) {
                    r.reason = v.detail();
                    if (!r.heldNoted) {
                        r.heldNoted = true;
                        r.decide("held", v.detail(), r.measured);
                        book.save(status(r));
                    }
                }
            }
            case ADVANCE -> advance(r, v.detail());
            case FINISH -> finish(r, v.detail());
            case ABORT -> goBack(r, "the guard broke at step " + r.step + " (" + r.percent() + " % to " + r.to + "): "
                    + v.detail());
        }
    }

    private static Map<String, Measure> measures(Map<String, Totals> totals) {
        Map<String, Measure> out = new TreeMap<>();
        totals.forEach((v, x) -> out.put(v, x.measure()));
        return out;
    }

    private void advance(RolloutRun r, String numbers) {
        int next = r.step + 1;
        int percent = r.plan.steps().get(next - 1);
        VersionSplit split = split(r.from, r.to, percent);
        try {
            writeBackend(r, b -> b.toBuilder().service(r.service, split.primaryVersion()).split(split).build());
        } catch (RuntimeException e) {
            LOG.warn("rollout - {}: cannot write step {} ({}); trying again", r.id, next, e.toString());
            return;
        }
        r.decide("advanced", "step " + r.step + " passed: " + numbers + "; step " + next + ": " + percent + " % to "
                + r.to, r.measured);
        r.newStep(next);
        book.save(status(r));
        emit(Verb.ROLLOUT_STEP, r, r.backend + " step " + next + " of " + r.plan.steps().size() + ": " + percent
                + " % to " + r.to + " (step " + (next - 1) + ": " + numbers + ")");
    }

    private void finish(RolloutRun r, String numbers) {
        try {
            writeBackend(r, b -> b.withService(r.service, r.to));
        } catch (RuntimeException e) {
            LOG.warn("rollout - {}: cannot switch to {} ({}); trying again", r.id, r.to, e.toString());
            return;
        }
        r.decide("done", "step " + r.step + " passed: " + numbers, r.measured);
        end(r, State.DONE, "rolled out: " + r.backend + " serves " + r.to + " alone", Verb.ROLLOUT_DONE);
    }

    /** All the traffic back to the old version; the rollout ends aborted (retried at the next tick on failure). */
    private void goBack(RolloutRun r, String why) {
        try {
            writeBackend(r, b -> b.withService(r.service, r.from));
        } catch (RuntimeException e) {
            LOG.warn("rollout - {}: cannot go back to {} ({}); trying again", r.id, r.from, e.toString());
            r.goingBack = why;
            r.reason = why + "; going back to " + r.from + " failed (" + e.getMessage() + "), trying again";
            return;
        }
        r.goingBack = null;
        end(r, State.ABORTED, why + "; all the traffic is back on " + r.from, Verb.ROLLOUT_ABORTED);
    }

    private void writeBackend(RolloutRun r, UnaryOperator<Backend> change) {
        node.write((c, v) -> {
            Backend b = c.backends().get(r.backend);
            if (b == null || !b.isDynamic()) {
                throw new IllegalStateException("backend " + r.backend + " is gone");
            }
            return c.withBackend(change.apply(b));
        }, "rollout");
    }

    private void end(RolloutRun r, State state, String why, Verb verb) {
        r.state = state;
        r.reason = why;
        r.endedAt = Instant.now();
        r.decide(state == State.DONE ? "done" : "aborted", why, r.measured);
        book.save(status(r));
        book.release(r.backend);
        refreshActive();
        StringBuilder numbers = new StringBuilder();
        r.measured.forEach((v, m) -> numbers.append(numbers.length() == 0 ? "" : "; ").append(v).append(": ")
                .append(m.requests()).append(" requests, ").append(m.errors()).append(" errors")
                .append(m.responseTimeMs() == null ? "" : ", rtime " + Math.round(m.responseTimeMs()) + " ms")
                .append(m.down() > 0 ? ", " + m.down() + " DOWN" : ""));
        emit(verb, r, r.backend + ": " + why + (numbers.length() == 0 ? "" : " (" + numbers + ")"));
    }

    private void refreshActive() {
        Map<String, RolloutRun.Expected> now = new TreeMap<>();
        runs.forEach((k, r) -> {
            if (r.state.active()) {
                now.put(k, r.expected());
            }
        });
        active = Map.copyOf(now);
    }

    private void emit(Verb verb, RolloutRun r, String detail) {
        try {
            events.onEvent(ThalassaEvent.now(verb, Backend.idOf(r.backend), detail));
        } catch (RuntimeException e) {
            LOG.warn("rollout - event listener failed: {}", e.toString());
        }
    }

    private RolloutStatus status(RolloutRun r) {
        return new RolloutStatus(r.id, r.backend, r.service, r.from, r.to, r.state, r.step, r.plan.steps(),
                seconds(r.plan.every()), r.plan.guard(), r.shares(), r.startedAt, r.stepStartedAt, r.endedAt,
                r.reason, r.measured, r.decisions, r.driver(book), book.counting());
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    /** Stops judging; the rollouts are kept where they are (the next start continues them). */
    @Override
    public void close() {
        ticker.shutdownNow();
        synchronized (this) {
            runs.values().forEach(r -> {
                if (r.state.active()) {
                    book.release(r.backend);
                }
            });
        }
    }
}
