package io.thalassa;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.thalassa.internal.Checks;
import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server of a backend. Static members have only {@code host} and {@code port}; members found in a registry also
 * carry the service {@code name} and {@code version} they registered under, when they were last seen, and their meta.
 *
 * @param host      IPv4/IPv6 literal or host name
 * @param port      1..65535
 * @param name      registered service name, or null for a static member
 * @param version   registered service version, or null for a static member
 * @param lastKnown when the registry last saw the instance, or null
 * @param meta      registration meta data (never null, unmodifiable, sorted by key)
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "version", "host", "port", "lastKnown", "meta", "id"})
public record Member(String host, int port, String name, String version, Instant lastKnown, Map<String, Object> meta) {

    /** Orders members by host, then port: the order they are rendered in. */
    public static final Comparator<Member> BY_ADDRESS = Comparator.comparing(Member::host).thenComparingInt(Member::port);

    private static final Checks.Name HOST = Checks.Name.of("host", "member host");
    private static final Checks.Name PORT = Checks.Name.of("port", "member port");
    private static final Checks.Name NAME = Checks.Name.of("name", "member name");
    private static final Checks.Name VERSION = Checks.Name.of("version", "member version");
    private static final Checks.Name LAST_KNOWN = Checks.Name.of("lastKnown", "member lastKnown");

    /**
     * @throws IllegalArgumentException naming the field when host, port, name or version is invalid, or when only
     *                                  one of name and version is given
     */
    public Member {
        Checks.host(HOST, host);
        Checks.port(PORT, port);
        if ((name == null) != (version == null)) { // the field named is the one missing
            throw new InvalidValueException(name == null ? "name" : "version", null, "member name and version must be"
                    + " given together: name=" + Checks.quote(name) + ", version=" + Checks.quote(version));
        }
        if (name != null) {
            Checks.servicePart(NAME, name);
            Checks.servicePart(VERSION, version);
        }
        meta = meta == null || meta.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(meta));
    }

    /** A static member. */
    public static Member of(String host, int port) {
        return new Member(host, port, null, null, null, null);
    }

    /** A member found in a registry under {@code name} and {@code version}. */
    public static Member registered(String name, String version, String host, int port, Instant lastKnown,
            Map<String, ?> meta) {
        return new Member(host, port, name, version, lastKnown, meta == null ? null : Map.copyOf(meta));
    }

    @JsonCreator
    static Member fromJson(@JsonProperty("host") String host, @JsonProperty("port") Object port,
            @JsonProperty("name") String name, @JsonProperty("version") String version,
            @JsonProperty("lastKnown") Object lastKnown, @JsonProperty("meta") Map<String, Object> meta,
            @JsonProperty("id") String ignoredId) {
        long p = Checks.wholeNumber(PORT, port);
        if (p > 65535) {
            throw new InvalidValueException(PORT.path(), port, "member port must be in 1..65535: " + p);
        }
        return new Member(host, (int) p, name, version,
                lastKnown == null ? null : Instant.ofEpochMilli(Checks.wholeNumber(LAST_KNOWN, lastKnown)),
                meta);
    }

    @JsonProperty("host")
    @Override
    public String host() {
        return host;
    }

    @JsonProperty("port")
    @Override
    public int port() {
        return port;
    }

    @JsonProperty("name")
    @Override
    public String name() {
        return name;
    }

    @JsonProperty("version")
    @Override
    public String version() {
        return version;
    }

    @JsonProperty("lastKnown")
    Long lastKnownMillis() {
        return lastKnown == null ? null : lastKnown.toEpochMilli();
    }

    @JsonProperty("meta")
    Map<String, Object> metaForJson() {
        return name == null && meta.isEmpty() ? null : meta;
    }

    /** {@code /name/version/host/port} for a registered member, {@code host:port} for a static one. */
    @JsonProperty("id")
    public String id() {
        return name == null ? address() : idOf(name, version, host, port);
    }

    /** {@code host:port}; what HAProxy sees of the member, and what membership changes compare. */
    public String address() {
        return addressOf(host, port);
    }

    /**
     * {@code host:port}, an IPv6 literal in brackets ({@code [::1]:80}): the one way Thalassa writes an address, of a
     * member, a server, a bind or a listener, and the way HAProxy reads one in haproxy.cfg ({@code bind},
     * {@code server}) and in its runtime API ({@code add server}) and shows it in {@code show stat}.
     */
    public static String addressOf(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** {@code /name/version/host/port}: the one way Thalassa writes a registered member's (and registration's) id. */
    public static String idOf(String name, String version, String host, int port) {
        return "/" + name + "/" + version + "/" + host + "/" + port;
    }

    /** Whether the member came from a registry. */
    public boolean isRegistered() {
        return name != null;
    }
}
