package io.thalassa.haproxy;

import io.thalassa.Member;
import io.thalassa.internal.Checks;

/**
 * One {@code server} line of a backend: the HAProxy server name, its address, whether it starts disabled (an
 * empty slot waiting for a member), and its weight.
 *
 * @param name     HAProxy server name, unique in its backend
 * @param host     IP literal or host name
 * @param port     1..65535
 * @param disabled whether the server is rendered {@code disabled} (in maintenance)
 * @param weight   HAProxy's server weight, 0..256; 1 (HAProxy's default) is not rendered
 */
public record ServerLine(String name, String host, int port, boolean disabled, int weight) {
    /** HAProxy's default server weight. */
    public static final int DEFAULT_WEIGHT = 1;

    public ServerLine {
        Checks.identifier("server name", name);
        Checks.host("server host", host);
        Checks.port("server port", port);
        if (weight < 0 || weight > 256) {
            throw new IllegalArgumentException("server weight must be in 0..256: " + weight);
        }
    }

    /** A server line with the default weight. */
    public ServerLine(String name, String host, int port, boolean disabled) {
        this(name, host, port, disabled, DEFAULT_WEIGHT);
    }

    /** The address as HAProxy reads it: {@code host:port}, an IPv6 literal in brackets ({@link Member#addressOf}). */
    public String address() {
        return Member.addressOf(host, port);
    }
}
