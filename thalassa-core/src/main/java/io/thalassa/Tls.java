package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TLS termination of a frontend: its binds accept TLS with the named certificates (the first is the default; the
 * others are picked by the name the client asks for, SNI, from their subject and SANs) and offer the ALPN protocols.
 * The certificates themselves are stored by name ({@code Thalassa.certificates()}, {@code PUT /certificates/{name}}).
 *
 * <pre>{@code
 * Frontend.builder("web").bind("127.0.0.1:8443").defaultBackend("live").tls(Tls.of("site", "legacy"))
 * }</pre>
 *
 * @param certificates the names of stored certificates, 1..64, each once; the first is served when no other matches
 * @param alpn         the ALPN protocols offered, in order of preference (default {@code h2}, {@code http/1.1});
 *                     empty for none
 */
@JsonPropertyOrder({"certificates", "alpn"})
public record Tls(List<String> certificates, List<String> alpn) {
    /** ALPN offered when none is given: HTTP/2, then HTTP/1.1. */
    public static final List<String> DEFAULT_ALPN = List.of("h2", "http/1.1");
    /** What a certificate name may be: it is its file's name too. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern PROTOCOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9./_-]{0,31}");

    /**
     * @throws IllegalArgumentException naming {@code certificates[i]} or {@code alpn[i]} (of the frontend's
     *                                  {@code tls}) for an invalid or repeated entry, {@code certificates} when
     *                                  there is none or too many
     */
    public Tls {
        Checks.notNull(Checks.Name.of("certificates", "tls.certificates"), certificates);
        if (certificates.isEmpty() || certificates.size() > 64) {
            throw new InvalidValueException("certificates", certificates.size(), "tls.certificates must name 1..64"
                    + " certificates: " + certificates.size());
        }
        certificates = checked("certificates", certificates, NAME, "a certificate name of 1..64 characters of"
                + " [A-Za-z0-9._-] starting with a letter or digit");
        alpn = checked("alpn", Checks.notNull(Checks.Name.of("alpn", "tls.alpn"), alpn), PROTOCOL, "an ALPN protocol"
                + " name such as h2 or http/1.1");
        if (alpn.size() > 8) {
            throw new InvalidValueException("alpn", alpn.size(), "tls.alpn must list at most 8 protocols: "
                    + alpn.size());
        }
    }

    /** Each value matching {@code pattern}, once; refusals name {@code field[i]}, their reason {@code tls.field[i]}. */
    private static List<String> checked(String field, List<String> values, Pattern pattern, String what) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            String f = field + "[" + i + "]";
            Checks.notNull(Checks.Name.of(f, "tls." + f), v);
            if (!pattern.matcher(v).matches()) {
                throw new InvalidValueException(f, v, "tls." + f + " must be " + what + ": " + Checks.quote(v));
            }
            if (!seen.add(v)) {
                throw new InvalidValueException(f, v, "tls." + f + " repeats " + Checks.quote(v));
            }
            out.add(v);
        }
        return List.copyOf(out);
    }

    /**
     * TLS with {@code names}, offering {@link #DEFAULT_ALPN}.
     *
     * @throws IllegalArgumentException as the constructor
     */
    public static Tls of(String... names) {
        return new Tls(java.util.Arrays.asList(Checks.notNull(Checks.Name.of("certificates", "tls.certificates"),
                names)), DEFAULT_ALPN);
    }

    /**
     * The same with {@code protocols} offered through ALPN instead, e.g. {@code withAlpn("http/1.1")}; none for no
     * ALPN.
     *
     * @throws IllegalArgumentException naming {@code tls.alpn[i]} as the constructor
     */
    public Tls withAlpn(String... protocols) {
        return new Tls(certificates, java.util.Arrays.asList(Checks.notNull(Checks.Name.of("alpn", "tls.alpn"),
                protocols)));
    }

    @JsonCreator
    static Tls fromJson(@JsonProperty("certificates") List<String> certificates,
            @JsonProperty("alpn") List<String> alpn) {
        return new Tls(Checks.notNull(Checks.Name.of("certificates", "tls.certificates"), certificates),
                alpn == null ? DEFAULT_ALPN : alpn);
    }

    @JsonProperty("certificates")
    @Override
    public List<String> certificates() {
        return certificates;
    }

    @JsonProperty("alpn")
    @Override
    public List<String> alpn() {
        return alpn;
    }
}
