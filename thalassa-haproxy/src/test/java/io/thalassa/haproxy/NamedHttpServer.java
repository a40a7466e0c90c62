package io.thalassa.haproxy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP server on 127.0.0.1 that answers every request with its own name, for traffic through HAProxy in the
 * tests of every module (published in this module's test-jar), with {@link #answerOf} to send one request,
 * {@link #freePort} and {@link #haproxyBinary} to find HAProxy.
 */
public final class NamedHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final String name;
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    public NamedHttpServer(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Requests answered so far (health checks included). */
    public long requests() {
        return requests.get();
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    /**
     * One {@code GET /} on a new connection to 127.0.0.1:{@code port}: {@code "<status> <body>"}, e.g.
     * {@code "200 a"}, or {@code "error <reason>"}.
     */
    public static String answerOf(int port) {
        return answerOf("127.0.0.1", port);
    }

    /** {@link #answerOf(int)} on another loopback address, e.g. 127.0.0.2 (a fleet node's {@code --bindAddress}). */
    public static String answerOf(String loopback, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(loopback, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: it\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int body = text.indexOf("\r\n\r\n");
            return text.length() < 12 ? text : text.substring(9, 12) + " " + (body < 0 ? "" : text.substring(body + 4));
        } catch (IOException e) {
            return "error " + e.getMessage();
        }
    }

    /** A free port on 127.0.0.1. */
    public static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** HAProxy 2.6: {@code THALASSA_HAPROXY_BINARY}, else the Debian path; fails saying how to install it. */
    public static String haproxyBinary() {
        String env = System.getenv("THALASSA_HAPROXY_BINARY");
        for (String candidate : new String[] {env, "/usr/sbin/haproxy", "/usr/local/sbin/haproxy"}) {
            if (candidate != null && !candidate.isBlank() && Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("HAProxy 2.6 is not installed: run scripts/install-tools.sh or set "
                + "THALASSA_HAPROXY_BINARY");
    }
}
