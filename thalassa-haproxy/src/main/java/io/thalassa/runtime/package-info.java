/**
 * Thalassa as one object: {@link io.thalassa.runtime.Thalassa} runs HAProxy, fills dynamic backends from a registry,
 * keeps the configuration in a store and answers every write with a {@link io.thalassa.runtime.Change} to await.
 *
 * <pre>{@code
 * try (Thalassa thalassa = Thalassa.builder()
 *         .workDir(Path.of("/tmp/myapp-lb"))        // haproxy.cfg, socket, pid, state, stored config, activity
 *         .registry(EmbeddedRegistry.create())       // or a ConsulRegistry
 *         .start()) {
 *     thalassa.update(config -> config
 *             .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
 *             .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live").build()))
 *         .await(Duration.ofSeconds(10));            // applied, or an exception with HAProxy's words
 *     thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10));   // runtime API, no reload
 *     thalassa.split("live", Map.of("1.0.0", 90, "2.0.0", 10)).await(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Safe deploys: {@link io.thalassa.runtime.Rollout} (a rollout in steps, judged on HAProxy's counters, with its
 * {@link io.thalassa.runtime.RolloutStatus}), {@link io.thalassa.runtime.Revision} (the history {@code revert} goes back
 * in), {@link io.thalassa.runtime.Batch} (writes applied whole or not at all), {@link io.thalassa.runtime.Edit} and
 * {@link io.thalassa.runtime.ItemVersions} (writes with preconditions on the items' versions, what ETags name):
 *
 * <pre>{@code
 * thalassa.rollout("live", Rollout.to("2.0.0").steps(10, 50, 100).every(Duration.ofSeconds(30)));
 * thalassa.revert(thalassa.history(2, 0).get(1).number());            // back to before the latest change
 * thalassa.apply(Batch.of().deleteFrontend("old").switchVersion("live", "1.0.0"));
 * }</pre>
 *
 * <p>Also here: the {@link io.thalassa.runtime.FileConfigStore} (the default store, one JSON file), the
 * {@link io.thalassa.runtime.ActivityLog}, the {@link io.thalassa.runtime.LiveStats} view of every member, and
 * {@link io.thalassa.runtime.SplitShares} (what each version of a split served). The HTTP adapter and the daemon are
 * built on this package and add nothing to what it can do.
 */
package io.thalassa.runtime;
