package io.thalassa.runtime.internal;

import io.thalassa.InvalidValueException;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM text as operators get it from a CA or an ACME client: a certificate chain and its private key (PKCS#8
 * {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}), checked to belong together and
 * put in the order HAProxy reads: the certificate of the key first, the rest of the chain, the key. Pure.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    private static final int MAX_CHAIN = 10;

    private Pem() {
    }

    /**
     * A certificate chain with its key.
     *
     * @param chain      the certificates, the key's first
     * @param key        the private key
     * @param normalized the PEM in HAProxy's order, as stored and sent to HAProxy
     */
    public record Bundle(List<X509Certificate> chain, PrivateKey key, String normalized) {
        public Bundle {
            chain = List.copyOf(chain);
        }
    }

    /**
     * Reads a chain and its key from {@code text}.
     *
     * @throws InvalidValueException naming {@code field} when there is no certificate, no key or more than one, a key
     *                               that cannot be read (an encrypted one), or a key that belongs to none of the
     *                               certificates
     */
    public static Bundle bundle(String field, String text) {
        List<X509Certificate> certs = new ArrayList<>();
        List<String> certBlocks = new ArrayList<>();
        PrivateKey key = null;
        String keyBlock = null;
        Matcher m = BLOCK.matcher(text == null ? "" : text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = decode(field, type, m.group(2));
            if (type.equals("CERTIFICATE")) {
                certs.add(certificate(field, der));
                certBlocks.add(block(type, der));
                if (certs.size() > MAX_CHAIN) {
                    throw new InvalidValueException(field, null, field + ": more than " + MAX_CHAIN
                            + " certificates");
                }
            } else if (type.endsWith("PRIVATE KEY")) {
                if (key != null) {
                    throw new InvalidValueException(field, null, field + ": more than one private key");
                }
                key = privateKey(field, type, der);
                keyBlock = block(type, der);
            }
        }
        if (certs.isEmpty()) {
            throw new InvalidValueException(field, null, field + ": no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        if (key == null) {
            throw new InvalidValueException(field, null, field + ": no PEM private key; give the certificate chain"
                    + " and its key, e.g. cat fullchain.pem privkey.pem");
        }
        int leaf = -1;
        for (int i = 0; i < certs.size() && leaf < 0; i++) {
            if (belongs(key, certs.get(i))) {
                leaf = i;
            }
        }
        if (leaf < 0) {
            throw new InvalidValueException(field, null, field + ": the private key belongs to none of the "
                    + certs.size() + " certificates (subject of the first: " + certs.get(0).getSubjectX500Principal()
                    .getName() + ")");
        }
        List<X509Certificate> chain = new ArrayList<>(certs);
        chain.add(0, chain.remove(leaf));
        StringBuilder pem = new StringBuilder(certBlocks.remove(leaf));
        certBlocks.forEach(pem::append);
        return new Bundle(chain, key, pem.append(keyBlock).toString());
    }

    /**
     * The certificates of {@code text} (a stored bundle), the key's first.
     *
     * @throws InvalidValueException naming {@code field} when there is none
     */
    public static List<X509Certificate> certificates(String field, String text) {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                out.add(certificate(field, decode(field, "CERTIFICATE", m.group(2))));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidValueException(field, null, field + ": no PEM certificate");
        }
        return out;
    }

    /**
     * The one private key of {@code text}.
     *
     * @throws InvalidValueException naming {@code field} when there is none or it cannot be read
     */
    public static PrivateKey privateKey(String field, String text) {
        Matcher m = BLOCK.matcher(text == null ? "" : text);
        while (m.find()) {
            if (m.group(1).endsWith("PRIVATE KEY")) {
                return privateKey(field, m.group(1), decode(field, m.group(1), m.group(2)));
            }
        }
        throw new InvalidValueException(field, null, field + ": no PEM private key in it");
    }

    private static byte[] decode(String field, String type, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException(field, null, field + ": a " + type + " block is not valid base64");
        }
    }

    private static X509Certificate certificate(String field, byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new InvalidValueException(field, null, field + ": not an X.509 certificate: " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(String field, String type, byte[] der) {
        byte[] pkcs8 = switch (type) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> Der.pkcs8(Der.RSA_ENCRYPTION, null, der);
            case "EC PRIVATE KEY" -> ecPkcs8(field, der);
            case "ENCRYPTED PRIVATE KEY" -> throw new InvalidValueException(field, null, field + ": the key is"
                    + " encrypted, and HAProxy starts unattended; decrypt it: openssl pkey -in key.pem -out plain.pem");
            default -> throw new InvalidValueException(field, null, field + ": " + type + " is not a supported key"
                    + " (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        };
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // the next algorithm
            }
        }
        throw new InvalidValueException(field, null, field + ": the private key is not RSA, EC or EdDSA, or is"
                + " damaged");
    }

    private static byte[] ecPkcs8(String field, byte[] sec1) {
        try {
            return Der.pkcs8(Der.EC_PUBLIC_KEY, Der.ecCurve(sec1), sec1);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException(field, null, field + ": the EC PRIVATE KEY cannot be read: " + e.getMessage());
        }
    }

    /** Whether {@code key} is the private key of {@code cert}: a signature made with it verifies with the cert's. */
    static boolean belongs(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature sign = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                sign.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            sign.initSign(key);
            sign.update(data);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verify.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verify.initVerify(cert.getPublicKey());
            verify.update(data);
            return verify.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // another algorithm, or another key
        }
    }

    /** A PEM block of {@code der}, in lines of 64 characters. */
    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
