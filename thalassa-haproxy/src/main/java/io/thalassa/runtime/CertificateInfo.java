package io.thalassa.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a stored TLS certificate says about itself, never its key: from {@link Certificates#get}, {@link Certificates#list}
 * and {@code GET /certificates}.
 *
 * @param name        the name frontends use it by ({@code tls.certificates})
 * @param subject     the subject of the certificate of the key (RFC 2253), e.g. {@code CN=example.com}
 * @param issuer      its issuer
 * @param sans        its subject alternative names, {@code DNS:example.com}, {@code IP:127.0.0.1}...
 * @param notBefore   valid from
 * @param notAfter    valid until
 * @param sha256      the SHA-256 fingerprint of the certificate, hex
 * @param chainLength the certificates in the file, this one included
 * @param usedBy      the keys of the frontends that terminate TLS with it, sorted
 */
public record CertificateInfo(String name, String subject, String issuer, List<String> sans, Instant notBefore,
        Instant notAfter, String sha256, int chainLength, List<String> usedBy) {
    public CertificateInfo {
        sans = List.copyOf(sans);
        usedBy = List.copyOf(usedBy);
    }

    /** The time left until {@link #notAfter()} (negative once it expired). */
    public Duration expiresIn(Clock clock) {
        return Duration.between(clock.instant(), notAfter);
    }
}
