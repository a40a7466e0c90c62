package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An embedder depends on {@code thalassa-haproxy} alone: its classpath (this module's, tests included) has no Jetty,
 * no picocli, no Consul client and none of what the Consul client brings.
 */
class RuntimeDependenciesTest {
    @Test
    void theRuntimeBringsNoHttpServerNoCommandLineParserAndNoConsulClient() {
        List<String> absent = List.of("org.eclipse.jetty.server.Server", "picocli.CommandLine",
                "org.kiwiproject.consul.Consul", "com.google.common.base.Preconditions", "okhttp3.OkHttpClient",
                "io.micrometer.core.instrument.MeterRegistry");
        for (String name : absent) {
            assertThat(loadable(name)).as(name).isFalse();
        }
        assertThat(loadable("io.thalassa.runtime.Thalassa")).isTrue();
    }

    private static boolean loadable(String name) {
        try {
            Class.forName(name, false, RuntimeDependenciesTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
