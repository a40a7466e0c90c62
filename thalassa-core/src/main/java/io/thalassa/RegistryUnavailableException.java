package io.thalassa;

/** A service registry could not be reached or did not answer in time. */
public class RegistryUnavailableException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    public RegistryUnavailableException(String message) {
        super(message);
    }

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
