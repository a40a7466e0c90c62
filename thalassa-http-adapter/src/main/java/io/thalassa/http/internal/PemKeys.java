package io.thalassa.http.internal;

import io.thalassa.runtime.internal.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * A key store in memory from the PEM files operators get from their CA or ACME client: the certificate chain and
 * its private key (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}), read
 * as the library reads the certificates HAProxy terminates TLS with.
 */
public final class PemKeys {
    /** The password of the in-memory key store; it never leaves the process. */
    public static final String STORE_PASSWORD = "thalassa";

    private PemKeys() {
    }

    /**
     * @throws IllegalArgumentException naming the file when it holds no certificate or no supported key
     */
    public static KeyStore keyStore(Path certFile, Path keyFile) throws IOException {
        Collection<? extends Certificate> chain;
        try (InputStream in = Files.newInputStream(certFile)) {
            chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tlsCert " + certFile + ": not a PEM certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("--tlsCert " + certFile + ": no certificate in the file");
        }
        PrivateKey key = privateKey(keyFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("thalassa", key, STORE_PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tlsKey " + keyFile + " does not go with --tlsCert " + certFile
                    + ": " + e.getMessage());
        }
    }

    /** The key of {@code keyFile}, read as the library reads a certificate's key ({@code Pem}). */
    static PrivateKey privateKey(Path keyFile) throws IOException {
        return Pem.privateKey("--tlsKey " + keyFile, Files.readString(keyFile, StandardCharsets.US_ASCII));
    }
}
