package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.internal.HttpEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send a request's headers and then only part of its body hold no request thread (the daemon has 64):
 * while 500 of them hang, on both ports, health, reads and registrations answer within a second; each of them gets a
 * 408 once {@link HttpEntry#BODY_TIMEOUT} is over, and its connection is closed.
 */
class SlowBodyIT {
    /**
     * How many slow clients ({@code -Dslowbody.clients}, default 500), when the file descriptor limit allows (each
     * takes two here: client and daemon).
     */
    static final int WANTED = Integer.getInteger("slowbody.clients", 500);
    /** Far more than the daemon's 64 request threads, or the test shows nothing. */
    static final int LEAST = 2 * 64;
    static final Duration QUICK = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** WANTED, or fewer when {@code ulimit -n} leaves less room (this JVM holds both ends of each connection). */
    static int slowClients() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long room = (os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount() - 512) / 2;
            int n = (int) Math.min(WANTED, room);
            assertThat(n).as("slow clients the file descriptor limit allows (ulimit -n %d)",
                    os.getMaxFileDescriptorCount()).isGreaterThanOrEqualTo(LEAST);
            return n;
        }
        return LEAST;
    }

    /** Opens a connection and sends the headers of a request with a body, then only the start of that body. */
    static Socket hang(int port, String head, String partOfBody) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write((head + "\r\n" + partOfBody).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return s;
    }

    private long timed(String method, String url, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(QUICK.multipliedBy(3))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.statusCode()).as(method + " " + url + ": " + r.body()).isEqualTo(expected);
        return ms;
    }

    /** The whole answer on a socket, up to the daemon closing it. */
    static String answerOf(Socket s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        try {
            in.transferTo(b);
        } catch (java.net.SocketException e) {
            // a reset after the answer: the daemon closed a connection with unread bytes
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void slowBodiesHoldNoThreadSoHealthReadsAndRegistrationsStayQuick() throws Exception {
        int n = slowClients();
        try (TestStack stack = TestStack.start(dir)) {
            int main = stack.server.port();
            int registration = stack.server.registrationPort();
            String api = "http://127.0.0.1:" + main;
            String reg = "http://127.0.0.1:" + registration;
            timed("GET", api + "/health/live", null, 200); // the clients' own connection is up before the clock runs

            List<Socket> slow = new ArrayList<>();
            TreeMap<String, Long> slowest = new TreeMap<>();
            try {
                long first = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    slow.add(switch (i % 3) {
                        case 0 -> hang(main, "PUT /backends/slow" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Content-Type: application/json\r\nContent-Length: 1000\r\n", "{\"type\":");
                        case 1 -> hang(main, "PUT /frontends/slow" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                + "Transfer-Encoding: chunked\r\n", "20\r\n{\"bind\":");
                        default -> hang(registration, "POST /registrations/slow/1.0.0/127.0.0.1/" + (20000 + i)
                                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200\r\n", "{");
                    });
                }
                long opened = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first);
                // probe while every slow client still hangs: until shortly before the first one's deadline
                long until = first + HttpEntry.BODY_TIMEOUT.minusMillis(1500).toNanos();
                int rounds = 0;
                do {
                    slowest.merge("GET /health/live", timed("GET", api + "/health/live", null, 200), Math::max);
                    slowest.merge("GET /frontends", timed("GET", api + "/frontends", null, 200), Math::max);
                    slowest.merge("POST registration", timed("POST", reg + "/registrations/quick/1.0.0/127.0.0.1/"
                            + (30000 + rounds), "{}", 200), Math::max);
                    rounds++;
                } while (System.nanoTime() < until);
                System.out.println("slow-body: " + n + " slow clients opened in " + opened + " ms; slowest of "
                        + rounds + " rounds (ms): " + slowest);
                assertThat(slowest.values()).as("answers while %d clients hang, slowest in ms: %s", n, slowest)
                        .allMatch(ms -> ms < QUICK.toMillis());
                assertThat(stack.registrations.get("/registrations/quick").json().size()).isEqualTo(rounds);

                // and each slow client gets its 408 once its body is overdue, then the connection closes
                for (Socket s : slow) {
                    String answer = answerOf(s);
                    assertThat(answer).as("the answer to a slow body").startsWith("HTTP/1.1 408 ")
                            .containsIgnoringCase("Connection: close").contains("\"error\":\"request_timeout\"");
                }
                long all = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first);
                assertThat(all).as("every 408 within the deadline and a little").isLessThan(
                        HttpEntry.BODY_TIMEOUT.plusSeconds(5).toMillis() + opened);
                assertThat(stack.api.get("/backends").body()).as("nothing half-sent was written").isEqualTo("[]");
                assertThat(stack.api.get("/frontends").body()).isEqualTo("[]");
                assertThat(stack.registrations.get("/registrations/slow").body()).isEqualTo("[]");
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aBodyThatTricklesInIsCutAtTheDeadlineNotKeptAliveByEachByte() throws Exception {
        try (TestStack stack = TestStack.start(dir)) {
            long start = System.nanoTime();
            try (Socket s = hang(stack.server.port(), "PUT /backends/trickle HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 100\r\n", "{")) {
                OutputStream out = s.getOutputStream();
                try {
                    for (int i = 0; i < 40 && s.getInputStream().available() == 0; i++) { // one byte every 250 ms
                        Thread.sleep(250);
                        out.write(' ');
                        out.flush();
                    }
                } catch (IOException e) {
                    // the daemon closed the connection after its 408
                }
                String answer = answerOf(s);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(answer).startsWith("HTTP/1.1 408 ").contains("did not arrive within 5.0 s");
                assertThat(ms).as("answered at the deadline, not kept alive by each byte")
                        .isBetween(HttpEntry.BODY_TIMEOUT.toMillis() - 500, HttpEntry.BODY_TIMEOUT.toMillis() + 3000);
            }
            assertThat(stack.api.get("/backends/trickle").status()).isEqualTo(404);
            // a body that arrives whole, in pieces, within the deadline, is read as usual
            try (Socket s = hang(stack.server.port(), "PUT /backends/pieces HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n", "{\"type\"")) {
                Thread.sleep(300);
                s.getOutputStream().write(":\"static\"}".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                assertThat(answerOf(s)).startsWith("HTTP/1.1 200 ");
            }
        }
    }
}
