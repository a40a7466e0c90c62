package io.thalassa.spring.app;

import io.thalassa.ThalassaEvent;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.Registration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A host application of the starter's ITs: a controller of its own, registered in Thalassa's registry as
 * {@code greeting} 1.0.0 once its web server listens, and a listener of Thalassa's events.
 */
@SpringBootApplication
public class GreetingApp {
    /** The service name and version the application registers itself as. */
    public static final String SERVICE = "greeting";
    public static final String VERSION = "1.0.0";

    /** {@code /hello} answers at once, {@code /slow} after 1.5 s; both say the application's port. */
    @RestController
    public static class Greetings {
        private final java.util.concurrent.atomic.AtomicInteger slowInFlight =
                new java.util.concurrent.atomic.AtomicInteger();
        private volatile int port;

        @EventListener
        void listening(WebServerInitializedEvent event) {
            port = event.getWebServer().getPort();
        }

        @GetMapping("/hello")
        String hello() {
            return "hello from " + port;
        }

        @GetMapping("/slow")
        String slow() throws InterruptedException {
            slowInFlight.incrementAndGet();
            try {
                Thread.sleep(1500);
                return "slow from " + port;
            } finally {
                slowInFlight.decrementAndGet();
            }
        }

        /** The {@code /slow} requests being answered now. */
        public int slowInFlight() {
            return slowInFlight.get();
        }

        /** The web server's port. */
        public int port() {
            return port;
        }
    }

    /** Registers this application in Thalassa's registry once its port is known. */
    @Component
    static class SelfRegistration {
        private final Thalassa thalassa;

        SelfRegistration(Thalassa thalassa) {
            this.thalassa = thalassa;
        }

        @EventListener
        void listening(WebServerInitializedEvent event) {
            thalassa.registry().register(Registration.of(SERVICE, VERSION, "127.0.0.1",
                    event.getWebServer().getPort(), Map.of(), Duration.ofMinutes(10)));
        }
    }

    /** Every Thalassa event the application was told of, in order. */
    @Component
    public static class SeenEvents {
        private final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();
        private final List<String> threads = new CopyOnWriteArrayList<>();

        @EventListener
        void on(ThalassaEvent event) {
            events.add(event);
            threads.add(Thread.currentThread().getName());
        }

        public List<ThalassaEvent> events() {
            return events;
        }

        public List<String> threads() {
            return threads;
        }
    }
}
