package io.thalassa.spring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What the starter's tests share: work directories under target/, HTTP on 127.0.0.1, waiting with a bound. */
final class Loopback {
    private Loopback() {
    }

    /** A new, empty directory under target/it. */
    static Path workDir(String name) {
        // short: HAProxy's master socket lives in it, and a unix socket path has at most 107 bytes
        Path dir = Path.of("target", "it", name + "-" + Long.toString(System.nanoTime(), 36)).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }

    /** A file under target/it with this text. */
    static Path file(String name, String text) {
        Path f = workDir("file").resolve(name);
        try {
            Files.writeString(f, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return f;
    }

    /**
     * {@code GET path} (HTTP/1.0) on a new connection to 127.0.0.1:{@code port}: {@code "<status> <body>"}, or
     * {@code "error ..."}.
     */
    static String get(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = text.indexOf("\r\n\r\n");
            if (text.length() < 12) {
                return "error short answer: " + text;
            }
            return text.substring(9, 12) + " " + (body < 0 ? "" : text.substring(body + 4));
        } catch (IOException e) {
            return "error " + e;
        }
    }

    /** Waits at most {@code seconds} for {@code condition}. */
    static void await(int seconds, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + seconds + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Kills a process by its pid and waits for it to be gone. */
    static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            await(10, "pid " + pid + " gone", () -> !p.isAlive());
        });
    }

    /** Stops (SIGTERM, then SIGKILL) a process by its pid, if it still runs: a test's cleanup. */
    static void stop(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            try {
                p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        });
    }

    /** The persistence format: one frontend on {@code port} to dynamic backend {@code live} of service@version. */
    static String configJson(int port, String service, String version) {
        return "{\"backends\":[{\"key\":\"live\",\"type\":\"dynamic\",\"name\":\"" + service + "\",\"version\":\""
                + version + "\"}],\"frontends\":[{\"key\":\"web\",\"bind\":\"127.0.0.1:" + port
                + "\",\"backend\":\"live\"}]}";
    }
}
