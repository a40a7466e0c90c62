package io.thalassa.runtime;

import io.thalassa.ThalassaException;

/**
 * A rollout cannot do what was asked in the state it is in: a second rollout of a backend while one runs, or a pause,
 * resume or abort of one that ended. Carries the rollout as it is; nothing was changed.
 */
public class RolloutConflictException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final transient RolloutStatus rollout;

    public RolloutConflictException(String message, RolloutStatus rollout) {
        super(message);
        this.rollout = rollout;
    }

    /** The rollout as it is now. */
    public RolloutStatus rollout() {
        return rollout;
    }
}
