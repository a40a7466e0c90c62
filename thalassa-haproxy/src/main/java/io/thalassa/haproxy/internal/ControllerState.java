package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RenderedConfig;
import io.thalassa.haproxy.ServerLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the controller accepted, and the file that holds it: the desired configuration, its slot tables and section
 * fingerprints, the rendering the next reload writes, and the version of the file. Guarded by the controller's lock,
 * but for {@link #desired()}, which may be read without it (to resolve endpoints before taking it). A slot table in
 * the map is never changed (plans are made on copies and swapped in), so a snapshot of the map renders outside the
 * lock.
 */
public final class ControllerState {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerState.class);

    private final HaproxyConfigRenderer renderer;
    private final HaproxySettings settings;
    private final ConfigFileWriter file;
    private final ReloadScheduler reloads;
    private final Path configFile;

    private volatile ThalassaConfig desired = ThalassaConfig.empty();
    private final Map<String, SlotTable> slots = new HashMap<>();
    private final Map<String, String> fingerprints = new HashMap<>();
    private long totalSlots;
    private long version; // of what the file should hold
    private RenderedConfig accepted; // the rendering of the last structural change, for its reload
    private long acceptedVersion;
    private String adoptedText; // the file an adopted HAProxy runs, until the controller knows its structure
    private boolean fullCheckNext; // after an adoption: the first change is compared section by section

    public ControllerState(HaproxyConfigRenderer renderer, HaproxySettings settings, ConfigFileWriter file,
            ReloadScheduler reloads, Path configFile) {
        this.renderer = renderer;
        this.settings = settings;
        this.file = file;
        this.reloads = reloads;
        this.configFile = configFile;
    }

    /** The configuration accepted last (may be read without the lock). */
    public ThalassaConfig desired() {
        return desired;
    }

    public void desired(ThalassaConfig config) {
        this.desired = config;
    }

    /** The slot tables by backend: swap tables in, never change one. */
    public Map<String, SlotTable> slots() {
        return slots;
    }

    /** The section fingerprints of the accepted configuration. */
    public Map<String, String> fingerprints() {
        return fingerprints;
    }

    public long totalSlots() {
        return totalSlots;
    }

    public void totalSlots(long n) {
        this.totalSlots = n;
    }

    /** The version the file should hold. */
    public long version() {
        return version;
    }

    /** A new version of the file's content. */
    public long nextVersion() {
        return ++version;
    }

    /** A structural change rendered this, as the current version: its reload writes it unless something changed. */
    public void accept(RenderedConfig rendered) {
        accepted = rendered;
        acceptedVersion = version;
    }

    /** The accepted rendering when nothing changed since (and {@code usable}), else null; forgotten either way. */
    public RenderedConfig takeAccepted(boolean usable) {
        RenderedConfig r = usable && accepted != null && acceptedVersion == version ? accepted : null;
        accepted = null;
        return r;
    }

    public String adoptedText() {
        return adoptedText;
    }

    public void adoptedText(String text) {
        this.adoptedText = text;
    }

    public boolean fullCheckNext() {
        return fullCheckNext;
    }

    public void fullCheckNext(boolean on) {
        this.fullCheckNext = on;
    }

    /**
     * A running HAProxy was adopted: the file it runs, its slots as HAProxy reports them, and the fingerprints the
     * previous controller wrote; the first change is compared section by section.
     */
    public void adopted(String text, Map<String, SlotTable> tables) {
        adoptedText = text;
        slots.putAll(tables);
        Map<String, Integer> capacity = new HashMap<>();
        slots.forEach((k, t) -> capacity.put(k, t.capacity()));
        reloads.adopted(capacity);
        totalSlots = slotCount(slots);
        fingerprints.putAll(reloads.fingerprints()); // what was accepted is unknown until apply
        fullCheckNext = true;
    }

    /** What the next change is planned against. */
    public ChangePlanner.Basis basis() {
        return new ChangePlanner.Basis(desired, slots, fingerprints, fullCheckNext, reloads.fingerprints(),
                reloads.refusedFingerprints());
    }

    /** The worker runs {@code config} as rendered: what runs is recorded, tables of other backends dropped. */
    public void markRunning(ThalassaConfig config, RenderedConfig rendered) {
        adoptedText = null;
        Map<String, Integer> capacity = new HashMap<>();
        for (String k : config.backends().keySet()) {
            SlotTable t = slots.get(k);
            capacity.put(k, t == null ? 0 : t.capacity());
        }
        reloads.ran(config, rendered.fingerprints(), capacity, ConfigValidator.listenAddresses(config));
        slots.keySet().retainAll(config.backends().keySet());
        totalSlots = slotCount(slots);
    }

    /** Frees every draining slot (a reload or restart hands in-flight requests to the old worker). */
    public Map<String, List<String>> releaseDrains(RuntimeApplier runtime) {
        runtime.forgetAll();
        return SlotPlanner.releaseDrains(slots);
    }

    // ---------------------------------------------------------------- the file

    /**
     * What the file holds, as a snapshot to render outside the lock: the accepted configuration, or, while HAProxy
     * refuses it, what the worker runs.
     */
    public ConfigFileWriter.Job fileJob() {
        long v = version;
        Map<String, SlotTable> tables = new HashMap<>(slots);
        if (reloads.refusedChange() != null && reloads.running() != null) {
            ThalassaConfig config = reloads.running();
            Map<String, Integer> capacity = new HashMap<>(reloads.capacity());
            return new ConfigFileWriter.Job(v, () -> renderer.render(config, settings, layout(tables, capacity))
                    .text());
        }
        if (reloads.refusedChange() != null && adoptedText != null) {
            String text = adoptedText;
            return new ConfigFileWriter.Job(v, () -> text);
        }
        ThalassaConfig config = desired;
        return new ConfigFileWriter.Job(v, () -> renderer.render(config, settings, layout(tables, null)).text());
    }

    /** Writes the file now (a failure is logged). */
    public void writeFileNow() {
        ConfigFileWriter.Job job = fileJob();
        try {
            file.writeNow(job.version(), job.text().get());
        } catch (IOException e) {
            LOG.warn("haproxy - cannot write {}: {}", configFile, e.getMessage());
        }
    }

    /** Writes the file now if it is older than what it should hold. */
    public void bringFileUpToDate() {
        if (file.writtenVersion() < version) {
            writeFileNow();
        }
    }

    /** Server lines from the tables; {@code capacities} (may be null) cuts each backend to what a worker has. */
    public static ServerLayout layout(Map<String, SlotTable> tables, Map<String, Integer> capacities) {
        return backend -> {
            SlotTable t = tables.get(backend.key());
            if (t == null) {
                return List.of();
            }
            return capacities == null ? t.lines() : t.lines(capacities.getOrDefault(backend.key(), 0));
        };
    }

    /** The server lines of every backend of {@code config} as {@code layout} renders them, by backend key. */
    public static Map<String, List<io.thalassa.haproxy.ServerLine>> serverLines(ThalassaConfig config,
            ServerLayout layout) {
        Map<String, List<io.thalassa.haproxy.ServerLine>> out = new HashMap<>();
        for (io.thalassa.Backend b : config.backends().values()) {
            out.put(b.key(), layout.servers(b));
        }
        return out;
    }

    public static long slotCount(Map<String, SlotTable> tables) {
        long n = 0;
        for (SlotTable t : tables.values()) {
            n += t.capacity();
        }
        return n;
    }
}
