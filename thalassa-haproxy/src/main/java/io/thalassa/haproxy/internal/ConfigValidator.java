package io.thalassa.haproxy.internal;

import io.thalassa.Bind;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.ControllerStatus.FileDescriptorBudget;
import io.thalassa.haproxy.HaproxySettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Everything a configuration is checked for before it is accepted, so that HAProxy does not refuse it later: the
 * file descriptors it needs against the limit of the HAProxy process ({@link FileDescriptors}, which
 * {@code haproxy -c} does not check), new listen addresses against ports other processes hold (which
 * {@code haproxy -c} does not check either), and {@code haproxy -c} itself. Each refusal is reported to the
 * {@code rejected} callback (the controller's {@code configRejected} event) and thrown.
 */
public final class ConfigValidator {
    private final String binary;
    private final List<String> sudo;
    private final Path configFile;
    private final HaproxySettings settings;
    private final int threads;
    private final Consumer<String> rejected;

    public ConfigValidator(String binary, List<String> sudo, Path configFile, HaproxySettings settings, int threads,
            Consumer<String> rejected) {
        this.binary = binary;
        this.sudo = List.copyOf(sudo);
        this.configFile = configFile;
        this.settings = settings;
        this.threads = threads;
        this.rejected = rejected;
    }

    /** What {@code config} with {@code servers} checked server slots needs, against {@code limit}. */
    public FileDescriptorBudget budget(ThalassaConfig config, long servers, long limit) {
        return FileDescriptors.budget(settings.globalMaxconn(), threads, listenAddresses(config).size()
                + (settings.statsListener() == null ? 0 : 1), 1, servers, limit);
    }

    /** @throws CapacityExceededException when it does not fit */
    public void checkCapacity(ThalassaConfig config, long servers, long limit) {
        FileDescriptorBudget budget = budget(config, servers, limit);
        if (!budget.fits()) {
            CapacityExceededException e = new CapacityExceededException(budget.needed(), budget.available(),
                    budget.detail());
            rejected.accept(e.getMessage());
            throw e;
        }
    }

    /** Every {@code host:port} the frontends listen on. */
    public static Set<String> listenAddresses(ThalassaConfig config) {
        Set<String> out = new HashSet<>();
        for (Frontend f : config.frontends().values()) {
            for (Bind b : f.listeners()) {
                out.add(b.toString());
            }
        }
        return out;
    }

    /**
     * New listen addresses (not held by the running worker) must be free, as HAProxy could not bind them. Not checked
     * when what the worker holds is unknown ({@code running} null: an adoption without the fingerprint file).
     *
     * @throws ConfigRejectedException naming the frontend and the address another process holds
     */
    public void checkBindsFree(ThalassaConfig config, Set<String> running) {
        Bind stats = settings.statsListener();
        for (Frontend f : config.frontends().values()) { // HAProxy would share the port with SO_REUSEPORT: refuse
            for (Bind b : f.listeners()) {
                if (stats != null && b.overlaps(stats)) {
                    ConfigRejectedException refused = new ConfigRejectedException("frontend " + f.key() + ": "
                            + b + " overlaps HAProxy's stats listener " + stats, 0);
                    rejected.accept(refused.haproxyMessage());
                    throw refused;
                }
            }
        }
        if (running == null) {
            return;
        }
        for (Frontend f : config.frontends().values()) {
            for (Bind b : f.listeners()) {
                if (!running.contains(b.toString())) {
                    probe(b, "frontend " + f.key());
                }
            }
        }
    }

    /**
     * The stats listener must be free before HAProxy is started: HAProxy binds with {@code noreuseport} (on by
     * default) and would fail with a less clear message, or without it share the port with another HAProxy.
     *
     * @throws ConfigRejectedException naming the address another process holds
     */
    public void checkStatsListenerFree() {
        if (settings.statsListener() != null) {
            probe(settings.statsListener(), "stats listener");
        }
    }

    /** Binds {@code b} for a moment, as HAProxy would ({@code *}: every IPv4 address; a port in TIME_WAIT is free). */
    private void probe(Bind b, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(b.host().equals(Bind.ANY) ? "0.0.0.0" : b.host()),
                    b.port()));
        } catch (IOException e) {
            ConfigRejectedException refused = new ConfigRejectedException(what + ": cannot bind " + b + ": "
                    + e.getMessage() + " (another process listens there)", 0);
            rejected.accept(refused.haproxyMessage());
            throw refused;
        }
    }

    /** How long a text HAProxy accepted is taken as accepted again without asking it. */
    static final Duration REMEMBERED = Duration.ofSeconds(10);
    private String lastAccepted; // SHA-256 of the text HAProxy accepted last
    private long lastAcceptedAt;

    /**
     * {@code haproxy -c} on {@code text}, in a temporary file beside the config file. The same text as the one
     * accepted last, within {@link #REMEMBERED}, is not checked again (a fleet node checks a change before it writes it
     * to the store, then applies it).
     *
     * @throws ConfigRejectedException with HAProxy's message and line
     */
    public void check(String text) {
        String digest = sha256(text);
        synchronized (this) {
            if (digest.equals(lastAccepted) && System.nanoTime() - lastAcceptedAt < REMEMBERED.toNanos()) {
                return;
            }
        }
        checkNow(text);
        synchronized (this) {
            lastAccepted = digest;
            lastAcceptedAt = System.nanoTime();
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void checkNow(String text) {
        Path tmp = null;
        try {
            Files.createDirectories(configFile.getParent());
            tmp = Files.createTempFile(configFile.getParent(), "." + configFile.getFileName() + ".check.", ".cfg");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Processes.Outcome out = Processes.run(Processes.prefixed(sudo, binary, "-c", "-f", tmp.toString()),
                    Duration.ofSeconds(60));
            if (out.exitCode() != 0) {
                ConfigRejectedException refused = ConfigCheck.rejected(out.output().replace(tmp.toString(),
                        configFile.getFileName().toString()));
                rejected.accept(refused.haproxyMessage());
                throw refused;
            }
        } catch (IOException e) {
            throw new ThalassaException("cannot run " + binary + " -c: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThalassaException("interrupted while checking the configuration", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
