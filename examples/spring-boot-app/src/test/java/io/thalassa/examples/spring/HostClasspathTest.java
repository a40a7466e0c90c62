package io.thalassa.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a host that adds the starter (and no {@code thalassa.http.enabled}) gets on its classpath: Thalassa, and no
 * Jetty, no command-line parser, no Consul client with its Guava and OkHttp, no Curator. This module is such a host.
 */
class HostClasspathTest {
    @Test
    void theStarterBringsThalassaAndNoJettyNoConsulClientNoCurator() {
        for (String absent : List.of("org.eclipse.jetty.server.Server", "picocli.CommandLine",
                "org.kiwiproject.consul.Consul", "com.google.common.base.Preconditions", "okhttp3.OkHttpClient",
                "org.apache.curator.framework.CuratorFramework", "io.thalassa.http.ThalassaHttp")) {
            assertThat(loadable(absent)).as(absent).isFalse();
        }
        assertThat(loadable("io.thalassa.runtime.Thalassa")).isTrue();
        assertThat(loadable("io.thalassa.spring.ThalassaAutoConfiguration")).isTrue();
        assertThat(loadable("io.thalassa.micrometer.ThalassaMetrics")).isTrue();
    }

    private static boolean loadable(String name) {
        try {
            Class.forName(name, false, HostClasspathTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
