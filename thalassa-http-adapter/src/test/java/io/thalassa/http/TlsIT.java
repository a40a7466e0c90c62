package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS on both ports from PEM files, with a certificate this test makes (openssl), checked by two clients. */
class TlsIT {
    @TempDir
    Path dir;

    /** A self-signed certificate for 127.0.0.1; {@code rsaKey} writes the key as PKCS#1, else PKCS#8. */
    static Path[] certificate(Path dir, boolean rsaKey) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
                cert.toString(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"));
        if (rsaKey) {
            Path pkcs1 = dir.resolve("key-rsa.pem");
            run(List.of("openssl", "rsa", "-in", key.toString(), "-out", pkcs1.toString(), "-traditional"));
            assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");
            key = pkcs1;
        }
        return new Path[] {cert, key};
    }

    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + ": " + out).isZero();
        return out;
    }

    static HttpClient trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void bothPortsSpeakHttpsWithThePemFilesAndRefusePlainHttp() throws Exception {
        Path[] pem = certificate(dir, false);
        try (TestStack stack = TestStack.start(dir, "--tlsCert", pem[0].toString(), "--tlsKey", pem[1].toString())) {
            assertThat(stack.server.uri().getScheme()).isEqualTo("https");
            HttpClient client = trusting(pem[0]);
            String api = "https://127.0.0.1:" + stack.server.port();
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create(api + "/backends/b"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"type\":\"static\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            String reg = "https://127.0.0.1:" + stack.server.registrationPort() + "/registrations";
            assertThat(client.send(HttpRequest.newBuilder(URI.create(reg)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            // curl, as an operator checks it, with the CA file
            String curl = run(List.of("curl", "-sS", "--cacert", pem[0].toString(), "-o", "/dev/null", "-w",
                    "%{http_code}", api + "/backends/b"));
            assertThat(curl).isEqualTo("200");

            // plain HTTP to a TLS port is refused, and an untrusted certificate fails the handshake
            for (int port : new int[] {stack.server.port(), stack.server.registrationPort()}) {
                assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/registrations")).timeout(Duration.ofSeconds(10))
                        .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
            }
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api
                    + "/backends")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void aPkcs1RsaKeyWorksTooAndAMismatchedPairStopsTheStart() throws Exception {
        Path[] pem = certificate(dir, true);
        try (TestStack stack = TestStack.start(dir, "--tlsCert", pem[0].toString(), "--tlsKey", pem[1].toString())) {
            HttpResponse<String> r = trusting(pem[0]).send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + stack.server.port() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        Path notAKey = Files.writeString(dir.resolve("nokey.pem"), "hello");
        assertThatThrownBy(() -> TestStack.start(dir, "--tlsCert", pem[0].toString(), "--tlsKey",
                notAKey.toString())).hasMessageContaining("--tlsKey").hasMessageContaining("no PEM private key");
    }
}
