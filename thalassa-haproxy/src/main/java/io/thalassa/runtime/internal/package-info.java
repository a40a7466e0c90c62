/**
 * How a {@link io.thalassa.runtime.Thalassa} keeps its configuration: one process ({@code LocalNode}: group commit,
 * saved before applied, the membership engine in front of the controller) or a node of a fleet ({@code FleetNode}: a
 * shared store with check-and-set, its state and cache), and the JSON of stored items ({@code Documents}). Not an
 * API; the HTTP adapter may use {@code Documents}.
 */
package io.thalassa.runtime.internal;
