package io.thalassa;

/**
 * A value the model refuses, with what was wrong as data (see {@link ModelRefusal}): the {@link #field()}'s path in
 * the JSON shape of the object that refused it (e.g. {@code port} of a member, {@code bind} of a frontend,
 * {@code natives[0]}), the {@link #value()} given, and the {@link #reason()} (the whole sentence, e.g.
 * {@code member port must be in 1..65535: 70000}), so an adapter maps it to its own error shape without parsing
 * the message.
 *
 * <p>An {@link IllegalArgumentException}, as every check of one field's value throws; fields that do not go
 * together throw {@link InvalidModelException}, an {@link IllegalStateException}.
 */
public class InvalidValueException extends IllegalArgumentException implements ModelRefusal {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final transient Object value;
    private final boolean missing;

    /**
     * @param field  the field's path in the JSON shape of the object refused, e.g. {@code port} or {@code natives[2]}
     * @param value  the value refused, or null when there was none
     * @param reason the whole sentence
     */
    public InvalidValueException(String field, Object value, String reason) {
        this(field, value, reason, false);
    }

    private InvalidValueException(String field, Object value, String reason, boolean missing) {
        super(reason);
        this.field = java.util.Objects.requireNonNull(field, "field");
        this.value = value;
        this.missing = missing;
    }

    /**
     * A required field that is absent.
     *
     * @param field  as {@link #InvalidValueException(String, Object, String)}
     * @param reason the whole sentence, e.g. {@code bind is required}
     */
    public static InvalidValueException missing(String field, String reason) {
        return new InvalidValueException(field, null, reason, true);
    }

    /** The field's path in the JSON shape of the object refused: {@code port}, {@code bind}, {@code natives[0]}. */
    @Override
    public String field() {
        return field;
    }

    /** The value refused (a string, a number...), or null. */
    @Override
    public Object value() {
        return value;
    }

    /** The sentence saying what is wrong. */
    @Override
    public String reason() {
        return getMessage();
    }


    @Override
    public boolean missing() {
        return missing;
    }

    /** The same refusal at {@code path} + its field (see {@link ModelRefusal#join}), e.g. {@code natives[2]}. */
    public InvalidValueException at(String path) {
        InvalidValueException moved = new InvalidValueException(ModelRefusal.join(path, field), value, getMessage(),
                missing);
        moved.initCause(this);
        return moved;
    }
}
