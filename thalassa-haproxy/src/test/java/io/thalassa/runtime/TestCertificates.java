package io.thalassa.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA and the certificates it signs, made with the openssl command in a test's directory: a certificate
 * for 127.0.0.1 and localhost with its chain and key, as a CA or an ACME client gives them.
 */
final class TestCertificates {
    final Path dir;
    final Path caCert;

    /** A CA "Thalassa Test CA" in {@code dir}. */
    TestCertificates(Path dir) throws IOException, InterruptedException {
        this.dir = Files.createDirectories(dir);
        this.caCert = dir.resolve("ca.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("ca.key").toString(), "-out",
                caCert.toString(), "-days", "2", "-subj", "/CN=Thalassa Test CA");
    }

    /**
     * A certificate for 127.0.0.1 and localhost with subject {@code CN=<cn>}, valid {@code days} days, signed by the
     * CA: the PEM of the certificate, the CA's certificate and the key ({@code keyType}: {@code rsa:2048} or
     * {@code ec}).
     */
    String issue(String cn, int days, String keyType) throws IOException, InterruptedException {
        Path key = dir.resolve(cn + ".key");
        Path csr = dir.resolve(cn + ".csr");
        Path crt = dir.resolve(cn + ".crt");
        Path ext = dir.resolve(cn + ".ext");
        Files.writeString(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
        List<String> req = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", key.toString(), "-out",
                csr.toString(), "-subj", "/CN=" + cn));
        if (keyType.equals("ec")) {
            req.addAll(List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"));
        } else {
            req.addAll(List.of("-newkey", keyType));
        }
        openssl(req.toArray(String[]::new));
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", dir.resolve("ca.key")
                .toString(), "-CAcreateserial", "-out", crt.toString(), "-days", Integer.toString(days), "-extfile",
                ext.toString());
        return Files.readString(crt) + Files.readString(caCert) + Files.readString(key);
    }

    /** The key of a certificate issued before. */
    String key(String cn) throws IOException {
        return Files.readString(dir.resolve(cn + ".key"));
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + new String(out, StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code curl} through the CA to {@code url}, with {@code args} ({@code --http2}...): what it printed of
     * {@code -w} and the certificate's subject it saw ({@code -v}).
     */
    String curl(String url, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", "10", "--cacert",
                caCert.toString(), "-o", "/dev/null", "-w", "%{http_version} %{http_code}\\n"));
        cmd.addAll(List.of(args));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }
}
