package io.thalassa.haproxy;

import io.thalassa.internal.Checks;

/**
 * One {@code server} line of a backend: the HAProxy server name, its address, and whether it starts disabled (an
 * empty slot waiting for a member).
 *
 * @param name     HAProxy server name, unique in its backend
 * @param host     IP literal or host name
 * @param port     1..65535
 * @param disabled whether the server is rendered {@code disabled} (in maintenance)
 */
public record ServerLine(String name, String host, int port, boolean disabled) {
    public ServerLine {
        Checks.identifier("server name", name);
        Checks.host("server host", host);
        Checks.port("server port", port);
    }

    /** The address as HAProxy reads it: {@code host:port}, IPv6 literals with the {@code ipv6@} prefix. */
    public String address() {
        return Checks.isIpv6(host) ? "ipv6@" + host + ":" + port : host + ":" + port;
    }
}
