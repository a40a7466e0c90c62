package io.thalassa.http.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code --tokens} file: one {@code <role>:<token>} a line ({@code #} comments and blank lines ignored), roles
 * {@code admin}, {@code register} and {@code read}. Tokens are kept as SHA-256 digests and compared in constant time;
 * no message names a token.
 */
public final class Tokens {
    /** The roles, from most to least power. */
    public enum Role {
        ADMIN, REGISTER, READ;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Characters a token may hold: safe in a header and in a WebSocket sub-protocol. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+-]{16,256}");

    private record Entry(Role role, byte[] digest) {
    }

    private final List<Entry> entries;

    private Tokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a tokens file.
     *
     * @throws IllegalArgumentException naming the file and the line number (never the token) for a bad line
     */
    public static Tokens read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = file + " line " + (i + 1);
            if (colon < 0) {
                throw new IllegalArgumentException(where + ": must be <role>:<token>");
            }
            Role role;
            try {
                role = Role.valueOf(line.substring(0, colon).strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the role must be admin, register or read");
            }
            String token = line.substring(colon + 1).strip();
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException(where + ": a token is 16..256 characters of [A-Za-z0-9._~+-]");
            }
            byte[] digest = digest(token);
            for (Entry e : entries) {
                if (MessageDigest.isEqual(e.digest, digest)) {
                    throw new IllegalArgumentException(where + ": this token is already listed");
                }
            }
            entries.add(new Entry(role, digest));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(file + ": no token in the file");
        }
        return new Tokens(entries);
    }

    /** Tokens given in code (tests): {@code role:token} strings. */
    public static Tokens of(String... lines) {
        List<Entry> entries = new ArrayList<>();
        for (String l : lines) {
            int colon = l.indexOf(':');
            entries.add(new Entry(Role.valueOf(l.substring(0, colon).toUpperCase(Locale.ROOT)),
                    digest(l.substring(colon + 1))));
        }
        return new Tokens(entries);
    }

    /** The role of {@code token}, or empty; every entry is compared, each in constant time. */
    public Optional<Role> roleOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        byte[] digest = digest(token);
        Role found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest, digest) & found == null) {
                found = e.role;
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
