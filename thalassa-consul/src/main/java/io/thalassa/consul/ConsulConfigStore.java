package io.thalassa.consul;

import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.internal.Checks;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.RegistryHealth;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.ConsulException;
import org.kiwiproject.consul.KeyValueClient;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.kv.ImmutableOperation;
import org.kiwiproject.consul.model.kv.Operation;
import org.kiwiproject.consul.model.kv.TxResponse;
import org.kiwiproject.consul.model.kv.Value;
import org.kiwiproject.consul.option.QueryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConfigStore} in Consul's KV store: one key per item under {@code <prefix>config/} (the prefix is
 * {@code thalassa/default/} by default, so {@code thalassa/default/config/backend/live}), holding the item's JSON
 * document as it was written, readable with {@code consul kv get}. The nodes sharing the store publish their state
 * under {@code <prefix>nodes/<node>}, each key held by the node's Consul session, so it disappears when the node
 * stops renewing it (the node died, or lost Consul for longer than the session's TTL). An item's version is its key's {@code ModifyIndex}; writes and deletes are check-and-set
 * transactions ({@code cas}, {@code delete-cas}), acknowledged once Consul committed them. Watches are blocking
 * queries on the prefix, bounded by a read timeout longer than their wait, so a frozen agent is a timeout and never a
 * silent hang; they retry with back-off and report the store's health.
 *
 * <pre>{@code
 * try (ConsulConfigStore store = ConsulConfigStore.builder().agent("127.0.0.1", 8500).build()) {
 *     long v = store.put("backend/live", json, ConfigStore.NEW);
 *     store.put("backend/live", changed, v);                 // StoreConflictException if someone wrote first
 * }
 * }</pre>
 */
public final class ConsulConfigStore implements ConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulConfigStore.class);

    private final String prefix;
    private final String configPrefix;
    private final String nodesPrefix;
    private final Duration sessionTtl;
    private final Duration wait;
    private final Duration retryMin;
    private final Duration retryMax;
    private final String label;
    private final Consul consul;
    private final Consul blocking;
    private final List<StoreWatch> watches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sessionLock = new Object();
    private final Map<String, String> published = new TreeMap<>(); // guarded by sessionLock
    private String session; // guarded by sessionLock
    private Thread renewer; // guarded by sessionLock

    private ConsulConfigStore(Builder b) {
        this.prefix = b.prefix;
        this.configPrefix = b.prefix + "config/";
        this.nodesPrefix = b.prefix + "nodes/";
        this.sessionTtl = b.sessionTtl;
        this.wait = b.wait;
        this.retryMin = b.retryMin;
        this.retryMax = b.retryMax;
        this.label = "consul kv " + io.thalassa.Member.addressOf(b.host, b.port) + "/" + prefix;
        this.consul = AgentClients.consul(b.host, b.port, b.aclToken, b.requestTimeout, b.requestTimeout);
        this.blocking = AgentClients.consul(b.host, b.port, b.aclToken, b.requestTimeout,
                AgentClients.blockingReadTimeout(wait, b.requestTimeout));
    }

    /** A store to configure; nothing is contacted until the first call. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code consul kv <host>:<port>/<prefix>}. */
    @Override
    public String name() {
        return label;
    }

    /** The key prefix, ending in {@code /}. */
    public String prefix() {
        return prefix;
    }

    @Override
    public Snapshot readAll() {
        try {
            return snapshot(consul.keyValueClient().getConsulResponseWithValues(configPrefix));
        } catch (ConsulException | IllegalStateException e) {
            throw unavailable("read", e);
        }
    }

    private Snapshot snapshot(ConsulResponse<List<Value>> response) {
        Map<String, Item> items = new TreeMap<>();
        List<Value> values = response.getResponse();
        if (values != null) {
            for (Value v : values) {
                String id = v.getKey().substring(configPrefix.length());
                if (id.isEmpty() || id.endsWith("/")) {
                    continue; // a folder key
                }
                items.put(id, new Item(id, v.getValueAsString(StandardCharsets.UTF_8).orElse(""), v.getModifyIndex()));
            }
        }
        BigInteger index = response.getIndex();
        return new Snapshot(items, index == null ? 0 : index.longValue());
    }

    @Override
    public long put(String id, String json, long expectedVersion) {
        String key = configPrefix + checkId(id);
        Checks.notNull("json", json);
        ImmutableOperation.Builder op = ImmutableOperation.builder().key(key).value(json); // the client encodes it
        if (expectedVersion == ANY) {
            op.verb("set");
        } else {
            op.verb("cas").index(BigInteger.valueOf(checkVersion(expectedVersion)));
        }
        TxResponse tx = transaction(id, expectedVersion, op.build());
        for (Map<String, Value> result : tx.results()) {
            Value v = result.get("KV");
            if (v != null) {
                return v.getModifyIndex();
            }
        }
        throw new StoreUnavailableException(label + " - the write of " + id + " answered no version");
    }

    @Override
    public boolean delete(String id, long expectedVersion) {
        String key = configPrefix + checkId(id);
        long version = expectedVersion;
        if (expectedVersion == ANY) {
            Optional<Value> now = read(key, id);
            if (now.isEmpty()) {
                return false;
            }
            version = now.get().getModifyIndex();
        } else if (checkVersion(expectedVersion) == NEW) {
            if (read(key, id).isPresent()) {
                throw new StoreConflictException(id, expectedVersion);
            }
            return false;
        }
        transaction(id, expectedVersion, ImmutableOperation.builder().verb("delete-cas").key(key)
                .index(BigInteger.valueOf(version)).build());
        return true;
    }

    private Optional<Value> read(String key, String id) {
        try {
            return consul.keyValueClient().getValue(key);
        } catch (ConsulException | IllegalStateException e) {
            throw unavailable("read " + id, e);
        }
    }

    private TxResponse transaction(String id, long expected, Operation... op) {
        KeyValueClient kv = consul.keyValueClient();
        try {
            ConsulResponse<TxResponse> r = kv.performTransaction(op);
            TxResponse tx = r.getResponse();
            if (tx.errors() != null && !tx.errors().isEmpty()) {
                throw new StoreConflictException(id, expected);
            }
            return tx;
        } catch (ConsulException e) {
            if (e.getCode() == 409) { // a failed check-and-set: Consul rolls the transaction back
                throw new StoreConflictException(id, expected);
            }
            throw unavailable("write " + id, e);
        } catch (IllegalStateException e) {
            throw unavailable("write " + id, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>One KV transaction ({@code cas}, {@code delete-cas}) for up to {@link #maxItemsPerCommit()} items: all
     * written or none. More items are written in transactions of that many, one after the other.
     */
    @Override
    public void commit(List<Write> writes) {
        int max = maxItemsPerCommit();
        for (int from = 0; from < writes.size(); from += max) {
            List<Write> part = writes.subList(from, Math.min(writes.size(), from + max));
            Operation[] ops = new Operation[part.size()];
            for (int i = 0; i < ops.length; i++) {
                Write w = part.get(i);
                String key = configPrefix + checkId(w.id());
                ImmutableOperation.Builder op = ImmutableOperation.builder().key(key);
                if (w.json() == null) {
                    op.verb(w.expectedVersion() == ANY ? "delete" : "delete-cas");
                } else {
                    op.value(w.json()).verb(w.expectedVersion() == ANY ? "set" : "cas");
                }
                if (w.expectedVersion() != ANY) {
                    op.index(BigInteger.valueOf(checkVersion(w.expectedVersion())));
                }
                ops[i] = op.build();
            }
            String what = part.size() == 1 ? part.get(0).id() : part.size() + " items";
            transaction(what, part.get(0).expectedVersion(), ops);
        }
    }

    /** Consul's limit of operations in one KV transaction. */
    @Override
    public int maxItemsPerCommit() {
        return 64;
    }

    /** Records live under {@code <prefix><kind>/<name>}, e.g. {@code thalassa/default/rollouts/web}. */
    @Override
    public Map<String, Item> records(String kind) {
        String at = prefix + Checks.identifier("kind", kind) + "/";
        try {
            List<Value> values = consul.keyValueClient().getConsulResponseWithValues(at).getResponse();
            Map<String, Item> out = new TreeMap<>();
            if (values != null) {
                for (Value v : values) {
                    String name = v.getKey().substring(at.length());
                    if (!name.isEmpty() && !name.endsWith("/")) {
                        out.put(name, new Item(name, v.getValueAsString(StandardCharsets.UTF_8).orElse(""),
                                v.getModifyIndex()));
                    }
                }
            }
            return out;
        } catch (ConsulException | IllegalStateException e) {
            throw unavailable("read " + kind, e);
        }
    }

    @Override
    public long putRecord(String kind, String name, String json, long expectedVersion) {
        String key = prefix + Checks.identifier("kind", kind) + "/" + Checks.identifier("name", name);
        ImmutableOperation.Builder op = ImmutableOperation.builder().key(key).value(Checks.notNull("json", json));
        if (expectedVersion == ANY) {
            op.verb("set");
        } else {
            op.verb("cas").index(BigInteger.valueOf(checkVersion(expectedVersion)));
        }
        TxResponse tx = transaction(kind + "/" + name, expectedVersion, op.build());
        for (Map<String, Value> result : tx.results()) {
            Value v = result.get("KV");
            if (v != null) {
                return v.getModifyIndex();
            }
        }
        throw new StoreUnavailableException(label + " - the write of " + kind + "/" + name + " answered no version");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The key {@code <prefix>locks/<name>} acquired with this store's session (the one that holds the node's
     * state: TTL {@link Builder#sessionTtl}, renewed at a third of it, lock delay 0), holding {@code holder}.
     */
    @Override
    public boolean lock(String name, String holder) {
        String key = prefix + "locks/" + Checks.identifier("name", name);
        synchronized (sessionLock) {
            if (closed.get()) {
                return false;
            }
            try {
                ensureSession(holder);
                return consul.keyValueClient().acquireLock(key, holder, session);
            } catch (ConsulException e) {
                if (e.getCode() == 500 && String.valueOf(e.getMessage()).contains("session")) {
                    session = null;
                }
                throw unavailable("lock " + name, e);
            } catch (RuntimeException e) {
                throw unavailable("lock " + name, e);
            }
        }
    }

    @Override
    public void unlock(String name) {
        String key = prefix + "locks/" + Checks.identifier("name", name);
        synchronized (sessionLock) {
            if (session == null || closed.get()) {
                return;
            }
            try {
                consul.keyValueClient().releaseLock(key, session);
            } catch (RuntimeException e) {
                LOG.debug("{} - cannot release lock {}: {}", label, name, e.toString());
            }
        }
    }

    /** Makes this store's session when there is none, and the thread that renews it; under sessionLock. */
    private void ensureSession(String node) {
        if (session == null) {
            session = consul.sessionClient().createSession(org.kiwiproject.consul.model.session.ImmutableSession
                    .builder().name("thalassa node " + node).ttl(sessionTtl.toSeconds() + "s")
                    .behavior("delete").lockDelay("0s").build()).getId();
        }
        if (renewer == null) {
            renewer = new Thread(this::renewLoop, "thalassa-consul-session");
            renewer.setDaemon(true);
            renewer.start();
        }
    }

    private StoreUnavailableException unavailable(String what, RuntimeException e) {
        String message = label + " - cannot " + what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        return new StoreUnavailableException(message, e);
    }

    /** {@code frontend/<key>} or {@code backend/<key>}, the key a HAProxy identifier. */
    static String checkId(String id) {
        Checks.notNull("id", id);
        int slash = id.indexOf('/');
        String kind = slash < 0 ? "" : id.substring(0, slash);
        if (!kind.equals("frontend") && !kind.equals("backend")) {
            throw new IllegalArgumentException("id must be frontend/<key> or backend/<key>: " + Checks.quote(id));
        }
        Checks.identifier("id", id.substring(slash + 1));
        return id;
    }

    private static long checkVersion(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("expectedVersion must be ConfigStore.ANY, NEW or a version: " + v);
        }
        return v;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The key {@code <prefix>nodes/<node>} is acquired by this store's session (created on the first call, TTL
     * {@link Builder#sessionTtl}, behaviour {@code delete}) and renewed at a third of its TTL. When the session was lost
     * (Consul was away longer than the TTL) a new one is made and the latest state published again.
     *
     * @throws IllegalStateException     when another live session holds the key: another node runs with this name
     * @throws StoreUnavailableException when Consul cannot be reached; the caller publishes again later
     */
    @Override
    public void publishNode(String node, String json) {
        Checks.identifier("node", node);
        Checks.notNull("json", json);
        synchronized (sessionLock) {
            if (closed.get()) {
                throw new IllegalStateException(label + " is closed");
            }
            published.put(node, json);
            acquire(node, json);
        }
    }

    private void acquire(String node, String json) {
        try {
            ensureSession(node);
            if (!consul.keyValueClient().acquireLock(nodesPrefix + node, json, session)) {
                throw new IllegalStateException(label + " - node " + node + " is published by another live"
                        + " session: is another node running with the same --label?");
            }
        } catch (ConsulException e) {
            if (e.getCode() == 500 && String.valueOf(e.getMessage()).contains("session")) {
                session = null; // gone (expired while Consul was away): the next call makes a new one
            }
            throw unavailable("publish node " + node, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith(label)) {
                throw e;
            }
            throw unavailable("publish node " + node, e);
        }
    }

    /** Renews the session at a third of its TTL; a session found gone is made again and every node republished. */
    private void renewLoop() {
        long period = Math.max(1000, sessionTtl.toMillis() / 3);
        while (!closed.get()) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (sessionLock) {
                if (closed.get()) {
                    return;
                }
                try {
                    if (session != null && consul.sessionClient().renewSession(session).isEmpty()) {
                        session = null;
                    }
                    if (session == null) {
                        published.forEach(this::acquire);
                    }
                } catch (RuntimeException e) {
                    if (e instanceof ConsulException ce && ce.getCode() == 404) {
                        session = null;
                    }
                    LOG.debug("{} - session renewal failed, retrying: {}", label, e.toString());
                }
            }
        }
    }

    @Override
    public Map<String, String> nodes() {
        try {
            List<Value> values = consul.keyValueClient().getConsulResponseWithValues(nodesPrefix).getResponse();
            Map<String, String> nodes = new TreeMap<>();
            if (values != null) {
                for (Value v : values) {
                    String node = v.getKey().substring(nodesPrefix.length());
                    if (!node.isEmpty() && v.getSession().isPresent()) {
                        nodes.put(node, v.getValueAsString(StandardCharsets.UTF_8).orElse(""));
                    }
                }
            }
            return nodes;
        } catch (ConsulException | IllegalStateException e) {
            throw unavailable("read nodes", e);
        }
    }

    @Override
    public Watch watch(long fromIndex, Consumer<Snapshot> listener, Consumer<RegistryHealth> health) {
        Checks.notNull("listener", listener);
        Checks.notNull("health", health);
        if (closed.get()) {
            throw new IllegalStateException(label + " is closed");
        }
        StoreWatch w = new StoreWatch(label, fromIndex, index -> snapshot(blocking.keyValueClient()
                .getConsulResponseWithValues(configPrefix, QueryOptions.blockSeconds((int) Math.max(1,
                        wait.toSeconds()), BigInteger.valueOf(index)).build())), retryMin, retryMax, listener, health,
                watches::remove);
        watches.add(w);
        w.start();
        return w;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (StoreWatch w : watches) {
            w.close();
        }
        synchronized (sessionLock) {
            if (renewer != null) {
                renewer.interrupt();
            }
            if (session != null) {
                try {
                    consul.sessionClient().destroySession(session); // a node that stops says so at once
                } catch (RuntimeException e) {
                    LOG.debug("{} - cannot destroy session {}: {}", label, session, e.toString());
                }
                session = null;
            }
        }
        consul.destroy();
        blocking.destroy();
    }

    /** Configures a {@link ConsulConfigStore}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8500;
        private String prefix = "thalassa/default/";
        private String aclToken;
        private Duration wait = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration retryMin = Duration.ofMillis(200);
        private Duration retryMax = Duration.ofSeconds(5);
        private Duration sessionTtl = Duration.ofSeconds(15);

        private Builder() {
        }

        /**
         * TTL of the session that holds this node's published state: how long after a node dies (or loses Consul) its
         * state disappears; 10 s..1 h (Consul's bounds), default 15 s.
         */
        public Builder sessionTtl(Duration ttl) {
            this.sessionTtl = Checks.duration("sessionTtl", ttl, Duration.ofSeconds(10), Duration.ofHours(1));
            return this;
        }

        /** The agent's HTTP API; default 127.0.0.1:8500. */
        public Builder agent(String host, int port) {
            this.host = Checks.host("host", host);
            this.port = Checks.port("port", port);
            return this;
        }

        /** The key prefix, e.g. {@code thalassa/dc1/} (a trailing slash is added); default {@code thalassa/default/}. */
        public Builder prefix(String prefix) {
            Checks.noControl("prefix", Checks.notNull("prefix", prefix));
            if (prefix.isEmpty() || prefix.startsWith("/") || prefix.contains("..")) {
                throw new IllegalArgumentException("prefix must be a relative KV path such as thalassa/dc1/: "
                        + Checks.quote(prefix));
            }
            this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
            return this;
        }

        /** An ACL token sent with every call, printable ASCII without spaces; null (the default) sends none. */
        public Builder aclToken(String token) {
            this.aclToken = AgentClients.aclToken(token);
            return this;
        }

        /** How long a blocking query waits for a change; 1 s..10 min, default 30 s. */
        public Builder wait(Duration wait) {
            this.wait = Checks.duration("wait", wait, Duration.ofSeconds(1), Duration.ofMinutes(10));
            return this;
        }

        /** Bound of every other call; 100 ms..1 min, default 5 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.duration("requestTimeout", timeout, Duration.ofMillis(100),
                    Duration.ofMinutes(1));
            return this;
        }

        public ConsulConfigStore build() {
            return new ConsulConfigStore(this);
        }
    }
}
