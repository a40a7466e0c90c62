package io.thalassa;

/**
 * A value the model refuses, with what was wrong as data: the {@link #field()} as the model names it (e.g.
 * {@code member port}), the {@link #value()} given, and the {@link #reason()} (the whole sentence, e.g.
 * {@code member port must be in 1..65535: 70000}), so an adapter maps it to its own error shape without parsing
 * the message.
 */
public class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final transient Object value;

    /**
     * @param field  the field as the model names it, e.g. {@code member port} or {@code natives}
     * @param value  the value refused, or null when there was none
     * @param reason the whole sentence, starting with the field
     */
    public InvalidValueException(String field, Object value, String reason) {
        super(reason);
        this.field = field;
        this.value = value;
    }

    /** The field as the model names it: {@code member port}, {@code bind}, {@code natives}. */
    public String field() {
        return field;
    }

    /** The value refused (a string, a number...), or null. */
    public Object value() {
        return value;
    }

    /** The sentence saying what is wrong; it starts with the field. */
    public String reason() {
        return getMessage();
    }
}
