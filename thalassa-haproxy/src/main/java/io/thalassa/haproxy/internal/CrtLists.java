package io.thalassa.haproxy.internal;

import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The crt-list of each TLS frontend, the one place that knows where a certificate's file is and what a crt-list
 * holds: one line per certificate, {@code <certificateDir>/<name>.pem}, the first the default, the others chosen by
 * SNI from the names in the certificates themselves (so a certificate replaced at run time is served for the names it
 * has). A crt-list's file name carries a digest of its content ({@code <frontend>.<digest>.crtlist}), so writing it
 * never changes what a running or a checked configuration reads: it can be written before every check and reload.
 */
public final class CrtLists {
    private CrtLists() {
    }

    /** The file of certificate {@code name}: {@code <certificateDir>/<name>.pem}. */
    public static Path certificateFile(HaproxySettings settings, String name) {
        return directory(settings).resolve(name + ".pem");
    }

    /** The crt-list a TLS frontend's binds load. */
    public static Path path(Frontend f, HaproxySettings settings) {
        return directory(settings).resolve(f.key() + "." + Fingerprint.of("crt-list", content(f, settings))
                .substring(0, 12) + ".crtlist");
    }

    /** What the crt-list of a TLS frontend holds. */
    public static String content(Frontend f, HaproxySettings settings) {
        StringBuilder sb = new StringBuilder();
        for (String name : f.tls().certificates()) {
            sb.append(certificateFile(settings, name)).append('\n');
        }
        return sb.toString();
    }

    /** The crt-lists of every TLS frontend of {@code config}, by file. */
    public static Map<Path, String> of(ThalassaConfig config, HaproxySettings settings) {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Frontend f : config.frontends().values()) {
            if (f.tls() != null) {
                out.put(path(f, settings), content(f, settings));
            }
        }
        return out;
    }

    /** Writes the crt-lists {@code config} needs that are not there yet. */
    public static void write(ThalassaConfig config, HaproxySettings settings) throws IOException {
        for (Map.Entry<Path, String> e : of(config, settings).entrySet()) {
            if (!Files.exists(e.getKey())) {
                Processes.writeAtomically(e.getKey(), e.getValue());
            }
        }
    }

    private static Path directory(HaproxySettings settings) {
        return settings.certificateDir() != null ? settings.certificateDir() : Path.of("certificates");
    }
}
