package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.EmbeddedRegistry;
import io.thalassa.InvalidValueException;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One instance whose host does not resolve, among 100 good ones in the embedded registry, blocks nothing. */
class BadInstanceIT {
    @TempDir
    Path dir;

    @Test
    void oneUnresolvableInstanceAmongAHundredIsLeftOutAloneAndEverythingElseFlows() throws Exception {
        EmbeddedRegistry registry = EmbeddedRegistry.create();
        BadInstanceScenario.run(dir, registry, (name, version, host, port) -> registry.register(
                Registration.of(name, version, host, port, null, Duration.ofMinutes(5))), Duration.ofSeconds(90));
    }

    @Test
    void ambiguousIpv4SpellingsAreRefusedAtRegistrationNamingTheHost() {
        for (String host : new String[] {"127.0.0.256", "0177.0.0.1", "127.1", "2130706433", "0x7f.1"}) {
            assertThatThrownBy(() -> Registration.of("myapp", "1.0.0", host, 8080, null, null))
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field())
                            .isEqualTo("host"));
        }
    }
}
