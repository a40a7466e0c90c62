package io.thalassa.haproxy;

import java.time.Instant;
import java.util.List;

/**
 * Where one {@link HaproxyController#apply} stands: every apply gets an id, and a change that needs a reload is
 * {@link State#PENDING} until HAProxy runs it, then {@link State#APPLIED} or {@link State#FAILED} with HAProxy's
 * words.
 *
 * @param id        the change's id, increasing from 1 in one controller
 * @param state     pending, applied or failed
 * @param kind      nothing, runtime API only, or a reload
 * @param changes   what changed, e.g. {@code live: +127.0.0.1:8081}
 * @param message   why it failed (HAProxy's own message), or null
 * @param submitted when apply was called
 * @param finished  when it was applied or failed, or null while pending
 */
public record ChangeStatus(long id, State state, ApplyResult.Kind kind, List<String> changes, String message,
        Instant submitted, Instant finished) {
    /** Where a change stands. */
    public enum State {
        /** Accepted; HAProxy does not run it yet (a reload is scheduled or running). */
        PENDING,
        /** HAProxy runs it. */
        APPLIED,
        /** HAProxy refused the reload it needed; HAProxy runs what it ran before. */
        FAILED;

        /** The state as the REST API writes it: {@code pending}, {@code applied}, {@code failed}. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ChangeStatus {
        changes = List.copyOf(changes);
    }

    /** Whether it is applied or failed. */
    public boolean isFinished() {
        return state != State.PENDING;
    }
}
