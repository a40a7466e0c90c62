package io.thalassa;

import io.thalassa.internal.Checks;
import java.time.Instant;

/**
 * Something that happened, for the activity feed and for listeners: a member came online, a config was applied, a
 * reload failed, the registry became unavailable...
 *
 * @param time   when it happened
 * @param verb   what happened
 * @param object what it happened to, e.g. {@code backend/live} or {@code /myapp/1.0.0/127.0.0.1/8080}
 * @param detail one human-readable sentence, may be empty
 */
public record ThalassaEvent(Instant time, Verb verb, String object, String detail) {
    /** What happened. */
    public enum Verb {
        STARTED("started"),
        ONLINE("online"),
        OFFLINE("offline"),
        CONFIG_APPLIED("configApplied"),
        CONFIG_REJECTED("configRejected"),
        RELOAD_DONE("reloadDone"),
        RELOAD_FAILED("reloadFailed"),
        RELOAD_COALESCED("reloadCoalesced"),
        RUNTIME_CHANGE("runtimeChange"),
        DRAIN("drain"),
        VERSION_SWITCHED("versionSwitched"),
        SPLIT_CHANGED("splitChanged"),
        SPLIT_SHARES("splitShares"),
        REGISTRY_UNAVAILABLE("registryUnavailable"),
        REGISTRY_RECOVERED("registryRecovered"),
        /** A registered member that cannot be put in HAProxy (its host does not resolve...): left out of its backend. */
        MEMBER_REJECTED("memberRejected"),
        /** One registry update would remove most of a backend's members: the removals wait for the removal hold. */
        REMOVAL_HELD("removalHeld"),
        /** After the removal hold the registry still says so: the held removals are applied. */
        REMOVAL_CONFIRMED("removalConfirmed"),
        /** The members came back before the removal hold ended: nothing was removed. */
        REMOVAL_CANCELLED("removalCancelled"),
        /** A registry watch that neither delivered nor confirmed within its bound was restarted. */
        WATCH_RESTARTED("watchRestarted"),
        HAPROXY_RESTARTED("haproxyRestarted"),
        STATS_FAILED("statsFailed"),
        /** A fleet node applied a new revision of the shared configuration store. */
        STORE_APPLIED("storeApplied"),
        /** A fleet node could not apply a revision of the shared store; it keeps serving what it ran. */
        STORE_APPLY_FAILED("storeApplyFailed"),
        STORE_UNAVAILABLE("storeUnavailable"),
        STORE_RECOVERED("storeRecovered"),
        /** An alert or warning HAProxy wrote to its log (start-up, a reload it refused...). */
        HAPROXY_LOG("haproxyLog"),
        /** A rollout of a backend to a new version started (its first step is in use). */
        ROLLOUT_STARTED("rolloutStarted"),
        /** A rollout moved to its next step. */
        ROLLOUT_STEP("rolloutStep"),
        ROLLOUT_PAUSED("rolloutPaused"),
        ROLLOUT_RESUMED("rolloutResumed"),
        /** A rollout went back to the old version: the guard broke (with the numbers), by hand, or another write. */
        ROLLOUT_ABORTED("rolloutAborted"),
        /** A rollout ended as a plain switch to the new version. */
        ROLLOUT_DONE("rolloutDone"),
        /** The frontends and backends were put back as they were right after a revision of the history. */
        CONFIG_REVERTED("configReverted"),
        /**
         * The first check of a member that joined: passed (it is in service), failed (it waits in drain until a check
         * passes), or none within the join timeout.
         */
        MEMBER_CHECK("memberCheck"),
        /** A TLS certificate was stored, replaced at run time in HAProxy, or deleted. */
        CERTIFICATE_CHANGED("certificateChanged");

        private final String wireName;

        Verb(String wireName) {
            this.wireName = wireName;
        }

        /** The verb as shown in the activity feed, e.g. {@code reloadDone}. */
        public String wireName() {
            return wireName;
        }

        /** @throws IllegalArgumentException naming {@code verb} when unknown */
        public static Verb of(String value) {
            return Checks.wireEnum("verb", value, values(), Verb::wireName);
        }
    }

    public ThalassaEvent {
        Checks.notNull("time", time);
        Checks.notNull("verb", verb);
        Checks.notNull("object", object);
        detail = detail == null ? "" : detail;
    }

    /** An event that happens now. */
    public static ThalassaEvent now(Verb verb, String object, String detail) {
        return new ThalassaEvent(Instant.now(), verb, object, detail);
    }

    /** Receives events; implementations must be quick and must not throw. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(ThalassaEvent event);
    }
}
