package io.thalassa.runtime;

import io.thalassa.ThalassaConfig;

/**
 * A write that looks at the versions of the items it changes ({@link Thalassa#update(Edit)}): a precondition such as
 * HTTP's {@code If-Match} checked against the configuration the write is applied to, under the same lock.
 *
 * <pre>{@code
 * thalassa.update((config, versions) -> {
 *     if (versions.of("backend/live") != seen) {
 *         throw new IllegalStateException("backend live changed since version " + seen);
 *     }
 *     return config.withBackend(changed);
 * });
 * }</pre>
 */
@FunctionalInterface
public interface Edit {
    /**
     * The configuration to put in use instead of {@code config}; throwing refuses the write and changes nothing.
     *
     * @param versions the versions of the items of {@code config}, valid during this call
     */
    ThalassaConfig apply(ThalassaConfig config, ItemVersions versions);
}
