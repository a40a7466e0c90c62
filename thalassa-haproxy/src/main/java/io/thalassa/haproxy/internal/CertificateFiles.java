package io.thalassa.haproxy.internal;

import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RuntimeApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The TLS certificates' files ({@link CrtLists#certificateFile}: chain and key, mode 600, readable by HAProxy's master,
 * which loads them before it drops privileges) and their replacement in the running worker at run time: the file is
 * written first, so a reload or restart at any time loads the new one, then {@code set ssl cert} and
 * {@code commit ssl cert} swap it in the worker that serves it. Called under the controller's lock, so no reload runs
 * in between.
 */
public final class CertificateFiles {
    private final HaproxySettings settings;
    private final RuntimeApi api;
    private final EventSink events;

    public CertificateFiles(HaproxySettings settings, RuntimeApi api, EventSink events) {
        this.settings = settings;
        this.api = api;
        this.events = events;
    }

    /**
     * Writes {@code name}'s file and swaps it in the running worker when that serves it.
     *
     * @return whether the worker serves the new one now (false: no frontend of the worker used it)
     * @throws RuntimeApiException when the worker serves it and refuses the new one; the old file is put back
     */
    public boolean replace(String name, String pem) {
        Path file = CrtLists.certificateFile(settings, name);
        String before = read(file);
        write(file, pem);
        boolean loaded;
        try {
            loaded = api.execute("show ssl cert").lines().anyMatch(l -> l.strip().equals(file.toString()));
        } catch (RuntimeApiException e) {
            loaded = false; // no worker answers: the next one loads the file
        }
        if (!loaded) {
            events.emit(Verb.CERTIFICATE_CHANGED, "certificate/" + name, "stored in " + file);
            return false;
        }
        String set = api.execute("set ssl cert " + file, pem).strip();
        String commit = set.startsWith("Transaction") ? api.execute("commit ssl cert " + file).strip() : "";
        if (!commit.contains("Success")) {
            try {
                api.execute("abort ssl cert " + file);
            } catch (RuntimeApiException ignored) {
                // nothing was committed either way
            }
            if (before == null) {
                delete(name);
            } else {
                write(file, before);
            }
            throw new RuntimeApiException("HAProxy refused the new certificate " + name + ": "
                    + (commit.isEmpty() ? set : commit).replace('\n', ' '));
        }
        events.emit(Verb.CERTIFICATE_CHANGED, "certificate/" + name, "replaced at run time in worker " + workerPid()
                + " (set ssl cert, commit ssl cert), no reload");
        return true;
    }

    /** Deletes {@code name}'s file (a worker that loaded it keeps it until it is replaced). */
    public void delete(String name) {
        Path file = CrtLists.certificateFile(settings, name);
        try {
            if (Files.deleteIfExists(file)) {
                events.emit(Verb.CERTIFICATE_CHANGED, "certificate/" + name, "deleted " + file);
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    private String workerPid() {
        try {
            return Long.toString(HaproxyProcess.infoPid(api.execute("show info")));
        } catch (RuntimeApiException e) {
            return "?";
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.US_ASCII) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Writes {@code text} to {@code file} atomically, mode 600 from its first byte. */
    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, text, StandardCharsets.US_ASCII);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
