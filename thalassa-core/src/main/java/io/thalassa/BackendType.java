package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;

/** Where a backend's members come from: a registry subscription ({@code dynamic}) or the model ({@code static}). */
public enum BackendType {
    DYNAMIC("dynamic"), STATIC("static");

    private final String wireName;

    BackendType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses {@code dynamic} or {@code static}, ignoring case.
     *
     * @throws IllegalArgumentException naming {@code type} and the value when it is neither
     */
    @JsonCreator
    public static BackendType of(String value) {
        return Checks.wireEnum("type", value, values(), BackendType::wireName);
    }
}
