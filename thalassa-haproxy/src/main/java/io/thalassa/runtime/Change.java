package io.thalassa.runtime;

import io.thalassa.ChangeTimeoutException;
import io.thalassa.ReloadFailedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One accepted write of a {@link Thalassa}: the configuration it left in use and the change of HAProxy's that carries
 * it, to follow until HAProxy runs it.
 *
 * <pre>{@code
 * thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10)); // HAProxy runs it, or an exception says why
 * }</pre>
 */
public final class Change {
    private final Thalassa owner;
    private final ThalassaConfig config;
    private final long id;
    private final long revision;
    private final String refusal;
    private final Map<String, Long> versions;
    private final List<RolloutStatus> abortedRollouts;

    Change(Thalassa owner, ThalassaConfig config, ChangeStatus status, long revision, String refusal,
            Map<String, Long> versions, List<RolloutStatus> abortedRollouts) {
        this.owner = owner;
        this.config = config;
        this.id = status == null ? 0 : status.id();
        this.revision = revision;
        this.refusal = refusal;
        this.versions = Map.copyOf(versions);
        this.abortedRollouts = List.copyOf(abortedRollouts);
    }

    /**
     * The version of stored item {@code id} ({@code frontend/<key>}, {@code backend/<key>}) right after this write:
     * what its ETag names; 0 when it is not stored.
     */
    public long version(String id) {
        return versions.getOrDefault(id, 0L);
    }

    /** The rollouts this write aborted, as they ended: it changed their backend's version or split. */
    public List<RolloutStatus> abortedRollouts() {
        return abortedRollouts;
    }

    /** The id of the change of HAProxy's that carries this write ({@link Thalassa#change(long)}), or 0 for none. */
    public long id() {
        return id;
    }

    /** The configuration in use right after this write (it may hold concurrent writes applied with it). */
    public ThalassaConfig config() {
        return config;
    }

    /** The revision of the fleet's store that holds this write; 0 outside a fleet. */
    public long revision() {
        return revision;
    }

    /** The change's status now: pending, applied or failed (with HAProxy's words); empty when there is none. */
    public Optional<ChangeStatus> status() {
        return id == 0 ? Optional.empty() : owner.change(id);
    }

    /**
     * Waits until HAProxy runs this write.
     *
     * @return this change
     * @throws ReloadFailedException  when HAProxy refused it (its own words in the message); it runs what it ran before
     * @throws ChangeTimeoutException when it is still pending after {@code timeout}
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public Change await(Duration timeout) {
        Checks.duration("timeout", timeout, Duration.ZERO, Duration.ofDays(1));
        if (refusal != null) {
            throw new ReloadFailedException("this node does not run revision " + revision + ": " + refusal);
        }
        if (id == 0) {
            return this;
        }
        ChangeStatus s;
        try {
            s = owner.awaitChange(id, timeout).orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChangeTimeoutException("interrupted while waiting for change " + id);
        }
        if (s == null) {
            return this; // no longer kept: long finished
        }
        if (s.state() == ChangeStatus.State.FAILED) {
            throw new ReloadFailedException("HAProxy refused change " + id + ": " + s.message()
                    + "; it runs what it ran before");
        }
        if (!s.isFinished()) {
            throw new ChangeTimeoutException("change " + id + " is still pending after " + timeout.toMillis()
                    + " ms (" + String.join("; ", s.changes()) + ")");
        }
        return this;
    }

    @Override
    public String toString() {
        return "change " + id + (revision > 0 ? " (revision " + revision + ")" : "") + status()
                .map(s -> " " + s.state().wireName()).orElse("");
    }
}
