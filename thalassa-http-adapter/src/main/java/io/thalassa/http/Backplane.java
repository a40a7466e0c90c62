package io.thalassa.http;

import io.thalassa.ConfigRejectedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.spi.Registry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What the HTTP adapter drives: the running stack (HAProxy controller and registry engine), or anything that behaves
 * like it.
 *
 * <p>Implementations must be thread-safe: the adapter calls every method from many request threads at once.
 */
public interface Backplane {

    /** The configuration in use now, the members of dynamic backends included. */
    ThalassaConfig config();

    /**
     * Applies {@code change} to the current configuration, serialized with every other update, and puts the result in
     * use. The members of dynamic backends in the result are the stack's business (the registry's instances for the
     * backend's name and version), whatever members {@code change} gave them.
     *
     * <p>Nothing changes when this throws: a runtime exception thrown by {@code change} itself (the adapter uses this
     * for atomic precondition checks) propagates unchanged.
     *
     * @return the configuration now in use (it may hold concurrent changes applied together with this one)
     * @throws IllegalArgumentException when the result is invalid (e.g. two frontends share an address)
     * @throws ConfigRejectedException  when HAProxy rejects the rendered configuration
     */
    ThalassaConfig update(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException;

    /**
     * {@link #update} that also says which change of HAProxy's carries it, so the writer can follow it to the end
     * ({@link #change}, {@link #awaitChange}); by default no change is known.
     */
    default Written write(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        return new Written(update(change), null);
    }

    /** The change with this id, while it is kept; empty by default. */
    default Optional<ChangeStatus> change(long id) {
        return Optional.empty();
    }

    /** Waits at most {@code timeout} for the change to be applied or failed; its status then. */
    default Optional<ChangeStatus> awaitChange(long id, Duration timeout) throws InterruptedException {
        return change(id);
    }

    /**
     * What a write did: the configuration now in use and the change that carries it to HAProxy.
     *
     * @param config   the configuration now in use
     * @param change   the change, or null when the backplane has no change ids
     * @param revision the store revision that holds the write, in a fleet (every node runs it once it runs this
     *                 revision or a later one); 0 outside a fleet
     */
    record Written(ThalassaConfig config, ChangeStatus change, long revision) {
        public Written(ThalassaConfig config, ChangeStatus change) {
            this(config, change, 0);
        }
    }

    /** The registry that fills dynamic backends; the registration API works on it. */
    Registry registry();

    /** The rendered haproxy.cfg text in use now. */
    String haproxyConfig();

    /** The latest stats snapshot, any Jackson-serializable object; empty before the first. */
    Optional<Object> stats();

    /**
     * What the stack reports about itself for {@code GET /status} (e.g. HAProxy's pids and reload count, the
     * registry's health), as Jackson-serializable values; empty by default.
     */
    default Map<String, Object> status() {
        return Map.of();
    }

    /**
     * HAProxy's {@code show stat} rows now, read for the per-member live status of the web UI and
     * {@code ?status=true}; empty by default (no live status).
     *
     * @throws RuntimeException when HAProxy cannot be asked now
     */
    default java.util.List<io.thalassa.haproxy.StatRow> statRows() {
        return java.util.List.of();
    }

    /**
     * HAProxy's frontend and backend rows now, without the servers' (the bounded reads of large configurations);
     * by default {@link #statRows()} without its server rows.
     *
     * @throws RuntimeException when HAProxy cannot be asked now
     */
    default java.util.List<io.thalassa.haproxy.StatRow> proxyStatRows() {
        return io.thalassa.http.internal.LiveStats.Source.proxiesOf(statRows());
    }

    /**
     * The server rows of {@code backends} (given by their rows from {@link #proxyStatRows()}) now; by default filtered
     * from {@link #statRows()}.
     *
     * @throws RuntimeException when HAProxy cannot be asked now
     */
    default java.util.List<io.thalassa.haproxy.StatRow> serverStatRows(
            java.util.List<io.thalassa.haproxy.StatRow> backends) {
        return io.thalassa.http.internal.LiveStats.Source.serversOf(statRows(), backends);
    }

    /** Receives every event of the stack; listeners must be quick and must not throw. */
    void addListener(ThalassaEvent.Listener listener);

    /** Stops delivering events to {@code listener}; nothing happens when it was not added. */
    void removeListener(ThalassaEvent.Listener listener);

    /** HAProxy's own log file (its output), or empty when there is none to follow. */
    default Optional<java.nio.file.Path> haproxyLogFile() {
        return Optional.empty();
    }

    /** The latest change accepted, or empty. */
    default Optional<ChangeStatus> latestChange() {
        return Optional.empty();
    }

    /**
     * The nodes sharing this backplane's configuration store and whether each runs its newest revision, as
     * Jackson-serializable values; empty (the default) when the backplane is not part of a fleet.
     */
    default Optional<Map<String, Object>> fleet() {
        return Optional.empty();
    }

    /**
     * Waits at most {@code timeout} until every live node of the fleet runs {@code revision} or a later one (or one
     * of them failed to), and answers {@link #fleet()} then; empty outside a fleet.
     */
    default Optional<Map<String, Object>> awaitFleet(long revision, Duration timeout) throws InterruptedException {
        return Optional.empty();
    }

    /** Is told how long each apply to HAProxy took, by kind ({@code runtime}, {@code reload}, {@code noop}). */
    default void onApply(java.util.function.BiConsumer<String, Duration> listener) {
    }
}
