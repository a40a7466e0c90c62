/**
 * A read-only registry backed by DNS SRV records: {@link io.thalassa.dns.DnsRegistry}.
 *
 * <pre>{@code
 * try (Thalassa thalassa = Thalassa.builder()
 *         .registry(DnsRegistry.builder().server("127.0.0.1", 53530)
 *                 .name("_{service}._tcp.v{version}.svc.example.").build())
 *         .start()) {
 *     // backend "live" of service myapp 1.0.0 gets the records of _myapp._tcp.v1-0-0.svc.example.
 *     thalassa.update(c -> c.withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()));
 * }
 * }</pre>
 */
package io.thalassa.dns;
