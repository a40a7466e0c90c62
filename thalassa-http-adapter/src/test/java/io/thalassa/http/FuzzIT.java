package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.NamedHttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded, bounded hostile input against the real daemon and HAProxy: at least {@code fuzz.requests} (default 5,000)
 * requests in at most {@code fuzz.seconds} (default 100 s). No answer is a 5xx, an invalid request changes nothing,
 * {@code haproxy -c} passes on the file throughout, no injected line reaches it, and a canary frontend keeps serving.
 * A failure prints the seed; {@code -Dfuzz.seed=N} replays it.
 */
class FuzzIT {
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    static final int REQUESTS = Integer.getInteger("fuzz.requests", 5000);
    static final long SECONDS = Long.getLong("fuzz.seconds", 100);
    /** Starts every line a successful injection would add. */
    static final String MARK = "INJECTED";
    static final Pattern INJECTED = Pattern.compile("(?m)^\\s*" + MARK);

    @TempDir
    Path dir;

    Random random;
    int canaryPort;
    int statsPort;
    final List<Integer> ports = new ArrayList<>();

    record Req(String method, String path, byte[] body, String contentType) {
    }

    @Test
    void hostileRequestsNeverGet5xxNorChangeStateNorReachTheConfig() throws Exception {
        random = new Random(SEED);
        try (NamedHttpServer canaryServer = new NamedHttpServer("canary");
                TestStack stack = TestStack.start(dir)) {
            canaryPort = TestStack.freePort();
            for (int i = 0; i < 4; i++) {
                ports.add(TestStack.freePort());
            }
            String cfgText = stack.api.get("/haproxy/config").body();
            java.util.regex.Matcher stats = Pattern.compile("listen stats\\s+bind 127.0.0.1:(\\d+)").matcher(cfgText);
            assertThat(stats.find()).isTrue();
            statsPort = Integer.parseInt(stats.group(1));
            assertThat(stack.api.put("/backends/canary", "{'type':'static','members':[{'host':'127.0.0.1','port':"
                    + canaryServer.port() + "}]}").status()).isEqualTo(200);
            assertThat(stack.api.put("/frontends/canary?wait=10s", "{'bind':'127.0.0.1:" + canaryPort
                    + "','backend':'canary'}").status()).isEqualTo(200);
            TestStack.await(() -> NamedHttpServer.answerOf(canaryPort).equals("200 canary"));

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            java.io.PrintStream stdout = System.out;
            ErrorLines errors = new ErrorLines(stdout);
            System.setOut(errors); // logback writes to System.out as it is at each line
            errors.probe();
            Path cfg = dir.resolve("haproxy.cfg");
            Map<Integer, Integer> statuses = new TreeMap<>();
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(SECONDS);
            int sent = 0;
            int unchangedChecks = 0;
            int canaryChecks = 0;
            int configChecks = 0;
            while (sent < REQUESTS && System.nanoTime() < deadline) {
                Req req = next();
                ThalassaConfig before = stack.backplane.config();
                int status = send(client, stack, req);
                sent++;
                statuses.merge(status, 1, Integer::sum);
                assertThat(status).as("seed " + SEED + ", request " + sent + ": " + describe(req)).isLessThan(500);
                if (status >= 400 && !req.method().equals("GET")) {
                    assertThat(stack.backplane.config()).as("seed " + SEED + ", refused request " + sent
                            + " changed the configuration: " + describe(req)).isEqualTo(before);
                    unchangedChecks++;
                }
                if (sent % 250 == 0) {
                    assertThat(NamedHttpServer.answerOf(canaryPort)).as("the canary after " + sent + " requests")
                            .isEqualTo("200 canary");
                    canaryChecks++;
                }
                if (sent % 1000 == 0) {
                    checkConfigFile(cfg);
                    configChecks++;
                }
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.setOut(stdout);
            assertThat(errors.lines).as("ERROR lines the daemon logged for clients' mistakes").isEmpty();
            System.out.println("fuzz seed=" + SEED + " requests=" + sent + " ms=" + ms + " statuses=" + statuses
                    + " unchanged_checks=" + unchangedChecks + " canary_checks=" + canaryChecks);
            assertThat(sent).as("requests within " + SECONDS + " s").isGreaterThanOrEqualTo(REQUESTS);
            TestStack.await(() -> stack.backplane.controller().status().pending().isEmpty());
            checkConfigFile(cfg);
            assertThat(NamedHttpServer.answerOf(canaryPort)).isEqualTo("200 canary");
            assertThat(statuses.keySet()).allMatch(s -> s < 500);
            assertThat(configChecks).isGreaterThan(0);
        }
    }

    private void checkConfigFile(Path cfg) throws Exception {
        String text = Files.readString(cfg);
        assertThat(INJECTED.matcher(text).find()).as("an injected line in haproxy.cfg").isFalse();
        assertThat(text).doesNotContain("lua-load").doesNotContain(" file /").doesNotContain("\u0000");
        Process p = new ProcessBuilder(NamedHttpServer.haproxyBinary(), "-c", "-q", "-f", cfg.toString())
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("haproxy -c: " + out).isZero();
    }

    private String previous = "";

    private int send(HttpClient client, TestStack stack, Req req) throws Exception {
        try {
            return sendOnce(client, stack, req);
        } finally {
            previous = describe(req);
        }
    }

    private int sendOnce(HttpClient client, TestStack stack, Req req) throws Exception {
        if (req.method().equals("RAW")) {
            return raw(stack.server.port(), req.body());
        }
        boolean registration = req.path().startsWith("/registrations") && random.nextBoolean();
        String base = "http://127.0.0.1:" + (registration ? stack.server.registrationPort() : stack.server.port());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + req.path())).timeout(Duration.ofSeconds(30))
                .method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(req.body()));
        if (req.contentType() != null) {
            b.header("Content-Type", req.contentType());
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            throw new AssertionError("seed " + SEED + ": no answer to " + describe(req) + " (after " + previous + "): "
                    + e, e);
        }
    }

    /** A raw HTTP/1.1 exchange; the status of the answer, or 400 when the daemon closed without one. */
    private static int raw(int port, byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            s.shutdownOutput();
            byte[] head = s.getInputStream().readNBytes(12);
            String line = new String(head, StandardCharsets.ISO_8859_1);
            return line.startsWith("HTTP/1.1 ") ? Integer.parseInt(line.substring(9, 12)) : 400;
        } catch (java.net.SocketException e) {
            return 400; // reset after refusing the request
        }
    }

    private static String describe(Req r) {
        String body = r.body() == null ? "" : new String(r.body(), StandardCharsets.UTF_8);
        return r.method() + " " + r.path() + " (" + r.contentType() + ") " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }

    /** Passes everything on and keeps the lines of level ERROR. */
    /** Collects the ERROR lines written to it (as System.out, where logback writes), passing everything on. */
    static final class ErrorLines extends java.io.PrintStream {
        final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

        ErrorLines(java.io.PrintStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }

        @Override
        public void println(String line) {
            if (line != null && line.contains(" ERROR ")) {
                lines.add(line);
            }
            super.println(line);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            synchronized (partial) {
                for (int i = off; i < off + len; i++) {
                    if (buf[i] != '\n') {
                        partial.write(buf[i]);
                        continue;
                    }
                    String line = partial.toString(StandardCharsets.UTF_8);
                    partial.reset();
                    if (line.contains(" ERROR ")) {
                        lines.add(line);
                    }
                }
            }
            super.write(buf, off, len);
        }

        /** Checks that an ERROR logged now is collected (so an empty list means none was logged), then forgets it. */
        void probe() {
            String mark = "error-lines-probe-" + System.nanoTime();
            org.slf4j.LoggerFactory.getLogger(ErrorLines.class).error(mark);
            assertThat(lines).as("the probe ERROR line reaches the collector").anyMatch(l -> l.contains(mark));
            lines.removeIf(l -> l.contains(mark));
        }
    }

    // ---- the generators: mostly invalid, some valid (so state changes as well), all hostile in some way

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    private String hostileString() {
        return pick(List.of("x\n" + MARK + " lua-load /tmp/x.lua", "x\r\n" + MARK + " bind *:80", "x\u0000",
                "\ud800", "x\udc00y", " padded ", "tab\there", "\u0085next", "\u202e", "%00", "../../etc/passwd",
                "a'b\"c", "#comment", "${HOME}", "\\", "x".repeat(5000), "", "\u0661\u0668", "true", "{}", "[]",
                "ok", "web", "canary", "b1", "fz" + random.nextInt(4)));
    }

    private String hostileNumber() {
        return pick(List.of("80.9", "8e1", "-1", "0", "65536", "99999999999999999999", "\"\u0661\u0668\u0663\"",
                "\" 80\"", "\"+80\"", "\"80 \"", "true", "null", "\"80\"", "[80]", "{\"p\":1}", "1".repeat(50),
                String.valueOf(ports.get(random.nextInt(ports.size()))), "\"" + canaryPort + "\"",
                String.valueOf(statsPort)));
    }

    private String hostileNative() {
        return pick(List.of("http-request return status 200 content-type text/plain file /etc/shadow",
                "bind 127.0.0.1:" + canaryPort, "bind :" + canaryPort, "bind 127.0.0.1:" + statsPort,
                "lua-load /tmp/x.lua", "http-request lua.x", "acl a path -f /etc/passwd", "stats enable",
                "log /dev/log local0", "http-request set-header X %[env(HOME)]", "option forwardfor\n" + MARK,
                "option httplog", "http-request set-header X-A 1", "timeout client 5s", "nbthread 8",
                "errorfile 503 /etc/passwd", "server s unix@/tmp/stats.sock", "option external-check",
                "http-request return status 200 content-type text/plain fi\\x6ce /etc/shadow",
                "listen evil", "frontend evil", "http-request deny if { src 127.0.0.9 }", "x \\"));
    }

    private String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private String value() {
        return switch (random.nextInt(6)) {
            case 0 -> hostileNumber();
            case 1 -> pick(List.of("true", "false", "null", "1.5", "[]", "{}"));
            default -> quoted(hostileString());
        };
    }

    private String bind() {
        return switch (random.nextInt(8)) {
            case 0 -> quoted("127.0.0.1:" + canaryPort);
            case 1 -> quoted("*:" + canaryPort);
            case 2 -> quoted("127.0.0.1:" + statsPort);
            case 3 -> quoted("127.0.0.1:" + ports.get(random.nextInt(ports.size())) + "\n" + MARK);
            case 4 -> quoted("127.0.0.1:" + hostileNumber().replace("\"", ""));
            case 5 -> value();
            default -> quoted("127.0.0.1:" + ports.get(random.nextInt(ports.size())));
        };
    }

    private String natives() {
        if (random.nextInt(3) == 0) {
            return value();
        }
        List<String> n = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            n.add(random.nextInt(5) == 0 ? value() : quoted(hostileNative()));
        }
        return "[" + String.join(",", n) + "]";
    }

    private String frontendBody() {
        StringBuilder b = new StringBuilder("{\"bind\":").append(bind());
        b.append(",\"backend\":").append(random.nextInt(3) == 0 ? value() : quoted("fzb" + random.nextInt(3)));
        if (random.nextBoolean()) {
            b.append(",\"mode\":").append(pick(List.of("\"http\"", "\"tcp\"", "\"http\\n\"", "\" http\"", "true",
                    "\"HTTP\"", "\"udp\"")));
        }
        if (random.nextBoolean()) {
            b.append(",\"natives\":").append(natives());
        }
        if (random.nextInt(3) == 0) {
            b.append(",\"rules\":[{\"type\":").append(pick(List.of("\"path\"", "\"header\"", "\"url\"", "1")))
                    .append(",\"operation\":").append(pick(List.of("\"path_beg\"", "\"hdr_dom\"", "\"x\"")))
                    .append(",\"value\":").append(value()).append(",\"backend\":").append(value()).append("}]");
        }
        if (random.nextInt(8) == 0) {
            b.append(",").append(quoted(hostileString())).append(":1");
        }
        return b.append("}").toString();
    }

    private String backendBody() {
        StringBuilder b = new StringBuilder("{\"type\":").append(pick(List.of("\"static\"", "\"dynamic\"",
                "\"static\"", "\"weird\"", "true")));
        if (random.nextBoolean()) {
            b.append(",\"name\":").append(value()).append(",\"version\":").append(value());
        }
        if (random.nextBoolean()) {
            b.append(",\"members\":[{\"host\":").append(random.nextBoolean() ? "\"127.0.0.1\"" : value())
                    .append(",\"port\":").append(hostileNumber()).append("}]");
        }
        if (random.nextInt(3) == 0) {
            b.append(",\"balance\":").append(pick(List.of("\"roundrobin\"", "\"roundrobin\\n" + MARK + "\"",
                    "\"uri len 3\"", "\"hdr(x y)\"", "\"random(1.5)\"", "1")));
        }
        if (random.nextInt(3) == 0) {
            b.append(",\"health\":{\"interval\":").append(hostileNumber()).append(",\"uri\":").append(value())
                    .append("}");
        }
        if (random.nextBoolean()) {
            b.append(",\"natives\":").append(natives());
        }
        return b.append("}").toString();
    }

    /** A key to write to: never the canary's own (a valid write there is an admin's legitimate change). */
    private String key() {
        String k = random.nextInt(5) == 0 ? hostileString() : "fz" + random.nextInt(4);
        return k.equals("canary") ? "fz0" : URLEncoder.encode(k, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private byte[] garbageJson() {
        return switch (random.nextInt(8)) {
            case 0 -> ("[".repeat(200 + random.nextInt(2000))).getBytes(StandardCharsets.UTF_8);
            case 1 -> ("{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":" + "9".repeat(2000)
                    + "}]}").getBytes(StandardCharsets.UTF_8);
            case 2 -> new byte[] {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
            case 3 -> "{\"type\":\"static\"".getBytes(StandardCharsets.UTF_8);
            case 4 -> "{\"type\":\"static\"}".getBytes(StandardCharsets.UTF_16);
            case 5 -> "<backend type='static'/>".getBytes(StandardCharsets.UTF_8);
            case 6 -> "{\"type\":\"static\",\"type\":\"dynamic\"}".getBytes(StandardCharsets.UTF_8);
            default -> "{\"natives\":[\"\\ud800\"],\"type\":\"static\"}".getBytes(StandardCharsets.UTF_8);
        };
    }

    /** Mostly types read as JSON, so most requests reach validation; one in eight is not JSON. */
    private String contentType() {
        if (random.nextInt(8) == 0) {
            return pick(List.of("application/xml", "text/plain", "application/json; charset=utf-16",
                    "multipart/form-data; boundary=x"));
        }
        return pick(java.util.Arrays.asList(null, "application/json", "application/x-www-form-urlencoded",
                "application/json; charset=UTF-8"));
    }

    private Req next() {
        int kind = random.nextInt(100);
        if (kind < 28) {
            return new Req("PUT", "/frontends/" + key(), frontendBody().getBytes(StandardCharsets.UTF_8),
                    contentType());
        }
        if (kind < 52) {
            return new Req("PUT", "/backends/" + key(), backendBody().getBytes(StandardCharsets.UTF_8),
                    contentType());
        }
        if (kind < 58) {
            return new Req("POST", "/backends/" + key(), ("{\"version\":" + value() + "}")
                    .getBytes(StandardCharsets.UTF_8), contentType());
        }
        if (kind < 64) {
            return new Req(pick(List.of("PUT", "POST")), pick(List.of("/backends/", "/frontends/")) + key(),
                    garbageJson(), contentType());
        }
        if (kind < 68) {
            return new Req("DELETE", pick(List.of("/backends/", "/frontends/")) + key() + (random.nextBoolean()
                    ? "?wait=" + URLEncoder.encode(hostileString(), StandardCharsets.UTF_8) : ""), null, null);
        }
        if (kind < 80) {
            String version = random.nextBoolean() ? "1.0.0" : URLEncoder.encode(hostileString(),
                    StandardCharsets.UTF_8).replace("+", "%20");
            String port = random.nextBoolean() ? "18099" : URLEncoder.encode(hostileNumber(), StandardCharsets.UTF_8);
            String body = "{\"secondsToExpire\":" + hostileNumber() + "}";
            return new Req(pick(List.of("POST", "DELETE")), "/registrations/fuzzsvc/" + version + "/127.0.0.1/"
                    + port, body.getBytes(StandardCharsets.UTF_8), contentType());
        }
        if (kind < 92) {
            String q = URLEncoder.encode(hostileString(), StandardCharsets.UTF_8);
            return new Req("GET", pick(List.of("/activity?limit=" + q, "/activity?before=" + q, "/activity?verb="
                    + q, "/stats?since=" + q, "/changes/" + q.replace("+", "%20"), "/backends/" + key() + "/members"
                    + "?status=" + q, "/frontends/" + key(), "/haproxy/config", "/registrations/" + key())), null,
                    null);
        }
        String rawRequest = pick(List.of(
                "PUT /backends/fz1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"type\":\"st",
                "PUT /backends/fz1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\"",
                "PUT /backends/fz1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n", "GARBAGE\r\n\r\n",
                "GET /frontends HTTP/1.1\r\nHost: x\r\nX: \u0001\r\n\r\n",
                "PUT /backends/fz1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}"));
        return new Req("RAW", "", rawRequest.getBytes(StandardCharsets.ISO_8859_1), null);
    }
}
