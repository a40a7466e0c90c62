package io.thalassa.runtime.internal;

import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus.Measure;
import java.time.Duration;
import java.util.List;

/**
 * What a rollout does next, from the new version's numbers in the current step: pure, no I/O, no clock of its own.
 *
 * <ul>
 *   <li><b>Abort</b> when a member of the new version turned DOWN during the rollout, or stayed DOWN a whole step;
 *       or, once the new version served {@code minRequests} in the step, when its error rate or its response time
 *       is over the guard's limit.</li>
 *   <li><b>Advance</b> (or <b>finish</b> after the last step) when the step lasted its time and the new version
 *       served {@code minRequests} in it.</li>
 *   <li><b>Hold</b> when the step's time is over but the new version has not served {@code minRequests} yet.</li>
 *   <li>Else <b>wait</b>.</li>
 * </ul>
 */
public final class RolloutJudge {
    private RolloutJudge() {
    }

    /** What to do. */
    public enum Action {
        WAIT, HOLD, ADVANCE, FINISH, ABORT
    }

    /** A decision and the sentence that says why. */
    public record Verdict(Action action, String detail) {
    }

    /**
     * @param guard       the rollout's guard
     * @param version     the new version
     * @param target      the new version's numbers in this step
     * @param elapsed     how long the step has been measured
     * @param every       how long a step lasts at least
     * @param lastStep    whether this is the last step
     * @param turnedDown  members of the new version seen UP earlier in the rollout and DOWN now
     * @param downAllStep members of the new version DOWN at every look since the step began, the step's time over
     */
    public static Verdict judge(Rollout.Guard guard, String version, Measure target, Duration elapsed,
            Duration every, boolean lastStep, List<String> turnedDown, List<String> downAllStep) {
        if (!turnedDown.isEmpty()) {
            return new Verdict(Action.ABORT, "member" + (turnedDown.size() == 1 ? " " : "s ")
                    + String.join(", ", turnedDown) + " of " + version + " turned DOWN");
        }
        if (!downAllStep.isEmpty()) {
            return new Verdict(Action.ABORT, "member" + (downAllStep.size() == 1 ? " " : "s ")
                    + String.join(", ", downAllStep) + " of " + version + " stayed DOWN for the whole step");
        }
        boolean judged = target.requests() >= guard.minRequests();
        if (judged && target.errorRatePct() != null && target.errorRatePct() > guard.maxErrorRatePct()) {
            return new Verdict(Action.ABORT, version + " had " + target.errors() + " errors in " + target.requests()
                    + " requests (" + target.errorRatePct() + " %), over the guard's " + guard.maxErrorRatePct()
                    + " %");
        }
        if (judged && guard.maxResponseTime() != null && target.responseTimeMs() != null
                && target.responseTimeMs() > guard.maxResponseTime().toMillis()) {
            return new Verdict(Action.ABORT, version + " answered in " + Math.round(target.responseTimeMs())
                    + " ms (rtime), over the guard's " + guard.maxResponseTime().toMillis() + " ms");
        }
        if (elapsed.compareTo(every) < 0) {
            return new Verdict(Action.WAIT, null);
        }
        if (!judged) {
            return new Verdict(Action.HOLD, "the step's time is over but " + version + " served "
                    + target.requests() + " of the " + guard.minRequests() + " requests the guard needs; waiting");
        }
        String numbers = version + " served " + target.requests() + " requests with " + target.errors()
                + " errors" + (target.responseTimeMs() == null ? "" : ", rtime " + Math.round(target.responseTimeMs())
                + " ms");
        return lastStep ? new Verdict(Action.FINISH, numbers + "; switching to " + version)
                : new Verdict(Action.ADVANCE, numbers);
    }
}
