package io.thalassa.runtime.internal;

import io.thalassa.spi.ConfigStore.Item;
import io.thalassa.spi.ConfigStore.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A fleet node's copy of the last store revision it ran ({@code fleet-cache.json}): what lets it start while the
 * store cannot be read, and fall back to when the store's newest revision is refused at start.
 */
final class FleetCache {
    private static final Logger LOG = LoggerFactory.getLogger(FleetCache.class);

    private final Path file;
    private volatile Snapshot pending;

    FleetCache(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Keeps {@code s} to be written by the next {@link #flush()}. */
    void offer(Snapshot s) {
        pending = s;
    }

    /** Writes what was offered last, if anything: a temporary file moved over the cache. */
    void flush() {
        Snapshot s = pending;
        if (s == null) {
            return;
        }
        pending = null;
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("revision", s.index());
        Map<String, Object> items = new TreeMap<>();
        s.items().forEach((id, item) -> items.put(id, Map.of("version", item.version(), "json", item.json())));
        doc.put("items", items);
        try {
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, Documents.write(doc));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warn("fleet - cannot write the cache {}: {}", file, e.toString());
        }
    }

    /**
     * The cached revision, or empty when there is none.
     *
     * @throws UncheckedIOException when the cache exists but cannot be read
     */
    Optional<Snapshot> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode doc = Documents.mapper().readTree(Files.readAllBytes(file));
            Map<String, Item> items = new TreeMap<>();
            doc.path("items").properties().forEach(e -> items.put(e.getKey(), new Item(e.getKey(),
                    e.getValue().path("json").asText(), e.getValue().path("version").asLong())));
            return Optional.of(new Snapshot(items, doc.path("revision").asLong()));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("the fleet cache " + file + " cannot be read: " + e, e));
        }
    }
}
