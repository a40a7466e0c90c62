package io.thalassa;

/** A {@link io.thalassa.spi.ConfigStore} could not be reached or did not answer in time. */
public class StoreUnavailableException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
