package io.thalassa.spring.internal;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import io.thalassa.runtime.FileConfigStore;
import io.thalassa.spring.ThalassaPropertyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ResourceUtils;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code thalassa.config-file}: frontends and backends in the daemon's persistence format
 * ({@link FileConfigStore#parse}), as JSON or the same in YAML, read before Thalassa starts, which starts with it
 * ({@link io.thalassa.runtime.Thalassa.Builder#startWith}).
 */
public final class ConfigFile {
    static final String PROPERTY = "thalassa.config-file";

    private final String location;
    private final ThalassaConfig config;

    private ConfigFile(String location, ThalassaConfig config) {
        this.location = location;
        this.config = config;
    }

    /**
     * Reads the file at {@code location}: a path, or a resource location such as {@code classpath:thalassa.yml}.
     *
     * @throws ThalassaPropertyException naming {@code thalassa.config-file} when it cannot be read or is not a valid
     *                                   configuration (the item and field at fault in the reason)
     */
    public static ConfigFile read(String location, ResourceLoader loader) {
        byte[] bytes;
        try {
            bytes = bytes(location, loader);
        } catch (IOException e) {
            throw new ThalassaPropertyException(PROPERTY, location, "cannot be read: " + e.getMessage(),
                    "Make " + PROPERTY + " name a readable file (a path, or classpath:...), or leave it out.", e);
        }
        String name = location.toLowerCase(Locale.ROOT);
        try {
            boolean yaml = name.endsWith(".yml") || name.endsWith(".yaml");
            return new ConfigFile(location, yaml ? FileConfigStore.parseTree(yaml(bytes))
                    : FileConfigStore.parse(bytes));
        } catch (RuntimeException e) {
            throw new ThalassaPropertyException(PROPERTY, location, e.getMessage(), "Fix the file " + location
                    + " (its format is the daemon's persistence file, {\"frontends\":[...],\"backends\":[...]}).", e);
        }
    }

    private static byte[] bytes(String location, ResourceLoader loader) throws IOException {
        if (ResourceUtils.isUrl(location)) { // classpath:, file:, ...
            Resource r = loader.getResource(location);
            if (!r.exists()) {
                throw new IOException(location + " does not exist");
            }
            try (InputStream in = r.getInputStream()) {
                return in.readAllBytes();
            }
        }
        Path file = Path.of(location);
        if (!Files.exists(file)) {
            throw new IOException(file.toAbsolutePath() + " does not exist");
        }
        return Files.readAllBytes(file);
    }

    /**
     * The YAML document's tree (SnakeYAML's safe loader: maps, lists, scalars), as strict as the JSON reader: a key
     * twice in one map is refused.
     */
    private static Object yaml(byte[] yaml) {
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            return new Yaml(new SafeConstructor(options)).load(new String(yaml,
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
        }
    }

    /** What the file holds. */
    public ThalassaConfig config() {
        return config;
    }

    /**
     * The change that puts every backend, then every frontend, of the file into a configuration (replacing items with
     * the same key, keeping the others): what the Thalassa starts with.
     *
     * @throws ThalassaPropertyException naming {@code thalassa.config-file} when the model refuses the result
     */
    public UnaryOperator<ThalassaConfig> change() {
        return current -> {
            try {
                ThalassaConfig next = current;
                for (Backend b : config.backends().values()) {
                    next = next.withBackend(b);
                }
                for (Frontend f : config.frontends().values()) {
                    next = next.withFrontend(f);
                }
                return next;
            } catch (RuntimeException e) {
                throw refused(e);
            }
        };
    }

    /** What the file holds cannot run: {@code thalassa.config-file} named with the reason. */
    public ThalassaPropertyException refused(Exception e) {
        return new ThalassaPropertyException(PROPERTY, location, e.getMessage(), "Fix the file " + location
                + ": its frontends and backends, with what was stored, are not a configuration HAProxy runs.", e);
    }
}
