package io.thalassa.haproxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rendered haproxy.cfg, the warnings found while rendering it (e.g. a route to a backend that does not exist yet,
 * left out so the file stays valid), and the structural fingerprint of each section.
 *
 * <p>A section's fingerprint covers everything HAProxy learns only from a reload: every value the template gets for
 * it (balance, health check, {@code check inter}, natives, routes...) and the names of its servers in order, but not
 * the servers' addresses or whether they are enabled, which the runtime API changes. Two configurations whose
 * fingerprints are all equal differ only in what the runtime API can apply; a section whose fingerprint differs needs
 * a reload. Keys: {@value HaproxyConfigRenderer#SETTINGS_SECTION} ({@code global}, {@code defaults} and
 * {@code listen stats}, all made from the settings), {@code frontend <key>} and {@code backend <key>}.
 *
 * @param text         the configuration text
 * @param warnings     what was left out and why, one sentence each
 * @param fingerprints each section's structural fingerprint, in the order of the file
 */
public record RenderedConfig(String text, List<String> warnings, Map<String, String> fingerprints) {
    public RenderedConfig {
        warnings = List.copyOf(warnings);
        fingerprints = Collections.unmodifiableMap(new LinkedHashMap<>(fingerprints));
    }

    /** {@code frontend <key>}: the key of a frontend's section in {@link #fingerprints()}. */
    public static String frontendSection(String key) {
        return "frontend " + key;
    }

    /** {@code backend <key>}: the key of a backend's section in {@link #fingerprints()}. */
    public static String backendSection(String key) {
        return "backend " + key;
    }

    /** The sections whose fingerprint differs from {@code other}'s, or that only one of the two has, sorted. */
    public java.util.SortedSet<String> structuralDifferences(Map<String, String> other) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        fingerprints.forEach((section, fp) -> {
            if (!fp.equals(other.get(section))) {
                out.add(section);
            }
        });
        for (String section : other.keySet()) {
            if (!fingerprints.containsKey(section)) {
                out.add(section);
            }
        }
        return out;
    }

    /** SHA-256 of the text, hex: equal digests mean byte-identical files. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
