package io.thalassa.spi;

import io.thalassa.Member;
import io.thalassa.internal.Checks;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An instance that announced itself: {@code /name/version/host/port}, its meta data, and how long it stays
 * registered without a refresh.
 *
 * @param name      service name
 * @param version   service version
 * @param host      IPv4/IPv6 literal or host name the instance is reached at
 * @param port      1..65535
 * @param meta      meta data given by the instance (unmodifiable, sorted by key, never null)
 * @param ttl       time to live without a refresh; positive
 * @param lastKnown when it was registered or last refreshed
 */
public record Registration(String name, String version, String host, int port, Map<String, Object> meta,
        Duration ttl, Instant lastKnown) {

    /** The TTL when a registration gives none, as in the original Thalassa. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(10);

    /** The longest TTL accepted: one day. */
    public static final Duration MAX_TTL = Duration.ofDays(1);

    /** @throws IllegalArgumentException naming the field that is invalid */
    public Registration {
        Checks.servicePart("name", name);
        Checks.servicePart("version", version);
        Checks.host("host", host);
        Checks.port("port", port);
        Checks.notNull("ttl", ttl);
        Checks.notNull("lastKnown", lastKnown);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new io.thalassa.InvalidValueException("secondsToExpire", ttl.toSeconds(), "secondsToExpire must be"
                    + " in 1.." + MAX_TTL.toSeconds() + ": " + ttl.toSeconds());
        }
        meta = meta == null || meta.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(meta));
    }

    /** A registration made now with the given TTL. */
    public static Registration of(String name, String version, String host, int port, Map<String, ?> meta,
            Duration ttl) {
        if (meta != null) {
            for (Map.Entry<String, ?> e : meta.entrySet()) {
                if (e.getValue() == null) {
                    throw new io.thalassa.InvalidValueException(e.getKey(), null, e.getKey()
                            + " must not be null (leave it out instead)");
                }
            }
        }
        return new Registration(name, version, host, port, meta == null ? null : Map.copyOf(meta),
                ttl == null ? DEFAULT_TTL : ttl, Instant.now());
    }

    /**
     * Reads {@code secondsToExpire} the way clients send it: absent (the default, 10 s), a whole number, or a
     * string holding one ({@code "30"}).
     *
     * @throws IllegalArgumentException naming {@code secondsToExpire} for anything else
     */
    public static Duration parseSecondsToExpire(Object value) {
        if (value == null) {
            return DEFAULT_TTL;
        }
        long seconds = Checks.wholeNumber("secondsToExpire", value);
        if (seconds < 1 || seconds > MAX_TTL.toSeconds()) {
            throw new io.thalassa.InvalidValueException("secondsToExpire", value, "secondsToExpire must be in 1.."
                    + MAX_TTL.toSeconds() + ": " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** {@code /name/version/host/port}, the id the registration API and members use. */
    public String id() {
        return io.thalassa.Member.idOf(name, version, host, port);
    }

    /** When it expires without a refresh. */
    public Instant expiresAt() {
        return lastKnown.plus(ttl);
    }

    /** The same registration refreshed at {@code when}. */
    public Registration refreshedAt(Instant when) {
        return new Registration(name, version, host, port, meta, ttl, when);
    }

    /** This instance as a member of a dynamic backend. */
    public Member toMember() {
        return Member.registered(name, version, host, port, lastKnown, meta);
    }
}
