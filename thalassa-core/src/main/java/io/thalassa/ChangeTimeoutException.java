package io.thalassa;

/** A change was still pending when the time given to wait for it ran out; it may still be applied later. */
public class ChangeTimeoutException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    public ChangeTimeoutException(String message) {
        super(message);
    }
}
