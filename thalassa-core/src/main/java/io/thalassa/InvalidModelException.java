package io.thalassa;

/**
 * Fields that do not go together, with what was wrong as data (see {@link ModelRefusal}): a builder's
 * {@code build()} or a configuration snapshot refuses the combination, e.g. field {@code health.httpVersion}, value
 * {@code HTTP/1.1}, reason {@code backend b: health httpVersion HTTP/1.1 needs host}. The {@link #field()} is the
 * one to change (or add) to fix it.
 *
 * <p>An {@link IllegalStateException}, as every cross-field check of the model throws; a check of one field's value
 * throws {@link InvalidValueException}, an {@link IllegalArgumentException}.
 */
public class InvalidModelException extends IllegalStateException implements ModelRefusal {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final transient Object value;
    private final boolean missing;

    /**
     * @param field  the field's path in the JSON shape of the object refused, e.g. {@code health.httpVersion} or
     *               {@code members[1]}
     * @param value  the value refused, or null when there was none (a missing field)
     * @param reason the whole sentence
     */
    public InvalidModelException(String field, Object value, String reason) {
        this(field, value, reason, false);
    }

    private InvalidModelException(String field, Object value, String reason, boolean missing) {
        super(reason);
        this.field = java.util.Objects.requireNonNull(field, "field");
        this.value = value;
        this.missing = missing;
    }

    /**
     * A required field that is absent.
     *
     * @param field  as {@link #InvalidModelException(String, Object, String)}
     * @param reason the whole sentence, e.g. {@code bind is required}
     */
    public static InvalidModelException missing(String field, String reason) {
        return new InvalidModelException(field, null, reason, true);
    }

    @Override
    public String field() {
        return field;
    }

    @Override
    public Object value() {
        return value;
    }

    @Override
    public String reason() {
        return getMessage();
    }

    @Override
    public boolean missing() {
        return missing;
    }
}
