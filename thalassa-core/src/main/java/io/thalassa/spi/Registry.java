package io.thalassa.spi;

import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the members of dynamic backends come from: every healthy instance registered under a service name and
 * version (exact match). Implement this to feed Thalassa from your own discovery system.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #subscribe} delivers the <em>full</em> current member set, first soon after the call (possibly empty),
 *       then on every change; never two deliveries for one subscription at the same time, never after its
 *       {@link Subscription#close()} returns;</li>
 *   <li>when the source of truth cannot be reached, keep the last known sets, report it through {@link #health()} and
 *       a {@link ThalassaEvent.Verb#REGISTRY_UNAVAILABLE} event, and recover by itself;</li>
 *   <li>listeners and consumers must not be called while holding locks that {@link #register} or
 *       {@link #subscribe} need.</li>
 * </ul>
 */
public interface Registry extends AutoCloseable {

    /**
     * Watches the instances registered under {@code name} and {@code version}.
     *
     * @param members receives the whole healthy member set on every change
     * @return closing it stops the deliveries
     * @throws IllegalArgumentException naming the field when name or version is not a valid service part
     */
    Subscription subscribe(String name, String version, Consumer<Set<Member>> members);

    /**
     * Registers an instance, or refreshes it (new TTL, new meta) when it is registered already.
     *
     * @throws RegistryUnavailableException when the registry cannot take the registration now
     */
    void register(Registration registration);

    /**
     * Removes an instance at once.
     *
     * @return whether it was registered
     * @throws RegistryUnavailableException when the registry cannot be reached
     */
    boolean deregister(String name, String version, String host, int port);

    /**
     * The instances registered through this registry, sorted by id; {@code name} and {@code version} filter when not
     * null.
     */
    List<Registration> registrations(String name, String version);

    /**
     * Whether instances can register through this registry; false for one that only reads a source kept by others
     * (DNS), whose {@link #register} and {@link #deregister} throw {@link UnsupportedOperationException} saying
     * where instances are registered instead. Default true.
     */
    default boolean acceptsRegistrations() {
        return true;
    }

    /** Whether the registry can be reached, and since when. */
    RegistryHealth health();

    /**
     * What kind of registry this is, in one lower-case word ({@code embedded}, {@code consul}...), as status pages show
     * it; by default the class's simple name in lower case.
     */
    default String kind() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    /** Receives {@code online}, {@code offline}, {@code registryUnavailable} and {@code registryRecovered} events. */
    void addListener(ThalassaEvent.Listener listener);

    /** Stops every watch and background task; registrations stay where the registry keeps them. */
    @Override
    void close();

    /** A running watch. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        /** Stops the deliveries; idempotent. */
        @Override
        void close();
    }
}
