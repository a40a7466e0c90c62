package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.NamedHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /certificates} on the daemon's stack: PEM in, never a key out, a frontend terminating TLS with it, the
 * delete refused while it is used, the expiry metric, and the Status page flagging one that expires within 14 days.
 */
class CertificatesIT {
    @TempDir
    Path dir;

    /** A self-signed certificate for 127.0.0.1 and localhost (its own CA), and its key, as one PEM. */
    private String selfSigned(String cn, int days) throws IOException, InterruptedException {
        Path key = dir.resolve(cn + ".key");
        Path crt = dir.resolve(cn + ".crt");
        List<String> cmd = new ArrayList<>(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", crt.toString(), "-days", Integer.toString(days), "-subj", "/CN=" + cn,
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
        return Files.readString(crt) + Files.readString(key);
    }

    private static String curl(Path caCert, String url) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--cacert", caCert.toString(), url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void aCertificateIsPutAsPemShownWithoutItsKeyUsedByAFrontendAndNotDeletedWhileUsed() throws Exception {
        String pem = selfSigned("site", 90);
        Path ca = dir.resolve("site.crt");
        try (NamedHttpServer app = new NamedHttpServer("app"); TestStack stack = TestStack.start(dir)) {
            Http.Reply put = stack.api.sendRaw("PUT", "/certificates/site", pem, "Content-Type",
                    "application/x-pem-file");
            assertThat(put.status()).as(put.body()).isEqualTo(200);
            assertThat(put.json().get("subject").asText()).isEqualTo("CN=site");
            assertThat(put.json().get("expiresSoon").asBoolean()).isFalse();
            assertThat(put.body()).doesNotContain("PRIVATE").doesNotContain("BEGIN");
            Path file = dir.resolve("db/certificates/site.pem");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

            Http.Reply got = stack.api.get("/certificates/site");
            assertThat(got.json().get("sans").toString()).isEqualTo("[\"DNS:localhost\",\"IP:127.0.0.1\"]");
            assertThat(got.body()).doesNotContain("PRIVATE");
            assertThat(stack.api.sendRaw("PUT", "/certificates/bad%20name", pem).json().get("field").asText())
                    .isEqualTo("name");
            Http.Reply noKey = stack.api.sendRaw("PUT", "/certificates/other", pem.substring(0,
                    pem.indexOf("-----BEGIN PRIVATE KEY")));
            assertThat(noKey.status()).isEqualTo(400);
            assertThat(noKey.json().get("field").asText()).isEqualTo("pem");
            String other = selfSigned("other", 90);
            Http.Reply notItsKey = stack.api.sendRaw("PUT", "/certificates/other", other.substring(0,
                    other.indexOf("-----BEGIN PRIVATE KEY")) + pem.substring(pem.indexOf("-----BEGIN PRIVATE KEY")));
            assertThat(notItsKey.status()).as(notItsKey.body()).isEqualTo(400);
            assertThat(notItsKey.json().get("error").asText()).isEqualTo("invalid_value");
            assertThat(notItsKey.json().get("field").asText()).isEqualTo("pem");
            Http.Reply noPem = stack.api.sendRaw("PUT", "/certificates/other", "{\"crt\":\"x\"}", "Content-Type",
                    "application/json");
            assertThat(noPem.status()).as(noPem.body()).isEqualTo(400);
            assertThat(noPem.json().get("field").asText()).isEqualTo("pem");
            assertThat(stack.api.get("/certificates/other").status()).isEqualTo(404);
            assertThat(dir.resolve("db/certificates/other.pem")).doesNotExist();
            for (String method : new String[] {"GET", "DELETE"}) {
                Http.Reply badName = stack.api.send(method, "/certificates/bad%20name", null);
                assertThat(badName.status()).as(method + " " + badName.body()).isEqualTo(400);
                assertThat(badName.json().get("field").asText()).isEqualTo("name");
            }
            Http.Reply viaJson = stack.api.sendRaw("PUT", "/certificates/other", Http.JSON.writeValueAsString(
                    java.util.Map.of("pem", other)), "Content-Type", "application/json");
            assertThat(viaJson.status()).as(viaJson.body()).isEqualTo(200);
            assertThat(viaJson.json().get("subject").asText()).isEqualTo("CN=other");
            assertThat(stack.api.delete("/certificates/other").json().get("name").asText()).isEqualTo("other");
            assertThat(stack.api.get("/certificates").json()).hasSize(1);

            int port = TestStack.freePort();
            assertThat(stack.api.put("/backends/app?wait=10s", "{'type':'static','members':[{'host':'127.0.0.1',"
                    + "'port':" + app.port() + "}]}").status()).isEqualTo(200);
            Http.Reply unknown = stack.api.put("/frontends/tls", "{'bind':'127.0.0.1:" + port + "','backend':'app',"
                    + "'tls':{'certificates':['nope']}}");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.json().get("field").asText()).isEqualTo("tls.certificates[0]");
            Http.Reply frontend = stack.api.put("/frontends/tls?wait=15s", "{'bind':'127.0.0.1:" + port + "',"
                    + "'backend':'app','tls':{'certificates':['site']}}");
            assertThat(frontend.status()).as(frontend.body()).isEqualTo(200);
            assertThat(frontend.json().get("tls").toString())
                    .isEqualTo("{\"certificates\":[\"site\"],\"alpn\":[\"h2\",\"http/1.1\"]}");
            TestStack.await(() -> {
                try {
                    return curl(ca, "https://localhost:" + port + "/").equals("app");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });

            Http.Reply refused = stack.api.delete("/certificates/site");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("error").asText()).isEqualTo("certificate_in_use");
            assertThat(refused.json().get("field").asText()).isEqualTo("name");
            assertThat(refused.json().get("frontends").toString()).isEqualTo("[\"tls\"]");
            assertThat(stack.api.get("/certificates").json()).hasSize(1);
            assertThat(stack.api.get("/certificates").json().get(0).get("usedBy").toString()).isEqualTo("[\"tls\"]");

            assertThat(stack.api.get("/metrics").body())
                    .containsPattern("thalassa_certificate_expiry_seconds\\{name=\"site\"\\} 77\\d{5}"); // 90 days

            assertThat(stack.api.delete("/frontends/tls?wait=15s").status()).isEqualTo(200);
            assertThat(stack.api.delete("/certificates/site").status()).isEqualTo(200);
            assertThat(stack.api.get("/certificates/site").status()).isEqualTo(404);
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void theStatusPageListsTheCertificatesAndFlagsOneThatExpiresWithinFourteenDays() throws Exception {
        try (TestStack stack = TestStack.start(dir);
                Browser browser = Browser.start(dir.resolve("browser"))) {
            assertThat(stack.api.sendRaw("PUT", "/certificates/www", selfSigned("www.example.test", 200)).status())
                    .isEqualTo(200);
            assertThat(stack.api.sendRaw("PUT", "/certificates/legacy", selfSigned("legacy.example.test", 5))
                    .status()).isEqualTo(200);
            assertThat(stack.api.get("/certificates/legacy").json().get("expiresSoon").asBoolean()).isTrue();
            browser.open("http://127.0.0.1:" + stack.server.port() + "/#/status");
            browser.await(15, "the certificates", d -> browser.all("#certificates-table tbody tr").size() == 2);
            assertThat(browser.find("#certificates-summary").getText())
                    .isEqualTo("2 certificate(s), 1 expiring within 14 days or expired.");
            assertThat(browser.find("tr[data-certificate='legacy']").getAttribute("class")).contains("expires-soon");
            assertThat(browser.find("tr[data-certificate='legacy']").getText()).contains("EXPIRES SOON", "(in 4 d)");
            assertThat(browser.find("tr[data-certificate='www']").getAttribute("class")).doesNotContain("expires-soon");
            browser.screenshot("status-certificates");
        }
    }
}
