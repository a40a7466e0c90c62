package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ModelJson;
import io.thalassa.ThalassaConfig;
import io.thalassa.internal.JsonText;
import io.thalassa.runtime.internal.Documents;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configuration kept in one file: every frontend and backend in the REST shapes,
 * {@code {"frontends":[...],"backends":[...]}} (dynamic backends without members, the registry refills them), written
 * atomically (a temporary file, forced to disk, moved over the file) before a change is put in use, and read back at
 * start. {@link Thalassa} keeps its configuration in {@code <workDir>/config.json} by default; the daemon's
 * {@code --persistence} is this file; {@link #inMemory()} keeps nothing.
 *
 * <p>It is also the local {@link io.thalassa.spi.ConfigStore}, the one-node sibling of Consul's: items
 * {@code frontend/<key>} and {@code backend/<key>} with versions that grow with every write of this process
 * (check-and-set), watches told of every change in this process, and node state kept in memory. A document written
 * through {@link #put} must be a valid item in the REST shape, so the file can always be read back.
 *
 * <p>A file that exists but cannot be read or parsed is an error at {@link #load()}, and from then on this store
 * refuses to write, so the file is never overwritten. A temporary file left by a process killed while writing is
 * removed by {@link #load()}.
 */
public final class FileConfigStore implements io.thalassa.spi.ConfigStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileConfigStore.class);
    private static final String TMP = ".tmp";
    private final Path file; // null: in memory
    private boolean unreadable;
    private byte[] lastWritten;
    /** The JSON trees of the items last written, by item (an item is replaced when it changes). */
    private Map<Item, Object> parsed = new java.util.IdentityHashMap<>();
    /** The JSON of the frontends and backends last saved, by the (immutable) object: unchanged ones are not written again. */
    private Map<Object, String> documents = new java.util.IdentityHashMap<>();
    /** The items as stored, by id; null until the file was read. */
    private java.util.TreeMap<String, Item> items;
    private long index;
    private final List<FileWatch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, String> nodes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private java.util.concurrent.ExecutorService notifier;

    private FileConfigStore(Path file) {
        this.file = file == null ? null : file.toAbsolutePath();
    }

    /** The store kept in {@code file}; nothing is read or written yet. */
    public static FileConfigStore at(Path file) {
        return new FileConfigStore(io.thalassa.internal.Checks.notNull("file", file));
    }

    /** A store that keeps the configuration in memory only: it starts empty and is gone with the process. */
    public static FileConfigStore inMemory() {
        return new FileConfigStore(null);
    }

    /** The file, or null for a store {@linkplain #inMemory() in memory}. */
    public Path file() {
        return file;
    }

    /** {@code file <path>}, or {@code memory}. */
    @Override
    public String name() {
        return file == null ? "memory" : "file " + file;
    }

    /**
     * Reads the file.
     *
     * @return the stored configuration, or empty when the file does not exist yet
     * @throws IllegalStateException naming the file and what is wrong with it, when it cannot be read or parsed
     */
    public synchronized Optional<ThalassaConfig> load() {
        if (file == null) {
            return Optional.empty();
        }
        removeLeftovers();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            ThalassaConfig config = parse(bytes);
            items = new java.util.TreeMap<>();
            index = 0;
            Documents.itemsOf(config).forEach((id, json) -> items.put(id, new Item(id, json, ++index)));
            lastWritten = bytes;
            return Optional.of(config);
        } catch (IOException | RuntimeException e) {
            unreadable = true;
            throw new IllegalStateException("persistence file " + file + " cannot be read (" + e.getMessage()
                    + "); fix or move it, it is left untouched", e);
        }
    }

    /**
     * Reads a configuration in this store's format, {@code {"frontends":[...],"backends":[...]}} (either may be left
     * out), each item in its REST shape: what the daemon's {@code --persistence} file and {@code <workDir>/config.json}
     * hold, and what a program may ship to apply at start.
     *
     * @param json the document, UTF-8
     * @return the frontends and backends it holds
     * @throws IllegalArgumentException saying what is wrong, starting with the item at fault and its field (e.g.
     *                                  {@code backends[0]: balance: balance must be one of ...})
     * @throws IllegalStateException    when the items do not go together (two with one key...)
     */
    public static ThalassaConfig parse(byte[] json) {
        io.thalassa.internal.Checks.notNull("json", json);
        Object root;
        try {
            root = JsonText.parse(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(json)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("not JSON: not UTF-8 (" + e + ")", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        return parseTree(root);
    }

    /**
     * Reads a configuration in this store's format from a document already read into a tree of maps, lists, text,
     * numbers and booleans: a YAML document's, say (what {@code thalassa.config-file} of the Spring Boot starter
     * reads). As strict as {@link #parse(byte[])}.
     *
     * @param tree the document
     * @return the frontends and backends it holds
     * @throws IllegalArgumentException as {@link #parse(byte[])}
     * @throws IllegalStateException    when the items do not go together (two with one key...)
     */
    public static ThalassaConfig parseTree(Object tree) {
        if (!(tree instanceof Map<?, ?> doc)) {
            throw new IllegalArgumentException("it must hold a JSON object {\"frontends\":[...],\"backends\":[...]}");
        }
        for (Object name : doc.keySet()) {
            if (!"frontends".equals(name) && !"backends".equals(name)) {
                throw new IllegalArgumentException("unknown field \"" + name + "\"");
            }
        }
        List<Backend> backends = new ArrayList<>();
        List<?> items = array(doc, "backends");
        for (int i = 0; i < items.size(); i++) {
            backends.add(item(items.get(i), "backends[" + i + "]", ModelJson::backend));
        }
        List<Frontend> frontends = new ArrayList<>();
        items = array(doc, "frontends");
        for (int i = 0; i < items.size(); i++) {
            frontends.add(item(items.get(i), "frontends[" + i + "]", ModelJson::frontend));
        }
        return ThalassaConfig.of(frontends, backends);
    }

    /** One item; what is wrong with it starts with its place in the document ({@code backends[2]: ...}). */
    private static <T> T item(Object tree, String at, java.util.function.BiFunction<Object, String, T> reader) {
        try {
            return reader.apply(tree, "");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e);
        }
    }

    /** Removes the temporary files a process killed while writing left beside the file. */
    private void removeLeftovers() {
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        String prefix = file.getFileName().toString();
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix) && name.endsWith(TMP) && !name.equals(prefix)) {
                    Files.deleteIfExists(p);
                    LOG.warn("{} - removed {}, left by a write that did not finish", file, p.getFileName());
                }
            }
        } catch (IOException e) {
            LOG.warn("{} - cannot look for leftover temporary files: {}", file, e.toString());
        }
    }

    private static List<?> array(Map<?, ?> doc, String name) {
        Object node = doc.get(name);
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof List<?> items)) {
            throw new IllegalArgumentException(name + " must be an array");
        }
        return items;
    }

    /**
     * Writes the configuration: a temporary file in the same directory, forced to disk, then moved over the file
     * atomically; skipped when the bytes equal the last ones written. When it fails nothing changed, in the file or in
     * this store.
     *
     * @throws IOException           when the file cannot be written
     * @throws IllegalStateException when {@link #load()} found the file unreadable
     */
    public synchronized void save(ThalassaConfig config) throws IOException {
        checkWritable();
        ensureItems();
        Map<String, String> next = documentsOf(config);
        java.util.TreeMap<String, Item> before = new java.util.TreeMap<>(items);
        long indexBefore = index;
        boolean changed = items.keySet().retainAll(next.keySet());
        for (Map.Entry<String, String> e : next.entrySet()) {
            Item now = items.get(e.getKey());
            if (now == null || !now.json().equals(e.getValue())) {
                items.put(e.getKey(), new Item(e.getKey(), e.getValue(), ++index));
                changed = true;
            }
        }
        try {
            writeItems();
        } catch (IOException | RuntimeException e) {
            items = before;
            index = indexBefore;
            throw e;
        }
        if (changed) {
            changed();
        }
    }

    /** {@link Documents#itemsOf}, with the JSON of items that are the same objects as at the last save reused. */
    private Map<String, String> documentsOf(ThalassaConfig config) {
        Map<Object, String> seen = new java.util.IdentityHashMap<>();
        Map<String, String> out = new java.util.TreeMap<>();
        for (Frontend f : config.frontends().values()) {
            out.put(f.id(), documentOf(f, f, seen));
        }
        for (Backend b : config.backends().values()) {
            out.put(b.id(), documentOf(b, Documents.stored(b), seen));
        }
        documents = seen;
        return out;
    }

    private String documentOf(Object item, Object stored, Map<Object, String> seen) {
        String json = documents.get(item);
        if (json == null) {
            json = Documents.text(stored);
        }
        seen.put(item, json);
        return json;
    }

    private void checkWritable() {
        if (unreadable) {
            throw new IllegalStateException("persistence file " + file + " was unreadable at start; not overwriting it");
        }
    }

    /** Reads the file the first time an item is asked for. */
    private void ensureItems() {
        if (items == null && file == null) {
            items = new java.util.TreeMap<>();
        }
        if (items == null) {
            if (load().isEmpty()) {
                items = new java.util.TreeMap<>();
            }
        }
    }

    private void writeItems() throws IOException {
        if (file == null) {
            return;
        }
        List<Object> frontends = new ArrayList<>();
        List<Object> backends = new ArrayList<>();
        Map<Item, Object> trees = new java.util.IdentityHashMap<>();
        for (Item item : items.values()) {
            Object tree = parsed.get(item);
            if (tree == null) {
                tree = JsonText.parse(item.json());
            }
            trees.put(item, tree);
            (item.id().startsWith("frontend/") ? frontends : backends).add(tree);
        }
        parsed = trees; // the items' trees, parsed once per item
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("frontends", frontends);
        doc.put("backends", backends);
        byte[] bytes = JsonText.pretty(doc).getBytes(StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(bytes, lastWritten)) {
            return;
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), TMP);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                out.write(bytes);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            lastWritten = bytes;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- the SPI

    @Override
    public synchronized Snapshot readAll() {
        ensureItems();
        return new Snapshot(items, index);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException  when {@code json} is not a valid item of that id in the REST shape
     * @throws StoreUnavailableException when the file cannot be written (nothing changed)
     */
    @Override
    public synchronized long put(String id, String json, long expectedVersion) {
        checkWritable();
        ensureItems();
        io.thalassa.internal.Checks.notNull("json", json);
        Documents.item(id, json); // refuses what load() would refuse
        Item now = items.get(id);
        check(id, now, expectedVersion);
        Item next = new Item(id, json, index + 1);
        items.put(id, next);
        try {
            writeItems();
        } catch (IOException | RuntimeException e) {
            if (now == null) {
                items.remove(id);
            } else {
                items.put(id, now);
            }
            throw new io.thalassa.StoreUnavailableException("cannot write " + name() + ": " + e.getMessage(), e);
        }
        index++;
        changed();
        return next.version();
    }

    @Override
    public synchronized boolean delete(String id, long expectedVersion) {
        checkWritable();
        ensureItems();
        Documents.keyOf(id);
        Item now = items.get(id);
        if (now == null && (expectedVersion == ANY || expectedVersion == NEW)) {
            return false;
        }
        check(id, now, expectedVersion);
        items.remove(id);
        try {
            writeItems();
        } catch (IOException | RuntimeException e) {
            items.put(id, now);
            throw new io.thalassa.StoreUnavailableException("cannot write " + name() + ": " + e.getMessage(), e);
        }
        index++;
        changed();
        return true;
    }

    private static void check(String id, Item now, long expected) {
        if (expected < ANY) {
            throw new IllegalArgumentException("expectedVersion must be ConfigStore.ANY, NEW or a version: "
                    + expected);
        }
        long actual = now == null ? NEW : now.version();
        if (expected != ANY && expected != actual) {
            throw new io.thalassa.StoreConflictException(id, expected);
        }
    }

    /** Tells every watch, on the store's own thread, in order. */
    private void changed() {
        if (watches.isEmpty()) {
            return;
        }
        Snapshot s = new Snapshot(items, index);
        notifier().execute(() -> watches.forEach(w -> w.offer(s)));
    }

    private java.util.concurrent.ExecutorService notifier() {
        if (notifier == null) {
            notifier = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "thalassa-file-store-watch");
                t.setDaemon(true);
                return t;
            });
        }
        return notifier;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The file is this process's: the watch sees the changes made through this store (a file is never shared by
     * two daemons), and the store is always healthy.
     */
    @Override
    public synchronized Watch watch(long fromIndex, java.util.function.Consumer<Snapshot> listener,
            java.util.function.Consumer<io.thalassa.spi.RegistryHealth> health) {
        io.thalassa.internal.Checks.notNull("listener", listener);
        io.thalassa.internal.Checks.notNull("health", health);
        ensureItems();
        FileWatch w = new FileWatch(listener, fromIndex);
        watches.add(w);
        if (index > fromIndex) {
            Snapshot s = new Snapshot(items, index);
            notifier().execute(() -> w.offer(s));
        }
        return w;
    }

    /** {@inheritDoc} Kept in memory: a file store has one node, this process. */
    @Override
    public void publishNode(String node, String json) {
        io.thalassa.internal.Checks.identifier("node", node);
        nodes.put(node, io.thalassa.internal.Checks.notNull("json", json));
    }

    @Override
    public Map<String, String> nodes() {
        return Map.copyOf(nodes);
    }

    @Override
    public synchronized void close() {
        watches.clear();
        if (notifier != null) {
            notifier.shutdown();
        }
    }

    private final class FileWatch implements Watch {
        private final java.util.function.Consumer<Snapshot> listener;
        private long seen;
        private volatile boolean closed;

        FileWatch(java.util.function.Consumer<Snapshot> listener, long fromIndex) {
            this.listener = listener;
            this.seen = fromIndex;
        }

        void offer(Snapshot s) {
            if (!closed && s.index() > seen) {
                seen = s.index();
                listener.accept(s);
            }
        }

        @Override
        public void close() {
            closed = true;
            watches.remove(this);
        }
    }
}
