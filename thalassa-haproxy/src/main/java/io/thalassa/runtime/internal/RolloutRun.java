package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.VersionSplit;
import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.RolloutStatus.Decision;
import io.thalassa.runtime.RolloutStatus.Measure;
import io.thalassa.runtime.RolloutStatus.State;
import io.thalassa.runtime.internal.RolloutCounters.Server;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One rollout's state as its {@link RolloutRunner} keeps it: what its status shows and keeps, and what is measured
 * again after a restart (the step's baseline counters, the members seen UP). Guarded by the runner's lock.
 */
final class RolloutRun {
    static final int MAX_DECISIONS = 200;

    /** The service, version and split a rollout last wrote to its backend. */
    record Expected(String service, String version, VersionSplit split) {
        boolean matches(Backend b) {
            return b != null && b.isDynamic() && service.equals(b.serviceName())
                    && version.equals(b.serviceVersion()) && java.util.Objects.equals(split, b.split().orElse(null));
        }
    }
    final String id;
    final String backend;
    final String service;
    final String from;
    final String to;
    final Rollout plan;
    final Instant startedAt;
    State state = State.RUNNING;
    int step = 1;
    Instant stepStartedAt;
    Instant endedAt;
    String reason;
    Map<String, Measure> measured = Map.of();
    final List<Decision> decisions = new ArrayList<>();
    // not kept: measured again after a restart
    Map<String, Server> baseline;
    long stepNanos;
    boolean restart;
    boolean heldNoted;
    String goingBack;
    boolean adopted;
    boolean driving;
    String driver;
    long mismatchNanos;
    long savedNanos;
    final Set<String> seenUp = new TreeSet<>();
    final Set<String> upInStep = new TreeSet<>();

    RolloutRun(String id, String backend, String service, String from, Rollout plan, Instant startedAt) {
        this.id = id;
        this.backend = backend;
        this.service = service;
        this.from = from;
        this.to = plan.version();
        this.plan = plan;
        this.startedAt = startedAt;
        this.stepStartedAt = startedAt;
    }

    static RolloutRun of(RolloutStatus s) {
        Rollout plan = Rollout.to(s.to()).steps(s.steps().stream().mapToInt(Integer::intValue).toArray())
                .every(Duration.ofMillis(Math.round(s.stepSeconds() * 1000))).guard(s.guard());
        RolloutRun r = new RolloutRun(s.id(), s.backend(), s.service(), s.from(), plan, s.startedAt());
        r.state = s.state();
        r.step = s.step();
        r.stepStartedAt = s.stepStartedAt();
        r.endedAt = s.endedAt();
        r.reason = s.reason();
        r.measured = s.measured();
        r.decisions.addAll(s.decisions());
        r.driver = s.driver();
        return r;
    }

    int percent() {
        return plan.steps().get(step - 1);
    }

    Map<String, Integer> shares() {
        if (state == State.DONE) {
            return Map.of(to, 100);
        }
        if (state == State.ABORTED) {
            return Map.of(from, 100);
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put(from, 100 - percent());
        m.put(to, percent());
        return m;
    }

    Expected expected() {
        VersionSplit split = RolloutRunner.split(from, to, percent());
        return new Expected(service, split.primaryVersion(), split);
    }

    void newStep(int n) {
        step = n;
        stepStartedAt = Instant.now();
        baseline = null;
        heldNoted = false;
        reason = null;
        upInStep.clear();
    }

    void decide(String action, String detail, Map<String, Measure> numbers) {
        decisions.add(new Decision(Instant.now(), step, action, detail, numbers));
        while (decisions.size() > MAX_DECISIONS) {
            decisions.remove(1); // the first (started) stays
        }
    }

    String driver(RolloutBook book) {
        return book.node() == null ? null : driver;
    }
}
