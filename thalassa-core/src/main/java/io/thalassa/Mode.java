package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;

/** HAProxy proxy mode of a frontend or backend: {@code http} (the default) or {@code tcp}. */
public enum Mode {
    HTTP("http"), TCP("tcp");

    private final String wireName;

    Mode(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in haproxy.cfg and in JSON. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses {@code http} or {@code tcp}, ignoring case.
     *
     * @throws IllegalArgumentException naming {@code mode} and the value when it is neither
     */
    @JsonCreator
    public static Mode of(String value) {
        return Checks.wireEnum("mode", value, values(), Mode::wireName);
    }
}
