package io.thalassa;

/** HAProxy did not come up with a new configuration after a reload; the last good one was restored. */
public class ReloadFailedException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    public ReloadFailedException(String message) {
        super(message);
    }

    public ReloadFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
