package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A malformed percent-escape in the query or the path is the client's 400, with the one JSON error body, on every
 * route of both ports, with and without a token, and never an ERROR in the daemon's log.
 */
class MalformedEscapeIT {
    static final List<String> BAD = List.of("%", "%zz", "%ED%A0%80", "a%4", "%C3");

    @TempDir
    Path dir;

    /** An answer read off the socket: the status and the body after the headers. */
    record Answer(int status, String head, String body) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (tools.jackson.core.JacksonException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }
    }

    /** One request as the bytes say, on its own connection (the request line is not checked by any client). */
    static Answer raw(int port, String method, String target, String token, String body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            if (token != null) {
                request.append("Authorization: Bearer ").append(token).append("\r\n");
            }
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                request.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length)
                        .append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            assertThat(end).as("an answer to %s %s: %s", method, target, answer).isPositive();
            return new Answer(Integer.parseInt(answer.substring(9, 12)), answer.substring(0, end),
                    answer.substring(end + 4));
        }
    }

    /** One answer off a connection that stays open: the head, then as many bytes as its Content-Length says. */
    static String oneAnswer(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
        return text + (length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))),
                StandardCharsets.UTF_8) : "");
    }

    private static void assertQueryRefused(Answer a, String what) {
        assertThat(a.status()).as(what + ": " + a).isEqualTo(400);
        assertThat(a.head()).as(what).containsIgnoringCase("Content-Type: application/json");
        JsonNode body = a.json();
        assertThat(body.get("status").asInt()).isEqualTo(400);
        assertThat(body.get("error").asText()).as(what).isEqualTo("invalid_query");
        assertThat(body.get("field").asText()).as(what).isEqualTo("x");
        assertThat(body.get("reason").asText()).as(what).startsWith("query parameter x has ");
    }

    @Test
    void aMalformedQueryEscapeIs400OnEveryRouteOfBothPortsAndLogsNoError() throws Exception {
        java.io.PrintStream stdout = System.out;
        FuzzIT.ErrorLines errors = new FuzzIT.ErrorLines(stdout);
        try (TestStack stack = TestStack.start(dir, "--tokens", AuthIT.tokensFile(dir).toString())) {
            int main = stack.server.port();
            int registration = stack.server.registrationPort();
            System.setOut(errors); // logback writes to System.out as it is at each line
            errors.probe();
            for (String bad : BAD) {
                // what anyone may fetch: no token needed to reach the query
                for (String open : List.of("/health/live", "/health/ready", "/openapi.json")) {
                    assertQueryRefused(raw(main, "GET", open + "?x=" + bad, null, null), open + " " + bad);
                }
                for (String path : List.of("/frontends", "/frontends/f", "/backends", "/backends/b",
                        "/backends/b/members", "/haproxy/config", "/activity", "/stats", "/status", "/changes/1",
                        "/fleet", "/metrics", "/registrations", "/registrations/app/1.0.0", "/nowhere")) {
                    assertQueryRefused(raw(main, "GET", path + "?limit=5&x=" + bad, AuthIT.ADMIN, null),
                            path + " " + bad);
                }
                assertQueryRefused(raw(main, "PUT", "/backends/b?x=" + bad, AuthIT.ADMIN, "{\"type\":\"static\"}"),
                        "PUT " + bad);
                assertQueryRefused(raw(main, "POST", "/registrations/app/1.0.0/127.0.0.1/18080?x=" + bad,
                        AuthIT.REGISTER, "{}"), "POST registration " + bad);
                for (String path : List.of("/registrations", "/registrations/app", "/elsewhere")) {
                    assertQueryRefused(raw(registration, "GET", path + "?x=" + bad, AuthIT.READ, null),
                            "registration port " + path + " " + bad);
                }
                assertQueryRefused(raw(registration, "DELETE", "/registrations/app/1.0.0/127.0.0.1/18080?x=" + bad,
                        AuthIT.REGISTER, null), "registration port DELETE " + bad);
            }
            System.setOut(stdout);
            assertThat(stack.api.get("/backends/b", "Authorization", "Bearer " + AuthIT.ADMIN).status())
                    .as("nothing was written").isEqualTo(404);
            assertThat(stack.registrations.get("/registrations", "Authorization", "Bearer " + AuthIT.READ).body())
                    .isEqualTo("[]");
        } finally {
            System.setOut(stdout);
        }
        assertThat(errors.lines).as("ERROR lines the daemon logged for clients' mistakes").isEmpty();
    }

    @Test
    void aWebSocketUpgradeWithAMalformedQueryIs400NotAServerError() throws Exception { // Jetty's upgrade answered 500
        java.io.PrintStream stdout = System.out;
        FuzzIT.ErrorLines errors = new FuzzIT.ErrorLines(stdout);
        try (TestStack stack = TestStack.start(dir)) {
            System.setOut(errors);
            errors.probe();
            for (String bad : BAD) {
                try (Socket s = new Socket("127.0.0.1", stack.server.port())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(("GET /ws?x=" + bad + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    String answer = oneAnswer(s.getInputStream()); // the connection stays open
                    assertThat(answer).as(bad).startsWith("HTTP/1.1 400 ").contains("\"error\":\"invalid_query\"");
                }
            }
            System.setOut(stdout);
        } finally {
            System.setOut(stdout);
        }
        assertThat(errors.lines).as("ERROR lines the daemon logged for clients' mistakes").isEmpty();
    }

    @Test
    void aMalformedPathEscapeIs400AndLogsNoError() throws Exception {
        java.io.PrintStream stdout = System.out;
        FuzzIT.ErrorLines errors = new FuzzIT.ErrorLines(stdout);
        try (TestStack stack = TestStack.start(dir)) {
            int main = stack.server.port();
            int registration = stack.server.registrationPort();
            System.setOut(errors);
            errors.probe();
            for (String bad : BAD) {
                for (String target : List.of("/frontends/" + bad, "/backends/" + bad, "/backends/" + bad + "/members",
                        "/changes/" + bad, "/registrations/" + bad, "/registrations/app/" + bad)) {
                    Answer a = raw(main, "GET", target, null, null);
                    assertThat(a.status()).as(target + ": " + a).isEqualTo(400);
                    assertThat(a.json().get("status").asInt()).isEqualTo(400);
                    assertThat(a.json().has("reason")).isTrue();
                }
                Answer put = raw(main, "PUT", "/backends/" + bad, null, "{\"type\":\"static\"}");
                assertThat(put.status()).as("PUT " + bad + ": " + put).isEqualTo(400);
                Answer register = raw(registration, "POST", "/registrations/app/" + bad + "/127.0.0.1/18080", null,
                        "{}");
                assertThat(register.status()).as("POST " + bad + ": " + register).isEqualTo(400);
            }
            System.setOut(stdout);
            assertThat(stack.api.get("/backends").body()).isEqualTo("[]");
            assertThat(stack.registrations.get("/registrations").body()).isEqualTo("[]");
        } finally {
            System.setOut(stdout);
        }
        assertThat(errors.lines).as("ERROR lines the daemon logged for clients' mistakes").isEmpty();
    }
}
