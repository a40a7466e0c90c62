package io.thalassa.http.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine;

/**
 * The file of {@code --config}: {@code key = value} lines read by {@link Properties} (comments with {@code #} or
 * {@code !}, continuation with {@code \}), handed to picocli as its {@link CommandLine.PropertiesDefaultProvider}, and
 * the line each key was set on, so a refusal can name it.
 */
final class ConfigFile {
    private final Path path;
    private final Properties values;
    private final Map<String, Integer> lines;

    private ConfigFile(Path path, Properties values, Map<String, Integer> lines) {
        this.path = path;
        this.values = values;
        this.lines = lines;
    }

    /**
     * Reads the file as UTF-8; values lose their trailing blanks.
     *
     * @throws IllegalArgumentException when it cannot be read, or is not a properties file
     */
    static ConfigFile read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config cannot be read: " + path + " (" + e + ")", e);
        }
        try {
            Properties values = new Properties();
            values.load(new StringReader(text));
            Properties stripped = new Properties();
            values.forEach((k, v) -> stripped.put(k, ((String) v).strip()));
            return new ConfigFile(path, stripped, keyLines(text.lines().toList()));
        } catch (IllegalArgumentException e) { // a malformed \\uXXXX escape
            throw new IllegalArgumentException("--config " + path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The line each key is set on (the last, when a key is set twice: that value counts), found by Properties' own
     * parser: the first {@code n} lines are loaded for every {@code n}, and a line that adds an entry starts it.
     */
    private static Map<String, Integer> keyLines(List<String> lines) throws IOException {
        Map<String, Integer> at = new HashMap<>();
        int entries = 0;
        for (int n = 1; n <= lines.size(); n++) {
            EntryCounter counter = new EntryCounter();
            counter.load(new StringReader(String.join("\n", lines.subList(0, n))));
            if (counter.entries > entries) {
                entries = counter.entries;
                at.put(counter.lastKey, n);
            }
        }
        return at;
    }

    /** Properties that count the entries {@link Properties#load} puts, in file order. */
    private static final class EntryCounter extends Properties {
        private static final long serialVersionUID = 1L;
        int entries;
        String lastKey;

        @Override
        public synchronized Object put(Object key, Object value) {
            entries++;
            lastKey = (String) key;
            return super.put(key, value);
        }
    }

    Path path() {
        return path;
    }

    /** The keys set in the file. */
    java.util.Set<String> keys() {
        return values.stringPropertyNames();
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value of {@code key} (without trailing blanks), or empty. */
    Optional<String> value(String key) {
        return Optional.ofNullable(values.getProperty(key));
    }

    /** The line {@code key} is set on. */
    int line(String key) {
        return lines.getOrDefault(key, 0);
    }

    /** What picocli takes the defaults from. */
    CommandLine.IDefaultValueProvider defaults() {
        return new CommandLine.PropertiesDefaultProvider(values);
    }

    /**
     * A refusal naming the file, the line and the key: {@code /etc/thalassa/thalassa.conf:7: port: <reason>} (the
     * value only as the reason says it: a password stays out of it).
     */
    IllegalArgumentException refusal(String key, String reason, Throwable cause) {
        return new IllegalArgumentException(path + ":" + line(key) + ": " + key + ": " + reason, cause);
    }
}
