package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import io.thalassa.runtime.Thalassa;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The one place the HTTP tests get their stack from: the daemon's real {@link Thalassa} (a real HAProxy under the
 * controller, the embedded registry, the membership engine) working in a test directory, on free loopback ports, and
 * the daemon's HTTP server on it. Member sets reach the backends asynchronously: tests {@link #await} them.
 */
final class TestStack implements AutoCloseable {
    final Path dir;
    final Thalassa backplane;
    final ThalassaHttp server;
    final Http api;
    final Http registrations;

    private TestStack(Path dir, Thalassa backplane, ThalassaHttp server) {
        this.dir = dir;
        this.backplane = backplane;
        this.server = server;
        this.api = new Http("http://127.0.0.1:" + server.port());
        this.registrations = new Http("http://127.0.0.1:" + server.registrationPort());
    }

    /**
     * The real stack working in {@code dir} (HAProxy's files there, free ports, a 100 ms reload window); the caller
     * {@linkplain #stop stops} it.
     */
    static Thalassa backplane(Path dir, String... extraOptions) {
        {
            String binary = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
            List<String> args = new ArrayList<>(List.of("--haproxyCfgPath", dir.resolve("haproxy.cfg").toString(),
                    "--haproxySocketPath", dir.resolve("stats.sock").toString(),
                    "--haproxyPidPath", dir.resolve("haproxy.pid").toString(),
                    "--haproxyBinary", binary,
                    "--statsPort", Integer.toString(freePort())));
            if (!List.of(extraOptions).contains("--reloadWindow")) {
                args.addAll(List.of("--reloadWindow", "100ms"));
            }
            args.addAll(List.of(extraOptions));
            return options(dir, args.toArray(String[]::new)).thalassa().start();
        }
    }

    /** Closes {@code backplane} and stops the HAProxy it started, by its pid. */
    static void stop(Thalassa backplane) {
        backplane.stop();
    }

    static int freePort() {
        return io.thalassa.haproxy.NamedHttpServer.freePort();
    }

    /** A fresh real stack in {@code dir} and a server on it; both are stopped by {@link #close()}. */
    static TestStack start(Path dir, String... extraOptions) throws IOException {
        return startWith(dir, new String[0], extraOptions);
    }

    /** {@link #start}, with options for the stack ({@code --haproxyMaxFiles}...) besides the server's. */
    static TestStack startWith(Path dir, String[] stackOptions, String... extraOptions) throws IOException {
        List<String> all = new ArrayList<>(List.of(stackOptions));
        all.addAll(List.of(extraOptions)); // the daemon's options: --persistence, --activityRetention... are Thalassa's
        Thalassa backplane = backplane(dir, all.toArray(String[]::new));
        try {
            return start(dir, backplane, extraOptions);
        } catch (IOException | RuntimeException e) {
            stop(backplane);
            throw e;
        }
    }

    /** A server on {@code backplane}, on 127.0.0.1 with free ports and its activity under {@code dir/db}. */
    static TestStack start(Path dir, Thalassa backplane, String... extraOptions) throws IOException {
        return new TestStack(dir, backplane, ThalassaHttp.serve(backplane, options(dir, extraOptions).http()));
    }

    static DaemonOptions options(Path dir, String... extraOptions) {
        List<String> args = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--registrationPort", "0",
                "--dbPath", dir.resolve("db").toString()));
        args.addAll(List.of(extraOptions));
        return DaemonOptions.parse(args.toArray(String[]::new));
    }

    /** Waits up to 15 s for {@code condition}, then fails. */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        assertThat(condition.getAsBoolean()).as("condition within 15 s").isTrue();
    }

    /** Waits until {@code path} on the API answers a JSON array of {@code size} elements. */
    void awaitSize(String path, int size) {
        await(() -> api.get(path).json().size() == size);
    }

    /** Stops the server, the stack and this test's HAProxy. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            stop(backplane);
        }
    }
}
