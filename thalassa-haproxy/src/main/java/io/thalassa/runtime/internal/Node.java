package io.thalassa.runtime.internal;

import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.runtime.Edit;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the configuration of a {@link io.thalassa.runtime.Thalassa} is written and kept: one process
 * ({@link LocalNode}), or one node of a fleet sharing a store ({@link FleetNode}). Thread-safe.
 */
public interface Node extends AutoCloseable {

    /** The configuration in use now, the members of dynamic backends included. */
    ThalassaConfig config();

    /**
     * Applies {@code edit} to the current configuration, serialized with every other write, and puts the result in
     * use; nothing changes when it throws (a runtime exception of {@code edit} itself propagates unchanged).
     *
     * @param by who writes, for the history, or null
     */
    Written write(Edit edit, String by);

    /**
     * What a write did.
     *
     * @param config   the configuration now in use (it may hold concurrent changes applied with this one)
     * @param change   the change of HAProxy's that carries it, or null when there is none to follow
     * @param revision the store revision that holds the write in a fleet; 0 outside a fleet
     * @param refusal  why this node does not run the write (a fleet node that refused a revision the store holds),
     *                 or null
     * @param versions the version of every stored item right after the write, by id
     */
    record Written(ThalassaConfig config, ChangeStatus change, long revision, String refusal,
            Map<String, Long> versions) {
    }

    /** The version of stored item {@code id} now (what its ETag names), or 0 when it is not stored. */
    long version(String id);

    /** The history of the stored items. */
    Revisions history();

    /**
     * Checks {@code config} as this node's HAProxy would run it, applying nothing.
     *
     * @throws io.thalassa.ConfigRejectedException when HAProxy refuses it
     */
    void validate(ThalassaConfig config);

    /** Where this node keeps its rollouts: {@code rollouts.json} in {@code stateDir}, or a fleet's store. */
    default RolloutBook rollouts(java.nio.file.Path stateDir) {
        return RolloutBook.file(stateDir.resolve("rollouts.json"));
    }

    /** The fleet's view (every node and whether it runs the newest revision); empty outside a fleet. */
    default Optional<Map<String, Object>> fleet() {
        return Optional.empty();
    }

    /** Waits until every live node runs {@code revision} (or failed to); the fleet's view then; empty outside. */
    default Optional<Map<String, Object>> awaitFleet(long revision, Duration timeout) throws InterruptedException {
        return Optional.empty();
    }

    /** This node's part of the status ({@code fleet}); empty outside a fleet. */
    default Optional<Map<String, Object>> fleetStatus() {
        return Optional.empty();
    }

    /** This node's name in its fleet; empty outside a fleet. */
    default Optional<String> fleetNode() {
        return Optional.empty();
    }

    /** The address of the API serving this node, published to the fleet; ignored outside a fleet. */
    default void advertise(String apiUrl) {
    }

    /** Closes; HAProxy keeps serving. */
    @Override
    void close();

    /** Closes after a start that failed: a HAProxy this node started is stopped, an adopted one keeps serving. */
    void abort();
}
