package io.thalassa;

/** A command on HAProxy's runtime API (stats or master socket) failed, timed out or was refused. */
public class RuntimeApiException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    public RuntimeApiException(String message) {
        super(message);
    }

    public RuntimeApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
