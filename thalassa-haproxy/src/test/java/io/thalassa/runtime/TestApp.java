package io.thalassa.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An instance of an application on 127.0.0.1 for the rollout tests: answers its name with 200, or with 500 to one
 * request in {@code failEvery} (0: never), counting what it answered; and {@link Traffic}, requests through HAProxy
 * from a few threads at a bounded rate.
 */
final class TestApp implements AutoCloseable {
    private final HttpServer server;
    final String name;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    TestApp(String name, int failEvery) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            long n = requests.incrementAndGet();
            int status = failEvery > 0 && n % failEvery == 0 ? 500 : 200;
            if (status == 500) {
                errors.incrementAndGet();
            }
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** Requests to 127.0.0.1:{@code port} from {@code threads} threads, each pausing {@code pauseMs} after each. */
    static final class Traffic implements AutoCloseable {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        Traffic(int port, int threads, int pauseMs) {
            for (int i = 0; i < threads; i++) {
                Thread t = new Thread(() -> {
                    while (running.get()) {
                        String answer = once(port);
                        sent.incrementAndGet();
                        if (!answer.startsWith("200")) {
                            failed.incrementAndGet();
                            if (failures.size() < 20) {
                                failures.add(answer);
                            }
                        }
                        try {
                            Thread.sleep(pauseMs);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "test-traffic-" + i);
                t.setDaemon(true);
                t.start();
                this.threads.add(t);
            }
        }

        static String once(int port) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write("GET / HTTP/1.0\r\nHost: it\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                return text.length() < 12 ? "short " + text : text.substring(9, 12);
            } catch (IOException e) {
                return "error " + e.getMessage();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }
}
