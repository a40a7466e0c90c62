package io.thalassa;

import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One listening address of a frontend: {@code host:port}, where host is {@code *} (every IPv4 address), an IPv4 or
 * IPv6 literal, or a host name.
 *
 * @param host {@code *}, an IP literal or a host name
 * @param port 1..65535
 */
public record Bind(String host, int port) {
    /** Every IPv4 address of the machine. */
    public static final String ANY = "*";
    private static final Checks.Name HOST = Checks.Name.of("bind", "bind host");

    /**
     * @throws IllegalArgumentException naming {@code bind} when the host or the port is invalid
     */
    public Bind {
        Checks.notNull(HOST, host);
        if (!ANY.equals(host)) {
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            Checks.host(HOST, host);
        }
        Checks.port(Checks.Name.of("bind", "bind port"), port);
    }

    /**
     * Parses one {@code host:port}; an IPv6 literal may be written {@code [::1]:80} or {@code ::1:80}.
     *
     * @throws IllegalArgumentException naming {@code bind} and the value when it is not {@code host:port}
     */
    public static Bind parse(String value) {
        Checks.notNull("bind", value);
        Checks.noControl("bind", value);
        String v = value;
        for (int i = 0; i < v.length(); i++) {
            if (Character.isWhitespace(v.charAt(i)) || Character.isSpaceChar(v.charAt(i))) {
                throw new InvalidValueException("bind", value, "bind must not contain whitespace: "
                        + Checks.quote(value));
            }
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new InvalidValueException("bind", value, "bind must be host:port (host may be *): "
                    + Checks.quote(value));
        }
        String host = v.substring(0, colon);
        String portText = v.substring(colon + 1);
        if (!Checks.isAsciiDigits(portText, 5)) {
            throw new InvalidValueException("bind", value, "bind port must be a number in 1..65535 (digits 0-9): "
                    + Checks.quote(value));
        }
        int port = Integer.parseInt(portText);
        try {
            return new Bind(host, port);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("bind", value, e.getMessage() + " (in bind " + Checks.quote(value) + ")");
        }
    }

    /**
     * Parses a comma-separated list such as {@code *:8080,*:80}.
     *
     * @throws IllegalArgumentException naming {@code bind} when the list is empty, an entry is invalid or repeated
     */
    public static List<Bind> parseList(String value) {
        Checks.notNull("bind", value);
        Set<Bind> binds = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            if (part.isBlank()) {
                throw new InvalidValueException("bind", value, "bind must be a comma-separated list of host:port: "
                        + Checks.quote(value));
            }
            Bind bind = parse(part);
            if (!binds.add(bind)) {
                throw new InvalidValueException("bind", value, "bind lists " + bind + " twice: " + Checks.quote(value));
            }
        }
        return new ArrayList<>(binds);
    }

    /** Whether both would listen on a common address and port. */
    public boolean overlaps(Bind other) {
        return port == other.port && (host.equals(other.host) || ANY.equals(host) && !Checks.isIpv6(other.host)
                || ANY.equals(other.host) && !Checks.isIpv6(host));
    }

    /** {@code host:port} as written in a {@code bind} line, an IPv6 literal in brackets ({@link Member#addressOf}). */
    @Override
    public String toString() {
        return Member.addressOf(host, port);
    }
}
