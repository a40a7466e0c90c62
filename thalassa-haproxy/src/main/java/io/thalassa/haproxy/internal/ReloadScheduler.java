package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaConfig;
import io.thalassa.Bind;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.RenderedConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reloads: coalesces the changes that need one within the reload window, and owns the last good configuration,
 * what the worker runs: its structure, section fingerprints, slots per backend and listen addresses (written beside
 * the config file, so a later controller that adopts the worker knows them), and the structure HAProxy refused, while
 * it does not run. Not thread-safe: the controller calls it under its lock; the window's task calls {@code fire}, which
 * takes that lock.
 */
public final class ReloadScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadScheduler.class);

    /** The changes one reload carries. */
    public record Batch(List<Long> ids, CompletableFuture<Void> result, int coalesced) {
    }

    private final ScheduledExecutorService scheduler;
    private final Duration window;
    private final Runnable fire;
    private final Path fingerprintFile;

    private ScheduledFuture<?> pending;
    private CompletableFuture<Void> result;
    private final List<Long> ids = new ArrayList<>();
    private int coalesced;

    private ThalassaConfig running; // null after an adoption until the controller knows what runs
    private Map<String, String> fingerprints = Map.of();
    private Map<String, Integer> capacity = Map.of();
    private Set<String> listen; // null when unknown
    private Map<String, String> refusedFingerprints;
    private ChangeStatus refused;
    private long reloads;
    private long failedReloads;

    /** @param fire runs the reload: takes the controller's lock and calls {@link #take} */
    public ReloadScheduler(ScheduledExecutorService scheduler, Duration window, Runnable fire, Path fingerprintFile) {
        this.scheduler = scheduler;
        this.window = window;
        this.fire = fire;
        this.fingerprintFile = fingerprintFile;
    }

    // ---------------------------------------------------------------- coalescing

    /** Schedules a reload for change {@code id}, or adds it to the one scheduled; completes when it is done. */
    public CompletableFuture<Void> schedule(long id) {
        ids.add(id);
        if (pending != null) {
            coalesced++;
            return result;
        }
        result = new CompletableFuture<>();
        coalesced = 0;
        pending = scheduler.schedule(fire, window.toMillis(), TimeUnit.MILLISECONDS);
        return result;
    }

    /** Whether a reload is scheduled and has not started. */
    public boolean isPending() {
        return pending != null;
    }

    /** The scheduled reload's outcome, or null when none is scheduled. */
    public CompletableFuture<Void> pendingResult() {
        return result;
    }

    /** A change that completes with the scheduled reload. */
    public void attach(long id) {
        ids.add(id);
    }

    /** Takes the scheduled reload's changes (the window is over, or it runs now), or null when there is none. */
    public Batch take() {
        if (pending == null) {
            return null;
        }
        pending.cancel(false);
        Batch b = new Batch(List.copyOf(ids), result, coalesced);
        pending = null;
        result = null;
        ids.clear();
        return b;
    }

    // ---------------------------------------------------------------- what runs

    /**
     * The worker runs {@code config} as rendered with these fingerprints, slot counts and listen addresses (after a
     * start, a reload or a restart); a refusal of the same structure is forgotten.
     */
    public void ran(ThalassaConfig config, Map<String, String> fingerprints, Map<String, Integer> capacity,
            Set<String> listen) {
        this.running = config;
        this.fingerprints = new HashMap<>(fingerprints);
        this.capacity = new HashMap<>(capacity);
        this.listen = Set.copyOf(listen);
        this.refused = null;
        this.refusedFingerprints = null;
        write();
    }

    /** A backend of the worker grew with {@code add server}: its slots and its section's fingerprint now. */
    public void grew(String backend, int slots, String fingerprint) {
        capacity.put(backend, slots);
        fingerprints.put(RenderedConfig.backendSection(backend), fingerprint);
        write();
    }

    /** HAProxy refused to reload with this structure; the change that carried it. */
    public void refused(Map<String, String> fingerprints, ChangeStatus change) {
        failedReloads++;
        refusedFingerprints = Map.copyOf(fingerprints);
        refused = change;
    }

    /** The worker runs what was accepted again (a change took the refused part away). */
    public void clearRefusal() {
        refused = null;
        refusedFingerprints = null;
    }

    /** A reload went through. */
    public void done() {
        reloads++;
    }

    /** The fingerprints of the structure HAProxy refused, while it does not run; else null. */
    public Map<String, String> refusedFingerprints() {
        return refusedFingerprints;
    }

    public ThalassaConfig running() {
        return running;
    }

    public Map<String, String> fingerprints() {
        return fingerprints;
    }

    /** Slots per backend the worker has; a backend it does not have is absent. */
    public Map<String, Integer> capacity() {
        return capacity;
    }

    /** The addresses the worker listens on, or null when unknown. */
    public Set<String> listen() {
        return listen;
    }

    /** The change whose reload HAProxy refused, while it does not run; else null. */
    public ChangeStatus refusedChange() {
        return refused;
    }

    public long reloads() {
        return reloads;
    }

    public long failedReloads() {
        return failedReloads;
    }

    // ---------------------------------------------------------------- the fingerprint file

    /** What an adopted worker runs, as the controller before wrote it: fingerprints, slots from HAProxy itself. */
    public void adopted(Map<String, Integer> slots) {
        Map<String, String> fps = new LinkedHashMap<>();
        Set<String> addresses = null;
        try {
            if (Files.exists(fingerprintFile)) {
                addresses = new HashSet<>();
                for (String line : Files.readAllLines(fingerprintFile, StandardCharsets.UTF_8)) {
                    int space = line.indexOf(' ');
                    if (line.startsWith("listen ")) {
                        addresses.add(listenAddress(line.substring(7)));
                    } else if (space > 0) {
                        fps.put(line.substring(space + 1), line.substring(0, space));
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("haproxy - cannot read {}: {}; the first change reloads", fingerprintFile, e.getMessage());
        }
        running = null;
        fingerprints = fps;
        capacity = new HashMap<>(slots);
        listen = addresses;
    }

    /** An address as {@link Bind} writes it now; an earlier version wrote an IPv6 one without brackets. */
    private static String listenAddress(String written) {
        try {
            return Bind.parse(written).toString();
        } catch (IllegalArgumentException e) {
            return written;
        }
    }

    private void write() {
        StringBuilder sb = new StringBuilder();
        fingerprints.forEach((section, fp) -> sb.append(fp).append(' ').append(section).append('\n'));
        for (String address : new TreeSet<>(listen)) {
            sb.append("listen ").append(address).append('\n');
        }
        try {
            Processes.writeAtomically(fingerprintFile, sb.toString());
        } catch (IOException e) {
            LOG.warn("haproxy - cannot write {}: {}", fingerprintFile, e.getMessage());
        }
    }
}
