package io.thalassa.http;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place the HTTP tests get their {@link Backplane} and server from: swap {@link #backplane} for the real
 * stack (controller + registry engine) and every HTTP test runs against it.
 */
final class TestStack implements AutoCloseable {
    final Path dir;
    final Backplane backplane;
    final ThalassaServer server;
    final Http api;
    final Http registrations;

    private TestStack(Path dir, Backplane backplane, ThalassaServer server) {
        this.dir = dir;
        this.backplane = backplane;
        this.server = server;
        this.api = new Http("http://127.0.0.1:" + server.port());
        this.registrations = new Http("http://127.0.0.1:" + server.registrationPort());
    }

    /** The backplane under test, working in {@code dir}. */
    static Backplane backplane(Path dir) {
        return new ValidatingBackplane(dir);
    }

    /**
     * The real stack (HAProxy under a controller, embedded registry, membership engine) working in {@code dir}; its
     * HAProxy is stopped by {@link #close()}. Member sets arrive asynchronously here: tests poll for them.
     */
    static StackBackplane realStack(Path dir) {
        try {
            String binary = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
            return StackBackplane.start(options(dir, "--haproxyCfgPath", dir.resolve("haproxy.cfg").toString(),
                    "--haproxySocketPath", dir.resolve("stats.sock").toString(),
                    "--haproxyPidPath", dir.resolve("haproxy.pid").toString(),
                    "--haproxyBinary", binary,
                    "--statsPort", Integer.toString(freePort()),
                    "--reloadWindow", "100ms"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A fresh backplane and a server on 127.0.0.1, free ports, activity under {@code dir/db}. */
    static TestStack start(Path dir, String... extraOptions) throws IOException {
        return start(dir, backplane(dir), extraOptions);
    }

    static TestStack start(Path dir, Backplane backplane, String... extraOptions) throws IOException {
        return new TestStack(dir, backplane, ThalassaServer.start(backplane, options(dir, extraOptions)));
    }

    static DaemonOptions options(Path dir, String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--registrationPort", "0",
                "--dbPath", dir.resolve("db").toString()));
        args.addAll(List.of(extraOptions));
        return DaemonOptions.parse(args.toArray(String[]::new));
    }

    /** Stops the server, then the backplane when it can be closed. */
    @Override
    public void close() {
        server.close();
        if (backplane instanceof StackBackplane stack) {
            stack.close();
            stack.controller().stopHaproxy(); // this test's own HAProxy, by the pid it started
            return;
        }
        if (backplane instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the backplane failed", e);
            }
        }
    }
}
