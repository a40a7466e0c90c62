package io.thalassa.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.InvalidValueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SrvNamesTest {
    @Test
    void aVersionsDotsBecomeDashes() {
        assertThat(SrvNames.of("_{service}._tcp.v{version}.svc.example.").name("myapp", "1.0.0"))
                .isEqualTo("_myapp._tcp.v1-0-0.svc.example.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"_{service}._tcp.svc.example.", "_{service}._tcp.v{version}.svc.example",
            "{service}.{version}.{version}.x.", "_{service}._tcp.v{version}..x.", "_{service} {version}.x."})
    void badTemplatesAreRefusedNamingDnsName(String template) {
        assertThatThrownBy(() -> SrvNames.of(template)).isInstanceOfSatisfying(InvalidValueException.class,
                e -> assertThat(e.field()).isEqualTo("dnsName"));
    }

    @Test
    void versionsThatCannotBeALabelAreRefusedNamingTheField() {
        SrvNames names = SrvNames.of("_{service}._tcp.v{version}.svc.example.");
        assertThatThrownBy(() -> names.name("myapp", "1.0+build")).isInstanceOfSatisfying(
                InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("version"));
    }

    @Test
    void theRegistryIsReadOnlyAndSaysWhereInstancesAreRegistered() {
        try (DnsRegistry r = DnsRegistry.builder().server("127.0.0.1", 53530).name("_{service}._tcp.v{version}.x.")
                .build()) {
            assertThat(r.acceptsRegistrations()).isFalse();
            assertThatThrownBy(() -> r.deregister("a", "1", "127.0.0.1", 80))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("read-only")
                    .hasMessageContaining("127.0.0.1:53530");
        }
        assertThatThrownBy(() -> DnsRegistry.builder().server("localhost", 53))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field())
                        .isEqualTo("dnsServer"));
        assertThatThrownBy(() -> DnsRegistry.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
