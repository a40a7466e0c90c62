package io.thalassa.spring;

/**
 * A {@code thalassa.*} property Thalassa cannot start with: the property, the value given and why, as data (the
 * library's refusal, e.g. {@code reloadWindow must be in 0..60000 ms: 90000 ms}), and what to do. Start-up fails with
 * it, and a failure analyzer prints the three with where the value came from.
 */
public class ThalassaPropertyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final transient Object value;
    private final String reason;
    private final String action;

    /**
     * @param property the property's name, e.g. {@code thalassa.reload-window}
     * @param value    the value given, or null
     * @param reason   why it cannot serve, one sentence
     * @param action   what to do about it, or null for: give a valid value, or leave the property out for the default
     * @param cause    the library's refusal, or null
     */
    public ThalassaPropertyException(String property, Object value, String reason, String action, Throwable cause) {
        super(property + " = " + value + ": " + reason, cause);
        this.property = java.util.Objects.requireNonNull(property, "property");
        this.value = value;
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
        this.action = action != null ? action : "Give " + property + " a valid value, or leave it out for the default.";
    }

    /** The property's name, e.g. {@code thalassa.reload-window}. */
    public String property() {
        return property;
    }

    /** The value given, or null. */
    public Object value() {
        return value;
    }

    /** Why it cannot serve: the library's own sentence where it refused it. */
    public String reason() {
        return reason;
    }

    /** What to do about it. */
    public String action() {
        return action;
    }
}
