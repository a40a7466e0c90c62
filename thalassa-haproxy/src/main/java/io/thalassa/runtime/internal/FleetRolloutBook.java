package io.thalassa.runtime.internal;

import io.thalassa.StoreUnavailableException;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.internal.RolloutCounters.Server;
import io.thalassa.runtime.internal.RolloutCounters.Totals;
import io.thalassa.spi.ConfigStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The rollouts of a fleet, in its store ({@code <prefix>rollouts/<backend>} in Consul): every node reads them, and
 * the one that holds a rollout's lock ({@code <prefix>locks/rollout-<backend>}, held by the node's Consul session, so
 * it is released when the node dies) drives it. Every node measures the current step on its own HAProxy and publishes
 * its numbers in its node state every second; the driver adds them to its own ({@link #peers}).
 */
final class FleetRolloutBook implements RolloutBook {
    static final String KIND = "rollouts";
    private static final Logger LOG = LoggerFactory.getLogger(FleetRolloutBook.class);
    private static final long LOCK_CHECK_MS = 1000;
    private static final long READ_EVERY_MS = 500;
    private static final long PEERS_EVERY_MS = 500;
    private static final long PUBLISHED_FOR_MS = 10_000;

    private final ConfigStore store;
    private final FleetState state;
    /** The version of each record this node wrote or took in last, and the one read last. */
    private final Map<String, Long> accepted = new ConcurrentHashMap<>();
    private final Map<String, Long> read = new ConcurrentHashMap<>();
    private final Map<String, Lock> locks = new ConcurrentHashMap<>();
    private List<RolloutStatus> lastRead = List.of();
    private long lastReadAt;
    private Map<String, Map<String, Object>> peers = Map.of();
    private long peersAt;
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();

    private record Lock(boolean held, long checkedAt) {
    }

    FleetRolloutBook(ConfigStore store, FleetState state) {
        this.store = store;
        this.state = state;
    }

    @Override
    public synchronized List<RolloutStatus> load() {
        long now = System.currentTimeMillis();
        if (now - lastReadAt < READ_EVERY_MS) {
            return lastRead;
        }
        try {
            List<RolloutStatus> out = new ArrayList<>();
            for (ConfigStore.Item item : store.records(KIND).values()) {
                try {
                    RolloutStatus s = RolloutCodec.read(item.json());
                    read.put(s.backend(), item.version());
                    accepted.putIfAbsent(s.backend(), item.version());
                    out.add(s);
                } catch (RuntimeException e) {
                    LOG.warn("fleet - rollout record {} cannot be read: {}", item.id(), e.toString());
                }
            }
            lastRead = out;
            lastReadAt = now;
        } catch (StoreUnavailableException e) {
            LOG.debug("fleet - rollouts cannot be read now: {}", e.toString());
        }
        return lastRead;
    }

    @Override
    public boolean changedElsewhere(String backend) {
        Long r = read.get(backend);
        return r != null && !r.equals(accepted.get(backend));
    }

    @Override
    public void accept(String backend) {
        Long r = read.get(backend);
        if (r != null) {
            accepted.put(backend, r);
        }
    }

    @Override
    public void save(RolloutStatus s) {
        try {
            long v = store.putRecord(KIND, s.backend(), RolloutCodec.text(s), ConfigStore.ANY);
            accepted.put(s.backend(), v);
            read.put(s.backend(), v);
            synchronized (this) {
                lastReadAt = 0; // read again at the next look
            }
        } catch (StoreUnavailableException e) {
            LOG.warn("fleet - cannot keep rollout {} in {} ({}): the next change of it tries again", s.id(),
                    store.name(), e.getMessage());
        }
    }

    @Override
    public boolean drives(String backend) {
        long now = System.currentTimeMillis();
        Lock l = locks.get(backend);
        if (l != null && now - l.checkedAt() < LOCK_CHECK_MS) {
            return l.held();
        }
        boolean held;
        try {
            held = store.lock("rollout-" + backend, state.node());
        } catch (StoreUnavailableException e) {
            held = false; // a node that cannot reach the store does not drive
        }
        locks.put(backend, new Lock(held, now));
        return held;
    }

    @Override
    public void release(String backend) {
        Lock l = locks.remove(backend);
        if (l != null && l.held()) {
            store.unlock("rollout-" + backend);
        }
    }

    @Override
    public void publish(String id, int step, Map<String, Totals> numbers) {
        Map<String, Object> versions = new TreeMap<>();
        numbers.forEach((v, t) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("requests", t.served().requests());
            one.put("errors", t.served().errors());
            one.put("rtime", t.served().rtime());
            one.put("members", t.members());
            one.put("down", t.down());
            versions.put(v, one);
        });
        state.rollouts.put(id, Map.of("step", step, "versions", versions));
        long now = System.currentTimeMillis();
        publishedAt.put(id, now);
        publishedAt.forEach((other, at) -> {
            if (now - at > PUBLISHED_FOR_MS) {
                publishedAt.remove(other);
                state.rollouts.remove(other);
            }
        });
    }

    @Override
    public Map<String, Map<String, Totals>> peers(String id, int step) {
        Map<String, Map<String, Object>> all = nodes();
        Map<String, Map<String, Totals>> out = new TreeMap<>();
        all.forEach((node, rollouts) -> {
            if (node.equals(state.node()) || !(rollouts.get(id) instanceof JsonNode r)
                    || r.path("step").asInt() != step) {
                return;
            }
            Map<String, Totals> versions = new TreeMap<>();
            r.path("versions").properties().forEach(e -> {
                JsonNode x = e.getValue();
                versions.put(e.getKey(), new Totals(new Server(x.path("requests").asLong(), x.path("errors").asLong(),
                        x.path("rtime").asLong(), false), x.path("members").asInt(), x.path("down").asInt()));
            });
            out.put(node, versions);
        });
        return out;
    }

    /** Every live node's published rollout numbers, read at most twice a second. */
    private synchronized Map<String, Map<String, Object>> nodes() {
        long now = System.currentTimeMillis();
        if (now - peersAt < PEERS_EVERY_MS) {
            return peers;
        }
        Map<String, Map<String, Object>> out = new TreeMap<>();
        try {
            store.nodes().forEach((node, json) -> {
                try {
                    JsonNode rollouts = Documents.mapper().readTree(json).path("rollouts");
                    Map<String, Object> byId = new TreeMap<>();
                    rollouts.properties().forEach(e -> byId.put(e.getKey(), e.getValue()));
                    out.put(node, byId);
                } catch (RuntimeException e) {
                    // a node whose state cannot be read adds nothing
                }
            });
            peers = out;
            peersAt = now;
        } catch (StoreUnavailableException e) {
            LOG.debug("fleet - node states cannot be read now: {}", e.toString());
        }
        return peers;
    }

    @Override
    public String node() {
        return state.node();
    }

    @Override
    public String counting() {
        return "every live node's HAProxy: the driver's counters read at every tick, plus the numbers each other node"
                + " publishes in its state every second for the same step";
    }

    @Override
    public boolean shared() {
        return true;
    }
}
