package io.thalassa.runtime;

import io.thalassa.ThalassaException;

/**
 * A {@link Batch} was refused because of one of its operations: {@link #index()} names it, {@link #getCause()} says
 * why (an {@link io.thalassa.InvalidValueException} naming the field, a {@link VersionMismatchException}, HAProxy's
 * {@link io.thalassa.ConfigRejectedException} of the batch up to that operation...). None of the batch was applied.
 */
public class BatchException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /**
     * @param index the operation's position in the batch, from 0
     * @param op    what the operation does, for the message
     * @param cause why it was refused
     */
    public BatchException(int index, String op, RuntimeException cause) {
        super("operation " + index + " (" + op + "): " + cause.getMessage(), cause);
        this.index = index;
    }

    /** The refused operation's position in the batch, from 0. */
    public int index() {
        return index;
    }

    /** Why it was refused. */
    @Override
    public synchronized RuntimeException getCause() {
        return (RuntimeException) super.getCause();
    }
}
