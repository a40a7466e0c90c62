package io.thalassa.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where a rollout is ({@link Thalassa#rollout(String)}): its step and the shares in use, what each version measured
 * in the step, and every decision so far with its numbers. A snapshot; immutable.
 *
 * @param id            this rollout among the backend's: its start, {@code <backend>@<epoch ms>}
 * @param backend       the dynamic backend rolled out
 * @param service       its service name
 * @param from          the version it served before
 * @param to            the version it rolls out to
 * @param state         running, paused, done or aborted
 * @param step          the current step, from 1 ({@code steps.get(step - 1)} is the new version's share)
 * @param steps         the new version's share at each step, in percent
 * @param stepSeconds   how long each step lasts at least
 * @param guard         the guard
 * @param shares        the weights in use now, by version
 * @param startedAt     when it started
 * @param stepStartedAt when the current step's measurement began
 * @param endedAt       when it ended, or null while it runs
 * @param reason        why it ended, or what holds the step back (too few requests yet), or null
 * @param measured      each version's numbers in the current step (the last step when it ended)
 * @param decisions     every decision so far, oldest first
 * @param driver        in a fleet, the node that drives it; null on one node
 * @param counting      how the numbers are counted: which nodes' counters are in them
 */
public record RolloutStatus(String id, String backend, String service, String from, String to, State state,
        int step, List<Integer> steps, double stepSeconds, Rollout.Guard guard, Map<String, Integer> shares,
        Instant startedAt, Instant stepStartedAt, Instant endedAt, String reason, Map<String, Measure> measured,
        List<Decision> decisions, String driver, String counting) {

    public RolloutStatus {
        steps = List.copyOf(steps);
        shares = Map.copyOf(shares);
        measured = Map.copyOf(measured);
        decisions = List.copyOf(decisions);
    }

    /** Where a rollout is. */
    public enum State {
        RUNNING, PAUSED, DONE, ABORTED;

        /** {@code running}, {@code paused}, {@code done}, {@code aborted}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Whether the rollout still holds the backend (running or paused). */
        public boolean active() {
            return this == RUNNING || this == PAUSED;
        }
    }

    /**
     * What one version did in a step, from HAProxy's counters of its members.
     *
     * @param requests       requests its members served in the step
     * @param errors         5xx responses + response errors + connection errors in the step
     * @param errorRatePct   errors / requests in percent, or null before its first request
     * @param responseTimeMs HAProxy's {@code rtime} of its members (average over their last 1,024 requests), weighted
     *                       by their requests in the step; null before its first request
     * @param members        its members
     * @param down           its members that are DOWN
     */
    public record Measure(long requests, long errors, Double errorRatePct, Double responseTimeMs, int members,
            int down) {
        /** Nothing measured yet. */
        public static final Measure NONE = new Measure(0, 0, null, null, 0, 0);
    }

    /**
     * One decision of the rollout.
     *
     * @param time     when
     * @param step     the step it was taken at, from 1
     * @param action   {@code started}, {@code advanced}, {@code held}, {@code paused}, {@code resumed},
     *                 {@code aborted} or {@code done}
     * @param detail   one sentence
     * @param measured the numbers it was taken on, by version (empty when none)
     */
    public record Decision(Instant time, int step, String action, String detail, Map<String, Measure> measured) {
        public Decision {
            measured = Map.copyOf(measured);
        }
    }

    /** The new version's share at the current step, in percent. */
    public int percent() {
        return steps.get(Math.max(0, Math.min(step, steps.size()) - 1));
    }
}
