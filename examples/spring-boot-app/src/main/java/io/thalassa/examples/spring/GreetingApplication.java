package io.thalassa.examples.spring;

import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot application behind the HAProxy that Thalassa runs for it: the starter makes the {@link Thalassa}
 * (from {@code thalassa.*} in application.yml, the frontend and backend from thalassa.yml), and the application
 * registers itself in Thalassa's embedded registry once its web server listens, so HAProxy sends it traffic.
 */
@SpringBootApplication
@EnableScheduling
public class GreetingApplication {
    public static void main(String[] args) {
        SpringApplication.run(GreetingApplication.class, args);
    }

    /** The application's own endpoint. */
    @RestController
    static class Greetings {
        private volatile int port;

        @EventListener
        void listening(WebServerInitializedEvent event) {
            port = event.getWebServer().getPort();
        }

        @GetMapping("/hello")
        String hello() {
            return "hello from 127.0.0.1:" + port + "\n";
        }
    }

    /**
     * Registers the application as {@code greeting.service}@{@code greeting.version} while it serves: from its web
     * server's start, refreshed every 10 s (the registration lasts 30 s without one), until the application closes,
     * before the web server's graceful shutdown, so HAProxy sends no new requests while the ones in flight finish.
     * Thalassa's embedded registry could as well be Consul or ZooKeeper: {@code thalassa.registry.kind}.
     */
    @Component
    @ConditionalOnClass(name = "io.thalassa.runtime.Thalassa")
    static class SelfRegistration {
        private final ObjectProvider<Thalassa> thalassa;
        private final String service;
        private final String version;
        private volatile int port;

        SelfRegistration(ObjectProvider<Thalassa> thalassa, @Value("${greeting.service}") String service,
                @Value("${greeting.version}") String version) {
            this.thalassa = thalassa;
            this.service = service;
            this.version = version;
        }

        @EventListener
        void listening(WebServerInitializedEvent event) {
            port = event.getWebServer().getPort();
            refresh();
        }

        @Scheduled(fixedRate = 10_000, initialDelay = 10_000)
        void refresh() {
            if (port > 0) {
                thalassa.ifAvailable(t -> t.registry().register(Registration.of(service, version, "127.0.0.1", port,
                        Map.of(), Duration.ofSeconds(30))));
            }
        }

        @EventListener
        void closing(ContextClosedEvent event) {
            int p = port;
            port = 0;
            if (p > 0) {
                thalassa.ifAvailable(t -> t.registry().deregister(service, version, "127.0.0.1", p));
            }
        }
    }
}
