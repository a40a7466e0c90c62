package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;

/** Keep-alive policy of an HTTP frontend: {@code default}, {@code close} or {@code server-close}. */
public enum KeepAlive {
    /** HAProxy's default: keep-alive on both sides. */
    DEFAULT("default"),
    /** Close the connection after each response ({@code option httpclose}). */
    CLOSE("close"),
    /** Keep-alive with clients, close towards servers ({@code option http-server-close}). */
    SERVER_CLOSE("server-close");

    private final String wireName;

    KeepAlive(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a policy name, ignoring case.
     *
     * @throws IllegalArgumentException naming {@code keepalive} and the value when it is unknown
     */
    @JsonCreator
    public static KeepAlive of(String value) {
        return Checks.wireEnum("keepalive", value, values(), KeepAlive::wireName);
    }
}
