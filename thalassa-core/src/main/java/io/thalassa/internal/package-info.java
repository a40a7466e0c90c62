/**
 * What the model's checks and its modules share and users do not call: value checks that throw
 * {@link io.thalassa.InvalidValueException} naming the field ({@code Checks}), the natives allow-list, event delivery,
 * the embedded registry's state file. Not an API: it changes without notice, and only Thalassa's own modules import it
 * (the module boundary test says which).
 */
package io.thalassa.internal;
