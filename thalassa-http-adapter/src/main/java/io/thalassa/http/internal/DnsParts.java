package io.thalassa.http.internal;

import io.thalassa.dns.DnsRegistry;
import io.thalassa.http.RegistryOptions;
import io.thalassa.spi.Registry;

/**
 * The daemon's DNS SRV registry: the one class of the adapter that names {@code thalassa-dns}, a dependency of the
 * daemon's jar only (optional for a host that mounts the adapter).
 */
final class DnsParts {
    private DnsParts() {
    }

    private static DnsRegistry.Builder builder(RegistryOptions r) {
        return DnsRegistry.builder().server(r.dnsHost(), r.dnsPort()).name(r.dnsName())
                .intervals(r.dnsMinInterval(), r.dnsMaxInterval());
    }

    static void check(RegistryOptions r) {
        builder(r);
    }

    static Registry registry(RegistryOptions r) {
        return builder(r).build();
    }
}
