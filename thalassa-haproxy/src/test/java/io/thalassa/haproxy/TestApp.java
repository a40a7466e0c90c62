package io.thalassa.haproxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A member application on 127.0.0.1 for the tests that look at what reaches a member: it answers every request with
 * a fixed status (settable while it runs) and its name, and counts health checks ({@value #CHECK_PATH}) apart from
 * traffic (every other path), the connections it was opened (by the client's address), and when the first check it
 * passed and the first traffic request arrived.
 */
final class TestApp implements AutoCloseable {
    static final String CHECK_PATH = "/health";

    private final HttpServer server;
    private final String name;
    private final AtomicInteger status;
    private final AtomicLong traffic = new AtomicLong();
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong trafficErrors = new AtomicLong();
    private final Set<String> connections = ConcurrentHashMap.newKeySet();
    private volatile long firstPassedCheckNanos;
    private volatile long firstTrafficNanos;

    TestApp(String name, int status) throws IOException {
        this.name = name;
        this.status = new AtomicInteger(status);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            connections.add(exchange.getRemoteAddress().toString());
            int code = this.status.get();
            long now = System.nanoTime();
            if (exchange.getRequestURI().getPath().equals(CHECK_PATH)) {
                checks.incrementAndGet();
                if (code < 400 && firstPassedCheckNanos == 0) {
                    firstPassedCheckNanos = now;
                }
            } else {
                traffic.incrementAndGet();
                if (code >= 500) {
                    trafficErrors.incrementAndGet();
                }
                if (firstTrafficNanos == 0) {
                    firstTrafficNanos = now;
                }
            }
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String name() {
        return name;
    }

    void status(int code) {
        status.set(code);
    }

    /** Requests that were not health checks. */
    long traffic() {
        return traffic.get();
    }

    /** Traffic requests answered with a 5xx. */
    long trafficErrors() {
        return trafficErrors.get();
    }

    long checks() {
        return checks.get();
    }

    /** Distinct client connections seen (HAProxy's connections to this member, checks' included). */
    int connections() {
        return connections.size();
    }

    /** System.nanoTime() of the first check answered below 400, or 0. */
    long firstPassedCheckNanos() {
        return firstPassedCheckNanos;
    }

    /** System.nanoTime() of the first traffic request, or 0. */
    long firstTrafficNanos() {
        return firstTrafficNanos;
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
