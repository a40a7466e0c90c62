package io.thalassa.spring;

import io.thalassa.runtime.Thalassa;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.application.ReadinessStateHealthIndicator;

/**
 * The application's readiness state ({@code readinessState}, the readiness group's member) as Thalassa makes it:
 * refusing traffic while HAProxy does not run the configuration last accepted, as the daemon's {@code /health/ready};
 * else what the application says. Liveness is left as it is: alive while the application answers, as the daemon's
 * {@code /health/live}.
 */
public final class ThalassaReadinessIndicator extends ReadinessStateHealthIndicator {
    private final Thalassa thalassa;

    public ThalassaReadinessIndicator(ApplicationAvailability availability, Thalassa thalassa) {
        super(availability);
        this.thalassa = thalassa;
    }

    @Override
    protected AvailabilityState getState(ApplicationAvailability availability) {
        boolean ready;
        try {
            ready = thalassa.status().ready();
        } catch (RuntimeException e) {
            ready = false;
        }
        return ready ? availability.getReadinessState() : ReadinessState.REFUSING_TRAFFIC;
    }
}
