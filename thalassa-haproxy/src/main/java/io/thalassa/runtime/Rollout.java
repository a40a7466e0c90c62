package io.thalassa.runtime;

import io.thalassa.InvalidValueException;
import io.thalassa.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to roll a dynamic backend out to a new version ({@link Thalassa#rollout(String, Rollout)}): the new version's
 * share of the traffic in steps, how long each step lasts, and the guard that rolls it back by itself. Immutable:
 * every method answers a new plan.
 *
 * <pre>{@code
 * thalassa.rollout("live", Rollout.to("2.0.0")
 *         .steps(5, 25, 50, 100)
 *         .every(Duration.ofSeconds(30))
 *         .guard(Rollout.Guard.defaults().maxErrorRatePct(1).maxResponseTime(Duration.ofMillis(800))
 *                 .minRequests(20)));
 * }</pre>
 *
 * Each step is a version split through HAProxy's runtime API (no reload). During a step both versions are measured
 * from HAProxy's per-server counters, as the change since the step began: the error rate is (5xx responses +
 * response errors + connection errors) / requests, the response time HAProxy's {@code rtime}, and a member that turns
 * DOWN counts against its version. Once the new version has served {@code minRequests} in a step, a breach of the
 * guard sends all the traffic back to the old version at once; after the last step's time the rollout ends as a
 * plain switch to the new version. A step whose time is over but whose new version served fewer than
 * {@code minRequests} waits for them.
 */
public final class Rollout {
    /** The default steps. */
    private static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 50, 100);

    private final String version;
    private final List<Integer> steps;
    private final Duration every;
    private final Guard guard;

    private Rollout(String version, List<Integer> steps, Duration every, Guard guard) {
        this.version = version;
        this.steps = List.copyOf(steps);
        this.every = every;
        this.guard = guard;
    }

    /**
     * A rollout to {@code version} of the backend's service, with the default steps (5, 25, 50, 100 %), 30 s a step
     * and the {@linkplain Guard#defaults() default guard}.
     *
     * @throws InvalidValueException naming {@code version} when it is not a valid service version
     */
    public static Rollout to(String version) {
        Checks.servicePart(Checks.Name.of("version", "version"), Checks.notNull("version", version));
        return new Rollout(version, DEFAULT_STEPS, Duration.ofSeconds(30), Guard.DEFAULT);
    }

    /**
     * The new version's share in percent at each step, strictly increasing from 1 to 100 and ending at 100; 1 to 20
     * steps.
     *
     * @throws InvalidValueException naming {@code steps} otherwise
     */
    public Rollout steps(int... percents) {
        if (percents == null || percents.length == 0 || percents.length > 20) {
            throw new InvalidValueException("steps", percents == null ? null : percents.length, "steps must hold 1"
                    + " to 20 percentages, e.g. 5, 25, 50, 100");
        }
        List<Integer> list = new ArrayList<>();
        int last = 0;
        for (int p : percents) {
            if (p <= last || p > 100) {
                throw new InvalidValueException("steps", p, "steps must increase strictly from 1 to 100: " + p
                        + (p <= last ? " after " + last : ""));
            }
            list.add(p);
            last = p;
        }
        if (last != 100) {
            throw new InvalidValueException("steps", last, "steps must end at 100 (all the traffic on the new"
                    + " version): " + last);
        }
        return new Rollout(version, list, every, guard);
    }

    /**
     * How long each step lasts at least; 1 s to 1 h.
     *
     * @throws InvalidValueException naming {@code stepSeconds} otherwise
     */
    public Rollout every(Duration step) {
        Checks.notNull("stepSeconds", step);
        if (step.compareTo(Duration.ofSeconds(1)) < 0 || step.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidValueException("stepSeconds", step.toMillis() / 1000.0, "stepSeconds must be in"
                    + " 1..3600: " + step.toMillis() / 1000.0);
        }
        return new Rollout(version, steps, step, guard);
    }

    /** The guard that rolls back by itself. */
    public Rollout guard(Guard guard) {
        return new Rollout(version, steps, every, Checks.notNull("guard", guard));
    }

    public String version() {
        return version;
    }

    /** The new version's share at each step, in percent. */
    public List<Integer> steps() {
        return steps;
    }

    /** How long each step lasts at least. */
    public Duration every() {
        return every;
    }

    public Guard guard() {
        return guard;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rollout r && version.equals(r.version) && steps.equals(r.steps) && every.equals(r.every)
                && guard.equals(r.guard);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(version, steps, every, guard);
    }

    @Override
    public String toString() {
        return "rollout to " + version + " in steps " + steps + " every " + every.toMillis() / 1000.0 + " s, " + guard;
    }

    /**
     * When a rollout rolls back by itself: the new version's error rate or response time over the limit once it
     * served {@code minRequests} in the step. Immutable; every method answers a new guard.
     *
     * @param maxErrorRatePct  the most errors the new version may have, in percent of its requests (0..100)
     * @param maxResponseTime  the longest response time it may have (HAProxy's {@code rtime}), or null for no limit
     * @param minRequests      how many requests it must serve in a step before it is judged (1..1,000,000)
     */
    public record Guard(double maxErrorRatePct, Duration maxResponseTime, long minRequests) {
        static final Guard DEFAULT = new Guard(1.0, null, 20);

        /** The default guard: at most 1 % errors, no response-time limit, judged after 20 requests. */
        public static Guard defaults() {
            return DEFAULT;
        }

        public Guard {
            if (!(maxErrorRatePct >= 0 && maxErrorRatePct <= 100)) {
                throw new InvalidValueException("guard.maxErrorRatePct", maxErrorRatePct,
                        "guard.maxErrorRatePct must be in 0..100: " + maxErrorRatePct);
            }
            if (maxResponseTime != null && (maxResponseTime.toMillis() < 1
                    || maxResponseTime.compareTo(Duration.ofMinutes(10)) > 0)) {
                throw new InvalidValueException("guard.maxResponseTimeMs", maxResponseTime.toMillis(),
                        "guard.maxResponseTimeMs must be in 1..600000: " + maxResponseTime.toMillis());
            }
            if (minRequests < 1 || minRequests > 1_000_000) {
                throw new InvalidValueException("guard.minRequests", minRequests,
                        "guard.minRequests must be in 1..1000000: " + minRequests);
            }
        }

        /** @throws InvalidValueException naming {@code guard.maxErrorRatePct} when not in 0..100 */
        public Guard maxErrorRatePct(double percent) {
            return new Guard(percent, maxResponseTime, minRequests);
        }

        /** @throws InvalidValueException naming {@code guard.maxResponseTimeMs} when not in 1 ms..10 min */
        public Guard maxResponseTime(Duration limit) {
            return new Guard(maxErrorRatePct, limit, minRequests);
        }

        /** @throws InvalidValueException naming {@code guard.minRequests} when not in 1..1,000,000 */
        public Guard minRequests(long requests) {
            return new Guard(maxErrorRatePct, maxResponseTime, requests);
        }

        /** The response-time limit, if any. */
        public Optional<Duration> responseTimeLimit() {
            return Optional.ofNullable(maxResponseTime);
        }

        @Override
        public String toString() {
            return "guard errors <= " + maxErrorRatePct + " %" + (maxResponseTime == null ? ""
                    : ", rtime <= " + maxResponseTime.toMillis() + " ms") + " after " + minRequests + " requests";
        }
    }
}
