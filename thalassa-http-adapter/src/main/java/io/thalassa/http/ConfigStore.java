package io.thalassa.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import io.thalassa.http.internal.ApiException;
import io.thalassa.http.internal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
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
 * The {@code --persistence} file: every frontend and backend in the REST shapes,
 * {@code {"frontends":[...],"backends":[...]}} (dynamic backends without members, the registry refills them), written
 * atomically after every accepted change and read back at start.
 *
 * <p>It is also the local {@link io.thalassa.spi.ConfigStore}, the one-node sibling of Consul's: items
 * {@code frontend/<key>} and {@code backend/<key>} with versions that grow with every write of this process
 * (check-and-set), watches told of every change in this process, and node state kept in memory. A document written
 * through {@link #put} must be a valid item in the REST shape, so the file can always be read back.
 *
 * <p>A file that exists but cannot be read or parsed is an error at {@link #load()}, and from then on this store
 * refuses to write, so the file is never overwritten.
 */
public final class ConfigStore implements io.thalassa.spi.ConfigStore {
    private final Path file;
    private boolean unreadable;
    private byte[] lastWritten;
    /** The items as stored, by id; null until the file was read. */
    private java.util.TreeMap<String, Item> items;
    private long index;
    private final List<FileWatch> watches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, String> nodes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private java.util.concurrent.ExecutorService notifier;

    private ConfigStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The store kept in {@code file}; nothing is read or written yet. */
    public static ConfigStore at(Path file) {
        return new ConfigStore(file);
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the file.
     *
     * @return the stored configuration, or empty when the file does not exist yet
     * @throws IllegalStateException naming the file and what is wrong with it, when it cannot be read or parsed
     */
    public synchronized Optional<ThalassaConfig> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode root = Json.MAPPER.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new IllegalStateException("it must hold a JSON object {\"frontends\":[...],\"backends\":[...]}");
            }
            root.fieldNames().forEachRemaining(name -> {
                if (!name.equals("frontends") && !name.equals("backends")) {
                    throw new IllegalStateException("unknown field \"" + name + "\"");
                }
            });
            List<Backend> backends = new ArrayList<>();
            for (JsonNode b : array(root, "backends")) {
                backends.add(Json.convert(b, Backend.class));
            }
            List<Frontend> frontends = new ArrayList<>();
            for (JsonNode f : array(root, "frontends")) {
                frontends.add(Json.convert(f, Frontend.class));
            }
            ThalassaConfig config = ThalassaConfig.of(frontends, backends);
            items = new java.util.TreeMap<>();
            index = 0;
            itemsOf(config).forEach((id, json) -> items.put(id, new Item(id, json, ++index)));
            lastWritten = bytes;
            return Optional.of(config);
        } catch (IOException | RuntimeException e) {
            unreadable = true;
            String why = e instanceof ApiException api
                    ? (api.field() == null ? "" : api.field() + ": ") + api.reason()
                    : e.getMessage();
            throw new IllegalStateException("persistence file " + file + " cannot be read (" + why
                    + "); fix or move it, it is left untouched", e);
        }
    }

    private static List<JsonNode> array(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new IllegalStateException(name + " must be an array");
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    /**
     * Writes the configuration: a temporary file in the same directory, forced to disk, then moved over the file
     * atomically.
     *
     * @throws IOException           when the file cannot be written
     * @throws IllegalStateException when {@link #load()} found the file unreadable
     */
    public synchronized void save(ThalassaConfig config) throws IOException {
        write(config);
    }

    /**
     * Reads {@code latest} and writes it, both under this store's lock, so concurrent callers never put an older
     * configuration over a newer one; skips the write when the bytes equal the last ones written.
     */
    public synchronized void saveLatest(java.util.function.Supplier<ThalassaConfig> latest) throws IOException {
        write(latest.get());
    }

    /** The items of {@code config} as this store keeps them: REST documents, dynamic backends without members. */
    private static Map<String, String> itemsOf(ThalassaConfig config) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Frontend f : config.frontends().values()) {
            out.put("frontend/" + f.key(), text(f));
        }
        for (Backend b : config.backends().values()) {
            out.put("backend/" + b.key(), text(b.isDynamic() ? b.withMembers(List.of()) : b));
        }
        return out;
    }

    private static String text(Object item) {
        return new String(Json.write(item), java.nio.charset.StandardCharsets.UTF_8);
    }

    private void write(ThalassaConfig config) throws IOException {
        checkWritable();
        ensureItems();
        Map<String, String> next = itemsOf(config);
        boolean changed = items.keySet().retainAll(next.keySet());
        for (Map.Entry<String, String> e : next.entrySet()) {
            Item now = items.get(e.getKey());
            if (now == null || !now.json().equals(e.getValue())) {
                items.put(e.getKey(), new Item(e.getKey(), e.getValue(), ++index));
                changed = true;
            }
        }
        writeItems();
        if (changed) {
            changed();
        }
    }

    private void checkWritable() {
        if (unreadable) {
            throw new IllegalStateException("persistence file " + file + " was unreadable at start; not overwriting it");
        }
    }

    /** Reads the file the first time an item is asked for. */
    private void ensureItems() {
        if (items == null) {
            if (load().isEmpty()) {
                items = new java.util.TreeMap<>();
            }
        }
    }

    private void writeItems() throws IOException {
        List<JsonNode> frontends = new ArrayList<>();
        List<JsonNode> backends = new ArrayList<>();
        for (Item item : items.values()) {
            (item.id().startsWith("frontend/") ? frontends : backends).add(Json.MAPPER.readTree(item.json()));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("frontends", frontends);
        doc.put("backends", backends);
        byte[] bytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        if (java.util.Arrays.equals(bytes, lastWritten)) {
            return;
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
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
        String key = keyOf(id);
        io.thalassa.internal.Checks.notNull("json", json);
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("json of " + id + " is not JSON: " + e.getMessage(), e);
        }
        if (doc == null || !doc.isObject() || !key.equals(doc.path("key").asText())) {
            throw new IllegalArgumentException("json of " + id + " must be an object with key " + key);
        }
        Class<?> type = id.startsWith("frontend/") ? Frontend.class : Backend.class;
        Json.convert(doc, type); // refuses what load() would refuse
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
            throw new io.thalassa.StoreUnavailableException("cannot write " + file + ": " + e.getMessage(), e);
        }
        index++;
        changed();
        return next.version();
    }

    @Override
    public synchronized boolean delete(String id, long expectedVersion) {
        checkWritable();
        ensureItems();
        keyOf(id);
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
            throw new io.thalassa.StoreUnavailableException("cannot write " + file + ": " + e.getMessage(), e);
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

    private static String keyOf(String id) {
        io.thalassa.internal.Checks.notNull("id", id);
        int slash = id.indexOf('/');
        String kind = slash < 0 ? "" : id.substring(0, slash);
        if (!kind.equals("frontend") && !kind.equals("backend")) {
            throw new IllegalArgumentException("id must be frontend/<key> or backend/<key>: \"" + id + "\"");
        }
        return io.thalassa.internal.Checks.identifier("id", id.substring(slash + 1));
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
