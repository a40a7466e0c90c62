package io.thalassa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spring.app.GreetingApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping the application: the web server's graceful shutdown drains the requests that came through HAProxy before
 * Thalassa stops (and HAProxy with it, or not: the next start adopts the HAProxy left serving).
 */
class ShutdownIT {
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final List<Long> haproxies = new ArrayList<>();

    @AfterEach
    void stopWhatWasStarted() {
        contexts.forEach(ConfigurableApplicationContext::close);
        haproxies.forEach(Loopback::stop);
    }

    private ConfigurableApplicationContext start(Path work, int lbPort, boolean stopHaproxy) {
        Path config = Loopback.file("thalassa.json", Loopback.configJson(lbPort, GreetingApp.SERVICE,
                GreetingApp.VERSION));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GreetingApp.class).properties(
                "server.port=0", "server.address=127.0.0.1", "server.shutdown=graceful",
                "thalassa.work-dir=" + work, "thalassa.haproxy.binary=" + NamedHttpServer.haproxyBinary(),
                "thalassa.config-file=" + config, "thalassa.haproxy.stop-on-shutdown=" + stopHaproxy).run();
        contexts.add(context);
        haproxies.add(context.getBean(Thalassa.class).status().masterPid());
        return context;
    }

    @Test
    void requestsInFlightThroughHaproxyAllFinishBeforeThalassaStopsHaproxy() throws Exception {
        int lb = NamedHttpServer.freePort();
        ConfigurableApplicationContext context = start(Loopback.workDir("drain"), lb, true);
        GreetingApp.Greetings app = context.getBean(GreetingApp.Greetings.class);
        long pid = context.getBean(Thalassa.class).status().masterPid();
        Loopback.await(20, "the app through HAProxy", () -> Loopback.get(lb, "/hello")
                .equals("200 hello from " + app.port()));

        int requests = 20;
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                answers.add(clients.submit(() -> Loopback.get(lb, "/slow")));
            }
            Loopback.await(10, "every request in flight", () -> app.slowInFlight() == requests);
            context.close(); // returns once the web server drained and Thalassa stopped

            for (Future<String> a : answers) {
                assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("200 slow from " + app.port());
            }
        } finally {
            clients.shutdownNow();
        }
        Loopback.await(5, "HAProxy stopped (and reaped)", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false));
    }

    @Test
    void haproxyLeftServingIsAdoptedByTheNextStartWithoutAReload() {
        Path work = Loopback.workDir("adopt");
        int lb = NamedHttpServer.freePort();
        ConfigurableApplicationContext first = start(work, lb, false);
        long pid = first.getBean(Thalassa.class).status().masterPid();
        first.close();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("HAProxy serving").isTrue();

        ConfigurableApplicationContext second = start(work, lb, true);
        Thalassa thalassa = second.getBean(Thalassa.class);
        assertThat(thalassa.controller().adopted()).isTrue();
        assertThat(thalassa.status().masterPid()).isEqualTo(pid);
        int port = second.getBean(GreetingApp.Greetings.class).port();
        Loopback.await(20, "the new application through the same HAProxy", () -> Loopback.get(lb, "/hello")
                .equals("200 hello from " + port));
        second.close();
        Loopback.await(5, "HAProxy stopped (and reaped)", () -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                .orElse(false));
    }
}
