package io.thalassa;

/** Base of Thalassa's runtime failures: HAProxy rejecting a config, a failed reload, runtime API or registry trouble. */
public class ThalassaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ThalassaException(String message) {
        super(message);
    }

    public ThalassaException(String message, Throwable cause) {
        super(message, cause);
    }
}
