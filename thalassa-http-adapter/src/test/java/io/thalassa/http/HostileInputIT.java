package io.thalassa.http;

import static io.thalassa.http.RestApiIT.assertBadRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.Http.Reply;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input the security review found is a 4xx naming the field, nothing is converted, nothing changes. */
class HostileInputIT {
    @TempDir
    Path dir;
    TestStack stack;
    Http api;
    int port;
    String before;

    @BeforeEach
    void start() throws Exception {
        stack = TestStack.start(dir);
        api = stack.api;
        port = TestStack.freePort();
        assertThat(api.put("/backends/b", "{'type':'static','members':[{'host':'127.0.0.1','port':9001}]}").status())
                .isEqualTo(200);
        assertThat(api.put("/frontends/f", "{'bind':'127.0.0.1:" + port + "','backend':'b'}").status())
                .isEqualTo(200);
        before = state();
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    private String state() {
        return api.get("/frontends").body() + api.get("/backends").body() + api.get("/haproxy/config").body();
    }

    private Reply raw(String method, String path, byte[] body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base + path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    private Reply raw(String path, String body) throws Exception {
        return raw("PUT", path, body.getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void tooDeepAndTooLongJsonIs400() throws Exception {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertBadRequest(raw("/backends/b", deep), "malformed_json", null);
        assertBadRequest(raw("/backends/b", "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":"
                + "9".repeat(100_000) + "}]}"), "malformed_json", null);
        assertBadRequest(raw("/backends/b", "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":"
                + "99999999999999999999}]}"), "invalid_value", "members[0].port");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void anUnpairedSurrogateIs400NamingTheNative() throws Exception {
        Reply r = raw("/backends/b", "{\"type\":\"static\",\"natives\":[\"option forwardfor \\ud800\"]}");
        assertBadRequest(r, "invalid_value", "natives[0]");
        assertThat(r.json().get("value").asText()).startsWith("option forwardfor");
        assertBadRequest(raw("/frontends/f", "{\"bind\":\"127.0.0.1:" + port + "\",\"backend\":\"b\\udc00\"}"),
                "invalid_value", "backend");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void brokenUtf8AndUtf16BodiesAre400() throws Exception {
        byte[] utf16 = "{\"type\":\"static\"}".getBytes(StandardCharsets.UTF_16);
        assertThat(raw("PUT", "/backends/b", utf16, null).status()).isEqualTo(400);
        assertBadRequest(raw("PUT", "/backends/b", new byte[] {'{', '"', (byte) 0xc3, '"', ':', '1', '}'}, null),
                "invalid_encoding", null);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void numbersAreWholeAsciiNumbersOrStringsOfAsciiDigits() throws Exception {
        for (String port : new String[] {"80.9", "80.0", "8e1", "\"\\u0661\\u0668\\u0663\\u0669\\u0669\"", "\" 80\"",
                "\"+80\"", "\"80 \"", "true", "-80"}) {
            Reply r = raw("/backends/b", "{\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":"
                    + port + "}]}");
            assertBadRequest(r, "invalid_value", "members[0].port");
            assertThat(r.json().has("value")).as(r.toString()).isTrue();
        }
        assertBadRequest(raw("/backends/b", "{\"type\":\"static\",\"health\":{\"interval\":\"2000.5\"}}"),
                "invalid_value", "health.interval");
        assertBadRequest(stack.registrations.post("/registrations/app/1.0.0/127.0.0.1/%D9%A1%D9%A8%D9%A3",
                "{}"), "invalid_value", "port");
        assertBadRequest(stack.registrations.post("/registrations/app/1.0.0/127.0.0.1/18399",
                "{'secondsToExpire':60.5}"), "invalid_value", "secondsToExpire");
        assertBadRequest(stack.registrations.post("/registrations/app/1.0.0/127.0.0.1/18399",
                "{'secondsToExpire':null}"), "invalid_value", "secondsToExpire"); // found by FuzzIT: was a 500
        assertThat(state()).isEqualTo(before);
        // the original's string numbers stay accepted
        Reply ok = raw("/backends/c", "{\"type\":\"static\",\"health\":{\"interval\":\"5000\"},\"members\":"
                + "[{\"host\":\"127.0.0.1\",\"port\":\"80\"}]}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().get("members").get(0).get("port").asInt()).isEqualTo(80);
    }

    @Test
    void controlCharactersWhitespaceAndBooleansAreNotConvertedAway() throws Exception {
        String bind = "\"bind\":\"127.0.0.1:" + port + "\"";
        assertBadRequest(raw("/frontends/f", "{\"bind\":\"127.0.0.1:" + port + "\\u0000\",\"backend\":\"b\"}"),
                "invalid_value", "bind");
        assertBadRequest(raw("/frontends/f", "{\"bind\":\" 127.0.0.1:" + port + "\",\"backend\":\"b\"}"),
                "invalid_value", "bind");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":\"b\",\"mode\":\"http\\n\"}"),
                "invalid_value", "mode");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":\"b\",\"mode\":\" http\"}"),
                "invalid_value", "mode");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":true}"), "invalid_value", "backend");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":1.5}"), "invalid_value", "backend");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":\"b\",\"natives\":[\"option\\tforwardfor\"]}"),
                "invalid_value", "natives[0]");
        assertBadRequest(raw("/frontends/f", "{" + bind + ",\"backend\":\"b\",\"na\\u0007tives\":[]}"),
                "invalid_value", "na\u0007tives");
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aBodyThatIsNotJsonIs415UnlessItHasNoTypeOrCurlsFormType() throws Exception {
        String body = "{\"type\":\"static\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] {"application/xml", "text/xml", "text/plain",
                "application/json; charset=utf-16"}) {
            Reply r = raw("PUT", "/backends/b", bytes, type);
            assertThat(r.status()).as(type + ": " + r).isEqualTo(415);
            assertThat(r.json().get("error").asText()).isEqualTo("unsupported_media_type");
        }
        assertThat(raw("PUT", "/backends/b", "<backend/>".getBytes(StandardCharsets.UTF_8), "application/xml")
                .status()).isEqualTo(415);
        assertThat(state()).isEqualTo(before);
        for (String type : new String[] {null, "application/json", "application/json; charset=UTF-8",
                "application/x-www-form-urlencoded", "application/merge-patch+json"}) {
            assertThat(raw("PUT", "/backends/x", bytes, type).status()).as(String.valueOf(type)).isEqualTo(200);
        }
    }

    @Test
    void aTruncatedBodyIs400() throws Exception {
        try (Socket s = new Socket("127.0.0.1", stack.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /backends/b HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"type\":\"stat").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.shutdownOutput();
            String answer = readAll(s.getInputStream());
            assertThat(answer).as(answer).doesNotStartWith("HTTP/1.1 5");
            if (!answer.isEmpty()) {
                assertThat(answer).startsWith("HTTP/1.1 400");
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void frontendsShowTheirNameAsTheSeedDoes() {
        assertThat(api.get("/frontends/f").json().get("name").asText()).isEqualTo("f");
    }

    private static String readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            in.transferTo(b);
        } catch (java.net.SocketException e) {
            // a reset after the answer
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
