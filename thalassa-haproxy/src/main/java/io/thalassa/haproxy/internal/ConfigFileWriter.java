package io.thalassa.haproxy.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps haproxy.cfg up to date off the membership path: a change marks the file stale, and one write, rendered from
 * a snapshot outside the controller's lock, follows within the delay for any number of changes. The delay grows with
 * what a write costs (100 times the last rendering, at most 10 s), so writing the file takes at most about 1 % of a
 * core however large the configuration: 1 s up to about 10,000 servers, 2 s at 15,000. Before a reload or a restart
 * the controller writes it at once ({@link #writeNow}). A write never replaces a newer one.
 */
public final class ConfigFileWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWriter.class);

    /** What to write: a version and the rendering of an immutable snapshot taken under the controller's lock. */
    public record Job(long version, Supplier<String> text) {
    }

    private final Path file;
    private final ScheduledExecutorService scheduler;
    private final Duration delay;
    private final Supplier<Job> snapshot;
    private final Object writeLock = new Object();
    private static final long MAX_DELAY_MS = 10_000;
    private boolean scheduled; // guarded by this
    private volatile long renderMillis;
    private long writtenVersion = -1; // guarded by writeLock
    private String writtenText = ""; // guarded by writeLock

    /** @param snapshot takes the controller's lock briefly and returns what to render */
    public ConfigFileWriter(Path file, ScheduledExecutorService scheduler, Duration delay, Supplier<Job> snapshot) {
        this.file = file;
        this.scheduler = scheduler;
        this.delay = delay;
        this.snapshot = snapshot;
    }

    /** The file is stale: write it within the delay. */
    public synchronized void stale() {
        if (scheduled) {
            return;
        }
        scheduled = true;
        long wait = Math.min(MAX_DELAY_MS, Math.max(delay.toMillis(), 100 * renderMillis));
        scheduler.schedule(() -> {
            synchronized (this) {
                scheduled = false;
            }
            try {
                Job job = snapshot.get();
                long t0 = System.nanoTime();
                String text = job.text().get();
                renderMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                write(job.version(), text);
            } catch (IOException | RuntimeException e) {
                LOG.warn("haproxy - cannot write {}: {}", file, e.toString());
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    /** Writes {@code text} as version {@code version} now, unless a newer version is written already. */
    public void writeNow(long version, String text) throws IOException {
        write(version, text);
    }

    private void write(long version, String text) throws IOException {
        synchronized (writeLock) {
            if (version <= writtenVersion) {
                return;
            }
            if (!text.equals(writtenText)) {
                Processes.writeAtomically(file, text);
            }
            writtenVersion = version;
            writtenText = text;
        }
    }

    /** The version on disk now. */
    public long writtenVersion() {
        synchronized (writeLock) {
            return writtenVersion;
        }
    }

    /** The text on disk now. */
    public String writtenText() {
        synchronized (writeLock) {
            return writtenText;
        }
    }

    /** Records what is on disk already (an adopted HAProxy's file), without writing. */
    public void adopt(String text) {
        synchronized (writeLock) {
            writtenText = text;
        }
    }
}
