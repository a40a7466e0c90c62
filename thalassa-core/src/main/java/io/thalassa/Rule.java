package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;

/**
 * A routing rule of an HTTP frontend: when the request matches, it goes to {@code backend} instead of the default.
 *
 * @param type     what the rule looks at: path, url or header
 * @param header   the header name, for header rules only (null otherwise)
 * @param operation the HAProxy match, e.g. {@code path_beg} or {@code hdr_dom}
 * @param value    the pattern; rendered quoted, so spaces and {@code #} are matched literally
 * @param backend  the key of the backend to route to
 */
@JsonPropertyOrder({"type", "header", "operation", "value", "backend"})
public record Rule(
        @JsonProperty("type") Type type,
        @JsonProperty("header") @JsonInclude(JsonInclude.Include.NON_NULL) String header,
        @JsonProperty("operation") Operation operation,
        @JsonProperty("value") String value,
        @JsonProperty("backend") String backend) {

    private static final Checks.Name TYPE = Checks.Name.of("type", "rule type");
    private static final Checks.Name HEADER_NAME = Checks.Name.of("header", "rule header");
    private static final Checks.Name OPERATION = Checks.Name.of("operation", "rule operation");
    private static final Checks.Name VALUE = Checks.Name.of("value", "rule value");
    private static final Checks.Name BACKEND = Checks.Name.of("backend", "rule backend");

    /** What a rule looks at. */
    public enum Type {
        PATH("path"), URL("url"), HEADER("header");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static Type of(String value) {
            return Checks.wireEnum(TYPE, value, values(), Type::wireName);
        }
    }

    /** The HAProxy sample fetch and match used by a rule, with the rule type it belongs to. */
    public enum Operation {
        PATH("path", Type.PATH), PATH_BEG("path_beg", Type.PATH), PATH_REG("path_reg", Type.PATH),
        URL("url", Type.URL), URL_BEG("url_beg", Type.URL), URL_REG("url_reg", Type.URL),
        HDR("hdr", Type.HEADER), HDR_DOM("hdr_dom", Type.HEADER), HDR_BEG("hdr_beg", Type.HEADER),
        HDR_END("hdr_end", Type.HEADER), HDR_SUB("hdr_sub", Type.HEADER), HDR_REG("hdr_reg", Type.HEADER);

        private final String wireName;
        private final Type type;

        Operation(String wireName, Type type) {
            this.wireName = wireName;
            this.type = type;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        public Type type() {
            return type;
        }

        @JsonCreator
        public static Operation of(String value) {
            return Checks.wireEnum(OPERATION, value, values(), Operation::wireName);
        }
    }

    /**
     * @throws IllegalArgumentException naming the field when a part is missing or invalid, or when the operation
     *                                  does not belong to the type
     */
    public Rule {
        Checks.notNull(TYPE, type);
        Checks.notNull(OPERATION, operation);
        if (operation.type() != type) {
            throw new InvalidValueException(OPERATION.path(), operation.wireName(), "rule operation "
                    + operation.wireName() + " does not fit rule type "
                    + type.wireName() + "; use one of " + operationsOf(type));
        }
        if (type == Type.HEADER) {
            Checks.headerName(HEADER_NAME, header);
        } else if (header != null) {
            throw new InvalidValueException(HEADER_NAME.path(), header, "rule header is only allowed for header rules, not for "
                    + type.wireName() + " rules: " + Checks.quote(header));
        }
        Checks.word(VALUE, value, 1024);
        Checks.identifier(BACKEND, backend);
    }

    @JsonCreator
    static Rule fromJson(@JsonProperty("type") String type, @JsonProperty("header") String header,
            @JsonProperty("operation") String operation, @JsonProperty("value") String value,
            @JsonProperty("backend") String backend) {
        Type t = Type.of(Checks.notNull(TYPE, type));
        return new Rule(t, header, Operation.of(Checks.notNull(OPERATION, operation)), value, backend);
    }

    /** A path rule ({@code path}, {@code path_beg} or {@code path_reg}). */
    public static Rule path(Operation operation, String value, String backend) {
        return new Rule(Type.PATH, null, operation, value, backend);
    }

    /** A rule matching paths that begin with {@code prefix}. */
    public static Rule pathBegins(String prefix, String backend) {
        return path(Operation.PATH_BEG, prefix, backend);
    }

    /** A url rule ({@code url}, {@code url_beg} or {@code url_reg}). */
    public static Rule url(Operation operation, String value, String backend) {
        return new Rule(Type.URL, null, operation, value, backend);
    }

    /** A header rule, e.g. {@code Rule.header("host", Operation.HDR_DOM, "staged.example.com", "staged")}. */
    public static Rule header(String header, Operation operation, String value, String backend) {
        return new Rule(Type.HEADER, header, operation, value, backend);
    }

    /** The same rule routing to another backend. */
    public Rule withBackend(String backend) {
        return new Rule(type, header, operation, value, backend);
    }

    private static String operationsOf(Type type) {
        StringBuilder sb = new StringBuilder();
        for (Operation op : Operation.values()) {
            if (op.type() == type) {
                sb.append(sb.length() == 0 ? "" : "|").append(op.wireName());
            }
        }
        return sb.toString();
    }
}
