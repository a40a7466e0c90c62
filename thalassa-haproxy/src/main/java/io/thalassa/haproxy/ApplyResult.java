package io.thalassa.haproxy;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link HaproxyController#apply} did.
 *
 * @param kind     nothing, runtime API only, or a reload
 * @param changes  human-readable changes, e.g. {@code live: +127.0.0.1:8081 -127.0.0.1:8080}
 * @param warnings renderer warnings (routes left out because their backend does not exist yet...)
 * @param reload   completes when the reload this change needs is done (at once when none is needed); fails with
 *                 {@link io.thalassa.ReloadFailedException}, carrying HAProxy's message, when HAProxy refused it
 *                 (the previous worker keeps serving)
 * @param changeId the change's id: {@link HaproxyController#change(long)} and
 *                 {@link HaproxyController#awaitChange} follow it to the end
 */
public record ApplyResult(Kind kind, List<String> changes, List<String> warnings, CompletableFuture<Void> reload,
        long changeId) {
    /** How a change reached HAProxy. */
    public enum Kind {
        /** Same configuration: nothing done. */
        NOOP,
        /** Membership only: runtime API commands, no reload (the config file follows within a moment). */
        RUNTIME,
        /** A structural change: validated, written, and a (coalesced) reload scheduled. */
        RELOAD
    }

    public ApplyResult {
        changes = List.copyOf(changes);
        warnings = List.copyOf(warnings);
    }
}
