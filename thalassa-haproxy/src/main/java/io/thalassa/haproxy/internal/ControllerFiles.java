package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.HaproxySettings;
import java.nio.file.Path;

/**
 * The files a controller keeps beside its configuration file {@code <name>}: {@code <name>.master.sock} (the master
 * CLI), {@code .pid}, {@code .log} (what HAProxy's master says), {@code .fingerprints} (what the worker runs, for a
 * later controller that adopts it), {@code .state} (server states across reloads), {@code .peers.sock} (the local
 * peer that hands stick tables on) and {@code .certificates/} (TLS certificates and crt-lists), each unless the
 * settings name one. Immutable.
 *
 * @param configFile   the configuration file, absolute
 * @param masterSocket the master CLI socket
 */
public record ControllerFiles(Path configFile, Path masterSocket) {
    /** The files of {@code configFile}, the master socket {@code masterSocket} or, when null, the default one. */
    public static ControllerFiles of(Path configFile, Path masterSocket) {
        Path cfg = configFile.toAbsolutePath();
        return new ControllerFiles(cfg, masterSocket != null ? masterSocket.toAbsolutePath() : sibling(cfg,
                ".master.sock"));
    }

    /** {@code <configFile><suffix>}. */
    public Path sibling(String suffix) {
        return sibling(configFile, suffix);
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    public Path log() {
        return sibling(".log");
    }

    public Path fingerprints() {
        return sibling(".fingerprints");
    }

    /**
     * {@code given} as the controller runs it: master-worker in the foreground (of its own session, so its output goes
     * to the log the controller reads), and a pid file, server-state file and peers socket beside the configuration
     * where the settings leave them out (the state file only while {@link HaproxySettings#keepServerState()}).
     */
    public HaproxySettings settings(HaproxySettings given) {
        HaproxySettings.Builder b = given.toBuilder().masterWorker(true).daemon(false);
        if (given.pidFile() == null) {
            b.pidFile(sibling(".pid"));
        }
        if (given.peersSocket() == null && given.peersListener() == null) { // stick tables survive reloads
            b.peersSocket(sibling(".peers.sock"));
        }
        if (given.serverStateFile() == null && given.keepServerState()) { // so do members' states
            b.serverStateFile(sibling(".state"));
        }
        if (given.certificateDir() == null) {
            b.certificateDir(sibling(".certificates"));
        }
        return b.build();
    }
}
