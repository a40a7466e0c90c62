package io.thalassa.runtime;

import io.thalassa.Frontend;
import io.thalassa.InvalidModelException;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaException;
import io.thalassa.Tls;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.internal.CrtLists;
import io.thalassa.internal.Checks;
import io.thalassa.runtime.internal.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The TLS certificates frontends terminate TLS with ({@link Tls}), by name: stored under the state directory
 * ({@code <stateDir>/certificates/<name>.pem}, mode 600, chain and key as HAProxy reads them).
 *
 * <pre>{@code
 * thalassa.certificates().put("site", Files.readString(Path.of("fullchain-and-key.pem")));
 * thalassa.update(c -> c.withFrontend(Frontend.builder("web").bind("127.0.0.1:8443").defaultBackend("live")
 *         .tls(Tls.of("site")).build())).await(Duration.ofSeconds(10));
 * thalassa.certificates().put("site", renewed);   // swapped in HAProxy at run time: the next connection gets it
 * }</pre>
 *
 * A certificate is checked before it is stored (a chain and one key that belongs to one of its certificates); one
 * that a frontend uses is not deleted. Thread-safe. In a fleet each node keeps its own: put it on every node.
 */
public final class Certificates {
    private final HaproxyController controller;
    private final Supplier<ThalassaConfig> config;
    private final Writer writes;

    /** Runs a check-and-change serialized with every write of the configuration. */
    @FunctionalInterface
    interface Writer {
        void write(Runnable underWriteLock);
    }

    Certificates(HaproxyController controller, Supplier<ThalassaConfig> config, Writer writes) {
        this.controller = controller;
        this.config = config;
        this.writes = writes;
    }

    /**
     * Stores certificate {@code name}: {@code pem} holds the certificate chain (its own certificate and the
     * intermediates) and its private key (PKCS#8, PKCS#1 RSA or SEC1 EC, not encrypted), in any order. A new PEM under
     * an existing name replaces it, in the running HAProxy too without a reload ({@code set ssl cert}).
     *
     * @return what it is now
     * @throws InvalidValueException naming {@code name} when the name is not one ({@link Tls#NAME}), {@code pem} when
     *                               there is no certificate or no key, the key cannot be read, or it belongs to none
     *                               of the certificates; nothing changed
     * @throws io.thalassa.RuntimeApiException when HAProxy serves it and refuses the new one; nothing changed
     */
    public CertificateInfo put(String name, String pem) {
        checkName(name);
        Pem.Bundle bundle = Pem.bundle("pem", Checks.notNull("pem", pem));
        controller.replaceCertificate(name, bundle.normalized());
        return info(name, bundle.chain(), config.get());
    }

    /** The certificate stored under {@code name}, if any. */
    public Optional<CertificateInfo> get(String name) {
        checkName(name);
        return read(name, config.get());
    }

    /** Every stored certificate, by name. */
    public List<CertificateInfo> list() {
        ThalassaConfig c = config.get();
        List<CertificateInfo> out = new ArrayList<>();
        for (String name : names()) {
            read(name, c).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Deletes certificate {@code name}, unless a frontend uses it.
     *
     * @return what it was, or empty when there was none
     * @throws InvalidModelException naming {@code name} when a frontend terminates TLS with it; nothing changed
     */
    public Optional<CertificateInfo> delete(String name) {
        checkName(name);
        java.util.concurrent.atomic.AtomicReference<Optional<CertificateInfo>> deleted =
                new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
        writes.write(() -> { // no write can start using it meanwhile
            Optional<CertificateInfo> found = read(name, config.get());
            if (found.isPresent() && !found.get().usedBy().isEmpty()) {
                throw new InvalidModelException("name", name, "certificate " + name + " is used by frontend(s) "
                        + String.join(", ", found.get().usedBy()) + "; take it out of their tls.certificates first");
            }
            if (found.isPresent()) {
                controller.deleteCertificate(name);
            }
            deleted.set(found);
        });
        return deleted.get();
    }

    /**
     * Checks that every certificate {@code next}'s frontends name is stored.
     *
     * @throws InvalidValueException naming {@code tls.certificates[i]} when one is not
     */
    ThalassaConfig checkReferences(ThalassaConfig next) {
        for (Frontend f : next.frontends().values()) {
            if (f.tls() == null) {
                continue;
            }
            List<String> names = f.tls().certificates();
            for (int i = 0; i < names.size(); i++) {
                if (!Files.exists(file(names.get(i)))) {
                    throw new InvalidValueException("tls.certificates[" + i + "]", names.get(i), "frontend " + f.key()
                            + ": no certificate " + names.get(i) + " is stored; put it first (PUT /certificates/"
                            + names.get(i) + ")");
                }
            }
        }
        return next;
    }

    private static void checkName(String name) {
        Checks.notNull("name", name);
        if (!Tls.NAME.matcher(name).matches()) {
            throw new InvalidValueException("name", name, "name must be a certificate name of 1..64 characters of"
                    + " [A-Za-z0-9._-] starting with a letter or digit: " + Checks.quote(name));
        }
    }

    private Path file(String name) {
        return CrtLists.certificateFile(controller.settings(), name);
    }

    private List<String> names() {
        TreeSet<String> out = new TreeSet<>();
        Path dir = controller.settings().certificateDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.pem")) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                n = n.substring(0, n.length() - 4);
                if (Tls.NAME.matcher(n).matches()) {
                    out.add(n);
                }
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    private Optional<CertificateInfo> read(String name, ThalassaConfig c) {
        Path f = file(name);
        String text;
        try {
            if (!Files.exists(f)) {
                return Optional.empty();
            }
            text = Files.readString(f, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ThalassaException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return Optional.of(info(name, Pem.certificates(name, text), c));
    }

    private static CertificateInfo info(String name, List<X509Certificate> chain, ThalassaConfig c) {
        X509Certificate leaf = chain.get(0);
        List<String> sans = new ArrayList<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    Object type = san.get(0);
                    String kind = Integer.valueOf(2).equals(type) ? "DNS" : Integer.valueOf(7).equals(type) ? "IP"
                            : Integer.valueOf(1).equals(type) ? "email" : Integer.valueOf(6).equals(type) ? "URI"
                            : "other";
                    sans.add(kind + ":" + san.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            sans.add("unreadable: " + e.getMessage());
        }
        List<String> usedBy = new ArrayList<>();
        for (Frontend f : c.frontends().values()) {
            if (f.tls() != null && f.tls().certificates().contains(name)) {
                usedBy.add(f.key());
            }
        }
        return new CertificateInfo(name, leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal()
                .getName(), sans, leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), sha256(leaf),
                chain.size(), usedBy);
    }

    private static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "";
        }
    }
}
