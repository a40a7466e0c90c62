package io.thalassa.http;

import java.time.Duration;

/**
 * The daemon's registry options, checked: which registry fills dynamic backends, how to reach it, and the guard
 * against mass removals every registry gets.
 *
 * @param kind           {@code embedded}, {@code consul}, {@code zookeeper} or {@code dns} ({@code --registry};
 *                       default consul with {@code --serviceReg} or {@code --store consul}, else embedded)
 * @param zkConnect      ZooKeeper's connect string, default {@code 127.0.0.1:2181}
 * @param zkBasePath     the base path of Curator's service-discovery layout, default {@code /services}
 * @param zkVersionKey   the metadata key holding an instance's version, default {@code version}
 * @param dnsHost        the DNS server's IP address, default {@code 127.0.0.1}
 * @param dnsPort        the DNS server's port, default 53
 * @param dnsName        the SRV name template ({@code _{service}._tcp.v{version}.svc.example.}), or null
 * @param dnsMinInterval the shortest interval between two lookups of a name, default 1 s
 * @param dnsMaxInterval the longest, default 60 s
 * @param maxRemovalPct  the share of a backend's members one registry update may remove without a hold, default 50
 * @param removalHold    how long larger removals are held, default 30 s
 */
public record RegistryOptions(String kind, String zkConnect, String zkBasePath, String zkVersionKey, String dnsHost,
        int dnsPort, String dnsName, Duration dnsMinInterval, Duration dnsMaxInterval, int maxRemovalPct,
        Duration removalHold) {
}
