package io.thalassa.spi;

import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where the frontends and backends are kept, one document per item: read all, watch for changes, write or delete one
 * item with the version the writer last saw (check-and-set). A local file and Consul's KV store implement it; several
 * daemons sharing one store share one configuration.
 *
 * <p>Items are identified as {@code frontend/<key>} and {@code backend/<key>}; their documents are the REST shapes in
 * JSON, which the store keeps as they are (it does not parse them). Versions are positive and grow with every write of
 * the store; {@link #NEW} expects an item that does not exist, {@link #ANY} takes any version. Implementations are
 * thread-safe.
 */
public interface ConfigStore extends AutoCloseable {
    /** Expected version of an item that must not exist yet. */
    long NEW = 0;
    /** Expected version that matches whatever is stored (an unconditional write). */
    long ANY = -1;

    /**
     * One stored item.
     *
     * @param id      {@code frontend/<key>} or {@code backend/<key>}
     * @param json    its document, as written
     * @param version its version: what a later write or delete expects
     */
    record Item(String id, String json, long version) {
    }

    /**
     * Every item at one moment.
     *
     * @param items by id, sorted
     * @param index the store's version at that moment: a watch from here sees every later change
     */
    record Snapshot(Map<String, Item> items, long index) {
        public Snapshot {
            items = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(items));
        }
    }

    /** A running watch; closing it stops the calls, and is safe twice. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Where this store keeps its items, for messages and status pages (e.g. {@code consul kv 127.0.0.1:8500/thalassa/});
     * by default the class's simple name.
     */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Everything stored now.
     *
     * @throws StoreUnavailableException when the store cannot be read
     */
    Snapshot readAll();

    /**
     * Writes one item if its version is {@code expectedVersion}; acknowledged once the store has it.
     *
     * @return the item's new version
     * @throws StoreConflictException    when the stored version is another (someone wrote first); nothing changed
     * @throws StoreUnavailableException when the store cannot be reached; the write may or may not have happened
     */
    long put(String id, String json, long expectedVersion);

    /**
     * Deletes one item if its version is {@code expectedVersion}.
     *
     * @return whether it existed
     * @throws StoreConflictException    when the stored version is another; nothing changed
     * @throws StoreUnavailableException when the store cannot be reached
     */
    boolean delete(String id, long expectedVersion);

    /**
     * One write of {@link #commit}: a put of {@code json}, or a delete when it is null, if the item's version is
     * {@code expectedVersion} ({@link #NEW}, {@link #ANY} or a version).
     */
    record Write(String id, String json, long expectedVersion) {
    }

    /**
     * Writes every item of {@code writes} or none: each check-and-set on its expected version. The default writes
     * them one by one (not atomically: a failure may leave some written); a store that has transactions overrides
     * it, for up to {@link #maxItemsPerCommit()} items.
     *
     * @throws StoreConflictException    when an item is not at its expected version; nothing changed (atomic stores)
     * @throws StoreUnavailableException when the store cannot be reached; the outcome is unknown
     */
    default void commit(java.util.List<Write> writes) {
        for (Write w : writes) {
            if (w.json() == null) {
                delete(w.id(), w.expectedVersion());
            } else {
                put(w.id(), w.json(), w.expectedVersion());
            }
        }
    }

    /** The most items one {@link #commit} writes atomically; unbounded by default. */
    default int maxItemsPerCommit() {
        return Integer.MAX_VALUE;
    }

    /**
     * The records the runtime shares beside the items (a rollout in progress, by backend key), with their versions;
     * not part of snapshots. The default keeps none: a store of one node.
     *
     * @throws StoreUnavailableException when the store cannot be read
     */
    default Map<String, Item> records(String kind) {
        throw new UnsupportedOperationException(name() + " keeps no shared records");
    }

    /**
     * Writes record {@code name} of {@code kind} if its version is {@code expectedVersion}.
     *
     * @return its new version
     * @throws StoreConflictException    when it is at another version
     * @throws StoreUnavailableException when the store cannot be reached
     */
    default long putRecord(String kind, String name, String json, long expectedVersion) {
        throw new UnsupportedOperationException(name() + " keeps no shared records");
    }

    /**
     * Takes lock {@code name} for this store's node (held by its session, so a node that dies loses it within the
     * session's TTL), or keeps it; whether this node holds it now.
     *
     * @throws StoreUnavailableException when the store cannot be reached
     */
    default boolean lock(String name, String holder) {
        throw new UnsupportedOperationException(name() + " has no locks");
    }

    /** Releases lock {@code name} if this store's node holds it; quietly does nothing when the store is away. */
    default void unlock(String name) {
    }

    /**
     * Calls {@code listener} with a new snapshot after every change that follows {@code fromIndex}, on a thread of
     * the store's, until the watch is closed. While the store is unreachable the watch keeps trying, and says so
     * through {@code health}; it never hangs on a call without a bound.
     */
    Watch watch(long fromIndex, Consumer<Snapshot> listener, Consumer<RegistryHealth> health);

    /**
     * Publishes the state of one node that uses this store (what it runs, its failures), replacing what this store
     * published for it before. The state is kept while this store is open and its process lives: a node that dies
     * disappears from {@link #nodes()} by itself. A store with one node only may keep it in memory.
     *
     * @throws IllegalStateException     when another live node publishes under the same name
     * @throws StoreUnavailableException when the store cannot be reached; publish again later
     */
    void publishNode(String node, String json);

    /**
     * The state every live node published, by node name, sorted.
     *
     * @throws StoreUnavailableException when the store cannot be read
     */
    Map<String, String> nodes();

    /** Stops every watch and releases connections; safe twice. */
    @Override
    void close();
}
