package io.thalassa.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a registry can be reached.
 *
 * @param status connected or unavailable
 * @param since  when the registry entered this status
 * @param detail why, for an unavailable registry (e.g. the last error); empty when connected
 */
public record RegistryHealth(Status status, Instant since, String detail) {
    /** The two states a registry can be in. */
    public enum Status {
        CONNECTED, UNAVAILABLE
    }

    public RegistryHealth {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(since, "since");
        detail = detail == null ? "" : detail;
    }

    /** Connected since {@code since}. */
    public static RegistryHealth connected(Instant since) {
        return new RegistryHealth(Status.CONNECTED, since, "");
    }

    /** Unavailable since {@code since}, because of {@code detail}. */
    public static RegistryHealth unavailable(Instant since, String detail) {
        return new RegistryHealth(Status.UNAVAILABLE, since, detail);
    }

    public boolean isConnected() {
        return status == Status.CONNECTED;
    }
}
