package io.thalassa.examples;

import io.thalassa.Backend;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.Frontend;
import io.thalassa.runtime.Thalassa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The README's embedding program, as written there: HAProxy in front of a dynamic backend, a blue/green switch and a
 * canary split, each through the runtime API. Run it again: it finds its configuration and adopts the HAProxy the
 * first run left serving, without a reload.
 *
 * <p>Usage: {@code EmbeddingExample [work dir] [frontend address]}, by default {@code /tmp/myapp-lb} and
 * {@code 127.0.0.1:8080}; HAProxy must be on the PATH.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    public static void main(String[] args) {
        Path workDir = Path.of(args.length > 0 ? args[0] : "/tmp/myapp-lb");
        String bind = args.length > 1 ? args[1] : "127.0.0.1:8080";
        try (Thalassa thalassa = Thalassa.builder()
                .workDir(workDir)                          // haproxy.cfg, socket, pid, state, stored config, activity
                .registry(EmbeddedRegistry.create())       // or a ConsulRegistry
                .start()) {
            thalassa.update(config -> config
                    .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
                    .withFrontend(Frontend.builder("web").bind(bind).defaultBackend("live").build()))
                .await(Duration.ofSeconds(10));            // applied, or an exception with HAProxy's words
            thalassa.switchVersion("live", "2.0.0").await(Duration.ofSeconds(10));   // runtime API, no reload
            thalassa.split("live", Map.of("1.0.0", 90, "2.0.0", 10)).await(Duration.ofSeconds(10));
            thalassa.onEvent(event -> System.out.println(event));
            System.out.println(thalassa.config() + " " + thalassa.status());
        }
    }
}
