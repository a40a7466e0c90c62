package io.thalassa;

/**
 * What the model refuses, as data: which field, the value given, and why. Both kinds of refusal implement it, so an
 * adapter maps one type to its own error shape and never parses a message:
 * <ul>
 *   <li>{@link InvalidValueException} (an {@link IllegalArgumentException}): one field's value is wrong, e.g.
 *       {@code port} 70000;</li>
 *   <li>{@link InvalidModelException} (an {@link IllegalStateException}): fields that do not go together, found by a
 *       builder's {@code build()} or by a configuration snapshot, e.g. {@code health.httpVersion} HTTP/1.1 without
 *       {@code host}.</li>
 * </ul>
 *
 * <p>{@link #field()} is the field's path in the JSON shape of the object that refused, as the REST API's bodies
 * name it: {@code port} for a {@link Member}, {@code uri} for a {@link HealthCheck}, {@code backend} for a
 * {@link Rule}; {@code members[2]}, {@code health.httpVersion}, {@code rules[1].backend}, {@code natives[0]},
 * {@code bind}, {@code versions} for a {@link Backend} or a {@link Frontend}. An object nested in another (a member
 * in {@code members[2]}, a health check in {@code health}) does not know where it sits; whoever reads the nested
 * object prefixes its own path ({@code members[2]} + {@code port} = {@code members[2].port}). Paths are made of
 * names, {@code .} and {@code [index]} only.
 */
public interface ModelRefusal {
    /**
     * The field's path in the JSON shape of the object that refused, e.g. {@code port}, {@code health.httpVersion},
     * {@code rules[1].backend}; never null.
     */
    String field();

    /** The value refused (a string, a number, a list...), or null when there was none (a missing field). */
    Object value();

    /** The sentence saying what is wrong, e.g. {@code member port must be in 1..65535: 70000}. */
    String reason();

    /**
     * Whether the refusal is that the field is absent (a required field not given, {@code bind is required}), rather
     * than given with a wrong value.
     */
    boolean missing();

    /**
     * {@code path} and {@code field} joined as one path: {@code members[2]} and {@code port} give
     * {@code members[2].port}; an empty path gives the field, an index field ({@code [1]}) joins without a dot.
     */
    static String join(String path, String field) {
        if (path == null || path.isEmpty()) {
            return field;
        }
        if (field == null || field.isEmpty()) {
            return path;
        }
        return field.startsWith("[") ? path + field : path + "." + field;
    }

    /**
     * This refusal as one line, {@code path.field: reason} ({@code reason} alone when there is neither): what a reader
     * of the model's JSON reports for a refusal met at {@code path}.
     */
    default String describeAt(String path) {
        String at = join(path, field());
        return (at == null || at.isEmpty() ? "" : at + ": ") + reason();
    }
}
