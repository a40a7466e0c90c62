package io.thalassa.runtime.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Who HAProxy runs as, and the stats page's password: the daemon's decisions about HAProxy's privileges.
 */
public final class HaproxyUser {
    /** The Debian package's user, taken when it exists. */
    public static final String DEFAULT_USER = "haproxy";

    /** A user and its primary group, as HAProxy's {@code user} and {@code group} take them. */
    public record Account(String user, String group) {
    }

    private HaproxyUser() {
    }

    /** Whether this process runs as root. */
    public static boolean daemonIsRoot() {
        return ProcessHandle.current().info().user().map("root"::equals).orElse(false);
    }

    /**
     * The account HAProxy's workers drop to: none unless the daemon runs as root; then {@code configured} (empty:
     * none) or, when null, {@code haproxy} if it exists.
     *
     * @throws IllegalArgumentException when a configured user does not exist
     */
    public static Optional<Account> account(String configured, boolean root, Path passwd, Path group)
            throws IOException {
        if (!root || configured != null && configured.isEmpty()) {
            return Optional.empty();
        }
        String name = configured == null ? DEFAULT_USER : configured;
        Optional<String[]> entry = find(passwd, name);
        if (entry.isEmpty()) {
            if (configured != null) {
                throw new IllegalArgumentException("--haproxyUser " + configured + " does not exist in " + passwd);
            }
            return Optional.empty();
        }
        String gid = entry.get()[3];
        String groupName = null;
        if (Files.isReadable(group)) {
            for (String line : Files.readAllLines(group, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[2].equals(gid)) {
                    groupName = f[0];
                    break;
                }
            }
        }
        return Optional.of(new Account(name, groupName));
    }

    private static Optional<String[]> find(Path passwd, String name) throws IOException {
        if (!Files.isReadable(passwd)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[0].equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The stats page's {@code user:password}: {@code configured}, else the one kept in {@code file}, else a new one
     * (24 random hex digits) written there with mode 600.
     */
    public static String statsAuth(String configured, Path file) throws IOException {
        if (configured != null) {
            return configured;
        }
        if (Files.exists(file)) {
            String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (kept.matches("[A-Za-z0-9._-]+:[0-9a-f]{16,}")) {
                return kept;
            }
        }
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String auth = "admin:" + HexFormat.of().formatHex(secret);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, auth + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return auth;
    }
}
