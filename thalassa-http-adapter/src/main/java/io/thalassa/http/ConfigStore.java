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
 * <p>A file that exists but cannot be read or parsed is an error at {@link #load()}, and from then on this store
 * refuses to write, so the file is never overwritten.
 */
public final class ConfigStore {
    private final Path file;
    private boolean unreadable;
    private byte[] lastWritten;

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
            return Optional.of(ThalassaConfig.of(frontends, backends));
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

    private void write(ThalassaConfig config) throws IOException {
        if (unreadable) {
            throw new IllegalStateException("persistence file " + file + " was unreadable at start; not overwriting it");
        }
        List<Backend> backends = new ArrayList<>();
        for (Backend b : config.backends().values()) {
            backends.add(b.isDynamic() ? b.withMembers(List.of()) : b);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("frontends", List.copyOf(config.frontends().values()));
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
}
