package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.InvalidValueException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PEM bundles as operators have them (test certificates in src/test/resources/pem, made as its README says). */
class PemTest {
    static String resource(String name) throws IOException {
        try (InputStream in = PemTest.class.getResourceAsStream("/pem/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aPkcs1RsaKeyAndASec1EcKeyAreReadAndTheBundleGoesCertificateFirstKeyLast() throws Exception {
        Pem.Bundle rsa = Pem.bundle("pem", resource("rsa-pkcs1.pem"));
        assertThat(rsa.key().getAlgorithm()).isEqualTo("RSA");
        assertThat(rsa.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=rsa.test");

        Pem.Bundle ec = Pem.bundle("pem", resource("ec-sec1-key-first.pem"));
        assertThat(ec.key().getAlgorithm()).isEqualTo("EC");
        assertThat(ec.normalized()).startsWith("-----BEGIN CERTIFICATE-----\n")
                .endsWith("-----END EC PRIVATE KEY-----\n").contains("-----BEGIN EC PRIVATE KEY-----\n");
    }

    @Test
    void theCertificateOfTheKeyGoesFirstWhateverTheOrderGiven() throws Exception {
        String rsa = resource("rsa-pkcs1.pem");
        String ecCert = certificateOf(resource("ec-sec1-key-first.pem"));
        Pem.Bundle b = Pem.bundle("pem", ecCert + rsa); // another certificate first, then this one and its key
        assertThat(b.chain()).hasSize(2);
        assertThat(b.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=rsa.test");
        assertThat(b.normalized()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Pem.bundle("pem", b.normalized()).chain().get(0).getSubjectX500Principal().getName())
                .isEqualTo("CN=rsa.test");
    }

    @Test
    void whatCannotBeServedIsRefusedNamingTheField() throws Exception {
        String rsa = resource("rsa-pkcs1.pem");
        String ec = resource("ec-sec1-key-first.pem");
        assertThatThrownBy(() -> Pem.bundle("pem", certificateOf(rsa)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("pem"))
                .hasMessageContaining("no PEM private key");
        assertThatThrownBy(() -> Pem.bundle("pem", "hello")).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> Pem.bundle("pem", certificateOf(rsa) + ec.substring(0, ec.indexOf("-----BEGIN"
                + " CERTIFICATE")))).hasMessageContaining("the private key belongs to none of the 1 certificates");
        assertThatThrownBy(() -> Pem.bundle("pem", certificateOf(rsa) + "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + "AAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")).hasMessageContaining("decrypt it");
    }

    private static String certificateOf(String pem) {
        int start = pem.indexOf("-----BEGIN CERTIFICATE-----");
        int end = pem.indexOf("-----END CERTIFICATE-----") + "-----END CERTIFICATE-----".length();
        return pem.substring(start, end) + "\n";
    }
}
