package io.thalassa;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of everything Thalassa puts into HAProxy: frontends and backends by key, with value equality.
 *
 * <p>Edits return a new snapshot; {@link ConfigDiff#between} describes what changes from one snapshot to another (the
 * HAProxy controller decides whether that needs a reload).
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE)
@JsonPropertyOrder({"frontends", "backends"})
public final class ThalassaConfig {
    private static final ThalassaConfig EMPTY = new ThalassaConfig(new TreeMap<>(), new TreeMap<>());

    private final SortedMap<String, Frontend> frontends;
    private final SortedMap<String, Backend> backends;

    private ThalassaConfig(TreeMap<String, Frontend> frontends, TreeMap<String, Backend> backends) {
        this.frontends = Collections.unmodifiableSortedMap(frontends);
        this.backends = Collections.unmodifiableSortedMap(backends);
    }

    /** The snapshot with no frontend and no backend. */
    public static ThalassaConfig empty() {
        return EMPTY;
    }

    /**
     * A snapshot of the given frontends and backends.
     *
     * @throws IllegalArgumentException naming {@code backends[i].key} or {@code frontends[i].key} when two frontends
     *                                  or two backends share a key, {@code frontends[i].bind} (or
     *                                  {@code .natives[j]}) when two frontends listen on a common address
     */
    public static ThalassaConfig of(Collection<Frontend> frontends, Collection<Backend> backends) {
        ThalassaConfig config = EMPTY;
        int i = 0;
        for (Backend b : Checks.notNull("backends", backends)) {
            if (config.backends.containsKey(b.key())) {
                throw new InvalidValueException("backends[" + i + "].key", b.key(), "backend key " + b.key()
                        + " is used twice");
            }
            config = config.withBackend(b);
            i++;
        }
        i = 0;
        for (Frontend f : Checks.notNull("frontends", frontends)) {
            if (config.frontends.containsKey(f.key())) {
                throw new InvalidValueException("frontends[" + i + "].key", f.key(), "frontend key " + f.key()
                        + " is used twice");
            }
            try {
                config = config.withFrontend(f);
            } catch (InvalidValueException e) {
                throw e.at("frontends[" + i + "]");
            }
            i++;
        }
        return config;
    }

    @JsonCreator
    static ThalassaConfig fromJson(@JsonProperty("frontends") List<Frontend> frontends,
            @JsonProperty("backends") List<Backend> backends) {
        return of(frontends == null ? List.of() : frontends, backends == null ? List.of() : backends);
    }

    /** Frontends sorted by key. */
    public SortedMap<String, Frontend> frontends() {
        return frontends;
    }

    /** Backends sorted by key. */
    public SortedMap<String, Backend> backends() {
        return backends;
    }

    @JsonProperty("frontends")
    List<Frontend> frontendList() {
        return List.copyOf(frontends.values());
    }

    @JsonProperty("backends")
    List<Backend> backendList() {
        return List.copyOf(backends.values());
    }

    public Optional<Frontend> frontend(String key) {
        return Optional.ofNullable(frontends.get(key));
    }

    public Optional<Backend> backend(String key) {
        return Optional.ofNullable(backends.get(key));
    }

    /**
     * Adds or replaces a frontend.
     *
     * @throws IllegalArgumentException naming {@code bind}, or the {@code natives[i]} that opens the listener, when
     *                                  another frontend already listens on one of its addresses
     */
    public ThalassaConfig withFrontend(Frontend frontend) {
        Checks.notNull("frontend", frontend);
        List<Frontend.Listeners> mine = frontend.listenersByField();
        for (Frontend other : frontends.values()) {
            if (other.key().equals(frontend.key())) {
                continue;
            }
            List<Bind> theirs = other.listeners();
            for (Frontend.Listeners l : mine) {
                for (Bind bind : l.binds()) {
                    for (Bind their : theirs) {
                        if (bind.overlaps(their)) {
                            throw new InvalidValueException(l.field(), l.value() == null ? bind.toString() : l.value(),
                                    "bind " + bind + " overlaps bind " + their + " of frontend " + other.key());
                        }
                    }
                }
            }
        }
        if (frontend.equals(frontends.get(frontend.key()))) {
            return this;
        }
        TreeMap<String, Frontend> copy = new TreeMap<>(frontends);
        copy.put(frontend.key(), frontend);
        return new ThalassaConfig(copy, new TreeMap<>(backends));
    }

    /** Removes a frontend; the same snapshot when there is none by that key. */
    public ThalassaConfig withoutFrontend(String key) {
        if (!frontends.containsKey(key)) {
            return this;
        }
        TreeMap<String, Frontend> copy = new TreeMap<>(frontends);
        copy.remove(key);
        return new ThalassaConfig(copy, new TreeMap<>(backends));
    }

    /** Adds or replaces a backend. */
    public ThalassaConfig withBackend(Backend backend) {
        Checks.notNull("backend", backend);
        if (backend.equals(backends.get(backend.key()))) {
            return this;
        }
        TreeMap<String, Backend> copy = new TreeMap<>(backends);
        copy.put(backend.key(), backend);
        return new ThalassaConfig(new TreeMap<>(frontends), copy);
    }

    /** Removes a backend; the same snapshot when there is none by that key. */
    public ThalassaConfig withoutBackend(String key) {
        if (!backends.containsKey(key)) {
            return this;
        }
        TreeMap<String, Backend> copy = new TreeMap<>(backends);
        copy.remove(key);
        return new ThalassaConfig(new TreeMap<>(frontends), copy);
    }

    /**
     * Replaces the members of one backend.
     *
     * @throws IllegalArgumentException when there is no backend by that key
     */
    public ThalassaConfig withMembers(String backendKey, Collection<Member> members) {
        Backend b = backends.get(backendKey);
        if (b == null) {
            throw new InvalidValueException("key", backendKey, "backend " + backendKey + " does not exist");
        }
        return withBackend(b.withMembers(members));
    }

    /**
     * Frontend routes that name a backend which does not exist, as {@code frontend -> backend} texts. Such routes are
     * left out of the rendered configuration until the backend exists.
     */
    public List<String> danglingRoutes() {
        List<String> dangling = new ArrayList<>();
        for (Frontend f : frontends.values()) {
            for (String b : f.backendKeys()) {
                if (!backends.containsKey(b)) {
                    dangling.add("frontend " + f.key() + " routes to backend " + b + ", which does not exist");
                }
            }
        }
        return dangling;
    }

    @Override
    public boolean equals(Object o) {
        return o == this
                || o instanceof ThalassaConfig c && frontends.equals(c.frontends) && backends.equals(c.backends);
    }

    @Override
    public int hashCode() {
        return 31 * frontends.hashCode() + backends.hashCode();
    }

    @Override
    public String toString() {
        return "ThalassaConfig{frontends=" + frontends.keySet() + ", backends=" + backends.keySet() + "}";
    }
}
