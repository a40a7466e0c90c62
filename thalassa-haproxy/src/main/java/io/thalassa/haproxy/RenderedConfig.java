package io.thalassa.haproxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A rendered haproxy.cfg and the warnings found while rendering it (e.g. a route to a backend that does not exist yet,
 * left out so the file stays valid).
 *
 * @param text     the configuration text
 * @param warnings what was left out and why, one sentence each
 */
public record RenderedConfig(String text, List<String> warnings) {
    public RenderedConfig {
        warnings = List.copyOf(warnings);
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
