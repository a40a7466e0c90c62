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

    /**
     * A free port on 127.0.0.1, below the kernel's ephemeral range. A port the kernel picks (bind to port 0) comes
     * from that range, which is also where every outgoing connection gets its local port: on a busy machine a health
     * check or a client could take it between this answer and HAProxy's bind ("Address already in use", seen in a
     * CI run beside a soak). Below the range only listeners take ports. Each JVM starts at a random place in the
     * 12,000 ports under the range and walks on from there; where the range starts too low for that, the kernel
     * picks.
     */
    public static int freePort() {
        int low = EPHEMERAL_LOW;
        try {
            if (low - PORTS_BELOW_EPHEMERAL < 1024) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
                    return s.getLocalPort();
                }
            }
            int base = low - PORTS_BELOW_EPHEMERAL;
            for (int i = 0; i < PORTS_BELOW_EPHEMERAL; i++) {
                int port = base + Math.floorMod(NEXT_PORT.getAndIncrement(), PORTS_BELOW_EPHEMERAL);
                try (java.net.ServerSocket s = new java.net.ServerSocket()) {
                    s.bind(new InetSocketAddress(LOOPBACK, port), 1);
                    return port;
                } catch (IOException taken) {
                    // a listener has it: the next one
                }
            }
            throw new IllegalStateException("no free port on 127.0.0.1 in " + base + ".." + (low - 1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final int PORTS_BELOW_EPHEMERAL = 12_000;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT = new java.util.concurrent.atomic
            .AtomicInteger(new java.util.Random().nextInt(PORTS_BELOW_EPHEMERAL));
    private static final java.net.InetAddress LOOPBACK = java.net.InetAddress.getLoopbackAddress();
    private static final int EPHEMERAL_LOW = ephemeralLow();

    /** The first port of the kernel's ephemeral range (Linux's default 32768 where it cannot be read). */
    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
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
