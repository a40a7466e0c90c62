package io.thalassa.examples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * The examples' HTTP client: requests to HAProxy on 127.0.0.1, repeated until it answers what the example waits for
 * (every wait bounded by time and count). Not part of the library.
 */
final class Requests {
    /** How long an example waits for HAProxy to show a change. */
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final int MAX_TRIES = 500;

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private Requests() {
    }

    /** One request to {@code http://127.0.0.1:<port><path>}: the body of a 200, else the status or the error. */
    static String get(int port, String path) throws InterruptedException {
        return get("127.0.0.1", port, path);
    }

    /** One request to {@code http://<loopback>:<port><path>}. */
    static String get(String loopback, int port, String path) throws InterruptedException {
        try {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + loopback + ":"
                    + port + path)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "HTTP " + response.statusCode();
        } catch (IOException e) {
            return "error: " + e.getMessage();
        }
    }

    /** Asks until the answer is {@code expected} (HAProxy takes a moment to check a new server); returns the last. */
    static String awaitAnswer(int port, String path, String expected) throws InterruptedException {
        return awaitAnswer("127.0.0.1", port, path, expected);
    }

    /** {@link #awaitAnswer(int, String, String)} for {@code /} on another loopback address. */
    static String awaitAnswer(String loopback, int port, String expected) throws InterruptedException {
        return awaitAnswer(loopback, port, "/", expected);
    }

    private static String awaitAnswer(String loopback, int port, String path, String expected)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = get(loopback, port, path);
        for (int i = 1; i < MAX_TRIES && !last.equals(expected) && System.nanoTime() < deadline; i++) {
            Thread.sleep(25);
            last = get(loopback, port, path);
        }
        return last;
    }

    /**
     * Asks until {@code count} different answers came back, e.g. every member of a balanced pool; returns them
     * sorted (fewer when the time or the tries ran out).
     */
    static Set<String> distinctAnswers(int port, String path, int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < MAX_TRIES && seen.size() < count && System.nanoTime() < deadline; i++) {
            String answer = get(port, path);
            boolean answered = !answer.startsWith("error: ") && !answer.startsWith("HTTP ");
            if (!(answered && seen.add(answer))) {
                Thread.sleep(25); // nothing new: give HAProxy a moment (a member may not be checked up yet)
            }
        }
        return seen;
    }
}
