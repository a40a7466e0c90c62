package io.thalassa.runtime.internal;

import io.thalassa.internal.JsonText;
import io.thalassa.runtime.Revision;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history of the stored frontends and backends: every accepted change as a numbered {@link Revision}, the last
 * {@code size} kept, and the version of every stored item (the number of the revision that last wrote it), which is
 * what an ETag names.
 *
 * <p>Kept in {@code history.jsonl}: a first line with the items right after the oldest revision one can go back to
 * (the base), then one line per revision with the items it changed, before and after. A revision is appended (and
 * flushed) when it is recorded; when the file holds twice the revisions kept, it is rewritten with the base moved
 * forward (a temporary file, then an atomic move). A torn last line is skipped at the next start. Thread-safe.
 */
public final class Revisions implements AutoCloseable {
    /** The file inside the state directory. */
    public static final String FILE_NAME = "history.jsonl";
    /** Revisions kept by default. */
    public static final int DEFAULT_SIZE = 200;
    private static final Logger LOG = LoggerFactory.getLogger(Revisions.class);

    /** An item as stored now: its document and version. */
    public record Stored(String json, long version) {
    }

    private final Path file; // null: memory only
    private final int size;
    private long baseNumber;
    private Map<String, Stored> base = Map.of();
    private final ArrayDeque<Revision> kept = new ArrayDeque<>(); // oldest first
    private volatile Map<String, Stored> current = Map.of(); // unmodifiable, replaced on every revision
    private volatile long latest;
    private BufferedWriter writer;
    private long linesInFile;
    private boolean closed;

    private Revisions(Path file, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("history size must be at least 1: " + size);
        }
        this.file = file;
        this.size = size;
    }

    /** A history kept in memory only. */
    public static Revisions inMemory(int size) {
        return new Revisions(null, size);
    }

    /**
     * Opens (or creates) the history kept in {@code directory}, reading back what it holds.
     *
     * @throws UncheckedIOException when the directory or the file cannot be created, read or written
     */
    public static Revisions open(Path directory, int size) {
        try {
            Files.createDirectories(directory);
            Revisions r = new Revisions(directory.resolve(FILE_NAME), size);
            r.load();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the history in " + directory + ": " + e.getMessage(), e);
        }
    }

    private void load() throws IOException {
        if (Files.exists(file)) {
            int skipped = 0;
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            Map<String, Stored> items = new TreeMap<>();
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, Object> n = JsonText.object(JsonText.parse(line));
                    if (n.containsKey("base")) {
                        baseNumber = JsonText.number(n.get("base"));
                        items.clear();
                        Object stored = n.get("items");
                        if (stored != null) {
                            JsonText.object(stored).forEach((id, v) -> {
                                Map<String, Object> item = JsonText.object(v);
                                String json = JsonText.text(item.get("json"));
                                if (json == null) {
                                    throw new IllegalArgumentException("item " + id + " without its json");
                                }
                                items.put(id, new Stored(json, JsonText.number(item.get("version"))));
                            });
                        }
                        base = Map.copyOf(items);
                        kept.clear();
                        latest = baseNumber;
                    } else {
                        Revision r = read(n);
                        if (r.number() <= latest) {
                            continue;
                        }
                        applyTo(items, r);
                        kept.addLast(r);
                        latest = r.number();
                    }
                } catch (RuntimeException e) { // JSON or values this version cannot read
                    skipped++;
                }
            }
            current = Collections.unmodifiableMap(new TreeMap<>(items));
            if (skipped > 0) {
                LOG.warn("{} - skipped {} unreadable line(s)", file, skipped);
            }
            linesInFile = lines.size();
            trim();
            if (linesInFile > 2L * size + 1 || skipped > 0) {
                compact();
            }
        } else {
            compact(); // the base line: the history starts here
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static Revision read(Map<String, Object> n) {
        List<Revision.Item> items = new ArrayList<>();
        if (n.get("items") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> i = JsonText.object(o);
                String id = JsonText.text(i.get("id"));
                if (id == null) {
                    throw new IllegalArgumentException("an item without an id");
                }
                items.add(new Revision.Item(id, JsonText.text(i.get("before")), JsonText.text(i.get("after"))));
            }
        }
        String by = n.get("by") instanceof String s ? s : null;
        Object change = n.get("change");
        return new Revision(JsonText.number(n.get("revision")), Instant.parse(JsonText.text(n.get("time"))), by,
                change == null ? 0 : JsonText.number(change), items);
    }

    private static void applyTo(Map<String, Stored> items, Revision r) {
        for (Revision.Item i : r.items()) {
            if (i.after() == null) {
                items.remove(i.id());
            } else {
                items.put(i.id(), new Stored(i.after(), r.number()));
            }
        }
    }

    /**
     * Records the stored items as they are now, when they differ from the last revision's.
     *
     * @param items  every stored item now, by id
     * @param number the revision's number, or 0 for the next one; a number at or below the latest is replaced by the
     *               next one
     * @param by     who wrote it, or null
     * @param change the change of HAProxy's that carries it, or 0
     * @return the revision, or empty when nothing changed
     */
    public synchronized Optional<Revision> record(Map<String, String> items, long number, String by, long change) {
        Map<String, Stored> now = current;
        List<Revision.Item> changed = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>(now.keySet());
        ids.addAll(items.keySet());
        for (String id : ids) {
            Stored before = now.get(id);
            String after = items.get(id);
            String was = before == null ? null : before.json();
            if (!java.util.Objects.equals(was, after)) {
                changed.add(new Revision.Item(id, was, after));
            }
        }
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        long n = number > latest ? number : latest + 1;
        Revision r = new Revision(n, Instant.now(), by, change, changed);
        Map<String, Stored> next = new TreeMap<>(now);
        applyTo(next, r);
        current = Collections.unmodifiableMap(next);
        kept.addLast(r);
        latest = n;
        trim();
        append(r);
        return Optional.of(r);
    }

    /** Folds the revisions beyond {@code size} into the base. */
    private void trim() {
        if (kept.size() <= size) {
            return;
        }
        Map<String, Stored> b = new TreeMap<>(base);
        while (kept.size() > size) {
            Revision oldest = kept.removeFirst();
            applyTo(b, oldest);
            baseNumber = oldest.number();
        }
        base = Map.copyOf(b);
    }

    private void append(Revision r) {
        if (file == null || closed) {
            return;
        }
        try {
            writer.write(Documents.text(json(r)));
            writer.write('\n');
            writer.flush();
            linesInFile++;
            if (linesInFile > 2L * size + 1) {
                compact();
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("{} - cannot write revision {}: {}", file, r.number(), e.toString());
        }
    }

    private static Map<String, Object> json(Revision r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", r.number());
        m.put("time", r.time().toString());
        m.put("by", r.by());
        m.put("change", r.change());
        List<Object> items = new ArrayList<>();
        for (Revision.Item i : r.items()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", i.id());
            one.put("before", i.before());
            one.put("after", i.after());
            items.add(one);
        }
        m.put("items", items);
        return m;
    }

    /** Rewrites the file: the base, then the revisions kept, oldest first; a temporary file moved over it. */
    private void compact() throws IOException {
        if (file == null) {
            return;
        }
        if (writer != null) {
            writer.close();
        }
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                Map<String, Object> head = new LinkedHashMap<>();
                head.put("base", baseNumber);
                Map<String, Object> items = new TreeMap<>();
                base.forEach((id, s) -> items.put(id, Map.of("version", s.version(), "json", s.json())));
                head.put("items", items);
                w.write(Documents.text(head));
                w.write('\n');
                for (Revision r : kept) {
                    w.write(Documents.text(json(r)));
                    w.write('\n');
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        linesInFile = 1 + kept.size();
        if (writer != null) {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /** Every stored item now, with its version; unmodifiable. */
    public Map<String, Stored> current() {
        return current;
    }

    /** The version of item {@code id} now, or 0 when it is not stored. */
    public long version(String id) {
        Stored s = current.get(id);
        return s == null ? 0 : s.version();
    }

    /** The number of the latest revision, or of the base when none is kept. */
    public long latest() {
        return latest;
    }

    /** The oldest revision the stored items can go back to: the one right before the oldest kept. */
    public synchronized long oldest() {
        return baseNumber;
    }

    /** Revisions kept at most. */
    public int size() {
        return size;
    }

    /** At most {@code limit} revisions, newest first, numbered below {@code before} (0: from the newest). */
    public synchronized List<Revision> list(int limit, long before) {
        List<Revision> out = new ArrayList<>();
        Iterator<Revision> newestFirst = kept.descendingIterator();
        while (newestFirst.hasNext() && out.size() < limit) {
            Revision r = newestFirst.next();
            if (before <= 0 || r.number() < before) {
                out.add(r);
            }
        }
        return out;
    }

    /** Revision {@code number}, while it is kept. */
    public synchronized Optional<Revision> get(long number) {
        for (Revision r : kept) {
            if (r.number() == number) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The stored items right after revision {@code number}, by id.
     *
     * @throws NoSuchElementException when {@code number} is older than the history or newer than the latest revision
     */
    public synchronized Map<String, String> itemsAfter(long number) {
        if (number < baseNumber || number > latest) {
            throw new NoSuchElementException("revision " + number + " is not in the history (revisions "
                    + baseNumber + " to " + latest + " can be gone back to)");
        }
        Map<String, Stored> items = new TreeMap<>(base);
        for (Revision r : kept) {
            if (r.number() > number) {
                break;
            }
            applyTo(items, r);
        }
        Map<String, String> out = new TreeMap<>();
        items.forEach((id, s) -> out.put(id, s.json()));
        return out;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.warn("{} - cannot close: {}", file, e.toString());
            }
        }
    }
}
