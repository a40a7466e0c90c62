package io.thalassa.runtime;

import io.thalassa.ThalassaEvent;
import io.thalassa.internal.JsonText;
import io.thalassa.runtime.internal.Documents;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activity feed: every event of the stack with an increasing id, newest first, the last {@code retention} kept.
 *
 * <p>With a directory it survives restarts: each event is appended as one JSON line to {@code activity.jsonl} (flushed
 * to the operating system at once), and when the file holds twice the retention it is rewritten with the newest
 * {@code retention} events (temporary file, then an atomic move). At start the file is read back; a line that cannot
 * be parsed (a torn last write) is skipped with a warning.
 */
public final class ActivityLog implements ThalassaEvent.Listener, AutoCloseable {
    /** The default number of events kept. */
    public static final int DEFAULT_RETENTION = 10_000;
    /** The file inside the directory. */
    public static final String FILE_NAME = "activity.jsonl";

    private static final Logger LOG = LoggerFactory.getLogger(ActivityLog.class);

    /**
     * One recorded event.
     *
     * @param id     increasing, unique within this log; the paging cursor
     * @param time   when it happened
     * @param verb   the verb's wire name, e.g. {@code online}
     * @param object what it happened to
     * @param detail one sentence, may be empty
     */
    public record Entry(long id, Instant time, String verb, String object, String detail) {
        /** The JSON shape of the feed: {@code {id, time (ISO-8601), verb, object, detail}}. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("time", time.toString());
            m.put("verb", verb);
            m.put("object", object);
            m.put("detail", detail);
            return m;
        }
    }

    /**
     * What to list.
     *
     * @param limit  at most this many entries, 1..1000
     * @param before only entries with an id below this, or null for the newest
     * @param verbs  only these verbs (wire names); empty for all
     * @param object only entries whose object contains this text, or null for all
     */
    public record Query(int limit, Long before, Set<String> verbs, String object) {
        public Query {
            if (limit < 1 || limit > 1000) {
                throw new IllegalArgumentException("limit must be in 1..1000: " + limit);
            }
            verbs = Set.copyOf(verbs);
        }
    }

    /**
     * One page of the feed, newest first.
     *
     * @param entries    the entries
     * @param nextBefore the {@code before} of the next page, or null when this is the last
     */
    public record Page(List<Entry> entries, Long nextBefore) {
        public Page {
            entries = List.copyOf(entries);
        }
    }

    private final Path file;
    private final int retention;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
    private BufferedWriter writer;
    private long nextId = 1;
    private long linesInFile;
    private boolean closed;

    private ActivityLog(Path file, int retention) {
        if (retention < 1) {
            throw new IllegalArgumentException("activity retention must be at least 1: " + retention);
        }
        this.file = file;
        this.retention = retention;
    }

    /** A log kept in memory only. */
    public static ActivityLog inMemory(int retention) {
        return new ActivityLog(null, retention);
    }

    /**
     * Opens (or creates) the log kept in {@code directory}, reading back what it holds.
     *
     * @throws IOException when the directory or file cannot be created, read or written
     */
    public static ActivityLog open(Path directory, int retention) throws IOException {
        Files.createDirectories(directory);
        ActivityLog log = new ActivityLog(directory.resolve(FILE_NAME), retention);
        log.load();
        return log;
    }

    private static String required(Map<String, Object> n, String field) {
        String s = JsonText.text(n.get(field));
        if (s == null) {
            throw new IllegalArgumentException("no " + field);
        }
        return s;
    }

    private void load() throws IOException {
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            int skipped = 0;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, Object> n = JsonText.object(JsonText.parse(line));
                    String detail = JsonText.text(n.get("detail"));
                    Entry e = new Entry(JsonText.number(n.get("id")), Instant.parse(JsonText.text(n.get("time"))),
                            required(n, "verb"), required(n, "object"), detail == null ? "" : detail);
                    add(e);
                    nextId = Math.max(nextId, e.id() + 1);
                } catch (RuntimeException ex) { // JSON or values this version cannot read
                    skipped++;
                }
            }
            if (skipped > 0) {
                LOG.warn("{} - skipped {} unreadable line(s)", file, skipped);
            }
            linesInFile = lines.size();
            if (linesInFile > 2L * retention || skipped > 0) {
                compact();
            }
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private void add(Entry e) {
        entries.addFirst(e);
        while (entries.size() > retention) {
            entries.removeLast();
        }
    }

    /** The file the log is kept in, or null for an in-memory log. */
    public Path file() {
        return file;
    }

    public int retention() {
        return retention;
    }

    /** Records the event; see {@link #record}. */
    @Override
    public void onEvent(ThalassaEvent event) {
        record(event);
    }

    /**
     * Records an event and tells the listeners. A failed write to the file is logged, the entry is kept in memory.
     *
     * @return the entry, with its id
     */
    public Entry record(ThalassaEvent event) {
        Entry entry;
        synchronized (this) {
            entry = new Entry(nextId++, event.time(), event.verb().wireName(), event.object(), event.detail());
            add(entry);
            if (file != null && !closed) {
                try {
                    writer.write(new String(Documents.write(entry.toJson()), StandardCharsets.UTF_8));
                    writer.write('\n');
                    writer.flush();
                    linesInFile++;
                    if (linesInFile > 2L * retention) {
                        compact();
                    }
                } catch (IOException | UncheckedIOException e) {
                    LOG.warn("{} - cannot write activity event {}: {}", file, entry.id(), e.toString());
                }
            }
        }
        for (Consumer<Entry> l : listeners) {
            try {
                l.accept(entry);
            } catch (RuntimeException e) {
                LOG.warn("activity - listener failed on event {}: {}", entry.id(), e.toString());
            }
        }
        return entry;
    }

    /** Rewrites the file with the entries in memory, oldest first: temporary file, then an atomic move. */
    private void compact() throws IOException {
        if (writer != null) {
            writer.close();
        }
        Path tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                Iterator<Entry> oldestFirst = entries.descendingIterator();
                while (oldestFirst.hasNext()) {
                    w.write(new String(Documents.write(oldestFirst.next().toJson()), StandardCharsets.UTF_8));
                    w.write('\n');
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        linesInFile = entries.size();
        if (writer != null) {
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }

    /** Lists entries newest first. */
    public synchronized Page page(Query query) {
        List<Entry> out = new ArrayList<>();
        Long next = null;
        for (Entry e : entries) {
            if (query.before() != null && e.id() >= query.before()) {
                continue;
            }
            if (!query.verbs().isEmpty() && !query.verbs().contains(e.verb())) {
                continue;
            }
            if (query.object() != null && !e.object().contains(query.object())) {
                continue;
            }
            if (out.size() == query.limit()) {
                next = out.get(out.size() - 1).id();
                break;
            }
            out.add(e);
        }
        return new Page(out, next);
    }

    /** How many entries are kept now. */
    public synchronized int size() {
        return entries.size();
    }

    /** Calls {@code listener} with every entry recorded from now on, after it is stored. */
    public void addListener(Consumer<Entry> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<Entry> listener) {
        listeners.remove(listener);
    }

    /** Closes the file; later events are kept in memory only. Safe to call twice. */
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
