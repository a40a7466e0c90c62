package io.thalassa.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.RegistryUnavailableException;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.Registration;
import io.thalassa.spi.RegistryHealth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConsulRegistryTest {

    @Test
    void exactlyOneOkHttpAndOneOkioAreOnTheClasspath() throws IOException {
        List<URL> okhttp = Collections.list(getClass().getClassLoader().getResources("okhttp3/OkHttpClient.class"));
        List<URL> okio = Collections.list(getClass().getClassLoader().getResources("okio/Buffer.class"));
        assertThat(okhttp).hasSize(1);
        assertThat(okhttp.get(0).toString()).contains("okhttp-4.");
        assertThat(okio).hasSize(1);
        assertThat(okio.get(0).toString()).contains("okio-jvm-3.");
    }

    @Test
    void serviceIdsAreSafeAndDistinct() {
        assertThat(ConsulRegistry.serviceId("myapp", "1.0.0", "127.0.0.1", 8080)).isEqualTo("myapp~1.0.0~127.0.0.1~8080");
        assertThat(ConsulRegistry.serviceId("my_app", "1.0+b~1", "::1", 80)).isEqualTo("my_5fapp~1.0_2bb_7e1~_3a_3a1~80");
        assertThat(ConsulRegistry.serviceId("a~b", "c", "h", 1)).isNotEqualTo(ConsulRegistry.serviceId("a", "b~c", "h", 1));
    }

    @Test
    void builderNamesTheFieldAndValue() {
        assertThatThrownBy(() -> ConsulRegistry.builder().agent("127.0.0.1", 70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("consul port must be in 1..65535: 70000");
        assertThatThrownBy(() -> ConsulRegistry.builder().wait(Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait must be in");
        assertThatThrownBy(() -> ConsulRegistry.builder().versionMetaKey("a b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("versionMetaKey");
        assertThatThrownBy(() -> ConsulRegistry.builder().datacenter("dc 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("datacenter");
        assertThatThrownBy(() -> ConsulRegistry.builder().retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryBackoff max");
    }

    @Test
    void anAgentThatIsNotThereMakesTheRegistryUnavailableOnceAndRegisterFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Recorder rec = new Recorder();
        try (ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", port)
                .requestTimeout(Duration.ofMillis(500)).retryBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .build()) {
            registry.addListener(rec);
            registry.subscribe("down", "1.0.0", rec);
            rec.awaitEvent(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, Duration.ofSeconds(5));
            Thread.sleep(300);
            RegistryHealth h = registry.health();
            assertThat(h.status()).isEqualTo(RegistryHealth.Status.UNAVAILABLE);
            assertThat(h.detail()).isNotEmpty();
            assertThat(rec.events).filteredOn(e -> e.verb() == ThalassaEvent.Verb.REGISTRY_UNAVAILABLE).hasSize(1);
            assertThat(rec.sets).as("nothing known, nothing delivered").isEmpty();
            assertThatThrownBy(() -> registry.register(Registration.of("down", "1.0.0", "127.0.0.1", 8080, Map.of(),
                    null))).isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("127.0.0.1:" + port);
            assertThat(registry.registrations(null, null)).isEmpty();
        }
    }

    @Test
    void metaKeysConsulCannotStoreAreRejectedBeforeAnyCall() {
        try (ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", 1).build()) {
            assertThatThrownBy(() -> registry.register(Registration.of("m", "1", "127.0.0.1", 8080,
                    Map.of("bad key", "x"), null))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("meta key").hasMessageContaining("bad key");
            assertThat(registry.health().isConnected()).isTrue();
            registry.close();
            assertThatThrownBy(() -> registry.subscribe("m", "1", Set::size))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
