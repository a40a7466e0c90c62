package io.thalassa.runtime.internal;

import io.thalassa.StoreUnavailableException;
import io.thalassa.haproxy.ControllerStatus;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * What the nodes of a fleet say about themselves: this node's state, published to the store (held by a session, so a
 * dead node disappears), and the view of every live node and whether it runs the newest revision.
 */
final class FleetState {
    private static final Logger LOG = LoggerFactory.getLogger(FleetState.class);

    /** A revision this node could not apply, in the words of whoever refused it. */
    record Failure(long revision, String message, Instant at) {
        /** As the node's state and {@code /status} show it, or null for none. */
        static Map<String, Object> view(Failure f) {
            return f == null ? null : Map.of("revision", f.revision(), "message", f.message(), "at", f.at().toString());
        }
    }

    private final ConfigStore store;
    private final String node;
    private volatile String api;
    private volatile String lastPublished;
    volatile long appliedRevision;
    volatile long latestRevision;
    volatile Failure failure;
    volatile boolean stale;
    volatile RegistryHealth storeHealth = RegistryHealth.connected(Instant.now());
    /** Items of the store this node leaves out, with why. */
    volatile Map<String, String> skipped = Map.of();
    private volatile Supplier<HaproxyController> controller = () -> null;
    /** This node's numbers of the rollouts' current steps, for their drivers: rollout id to step and numbers. */
    final Map<String, Object> rollouts = new java.util.concurrent.ConcurrentHashMap<>();

    FleetState(ConfigStore store, String node, String api) {
        this.store = store;
        this.node = node;
        this.api = api;
    }

    String node() {
        return node;
    }

    void controller(Supplier<HaproxyController> c) {
        controller = c;
    }

    void api(String url) {
        api = url;
    }

    /** What this node says of itself, in its published state and in {@code /status}. */
    Map<String, Object> self() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", node);
        s.put("revision", appliedRevision);
        s.put("stale", stale);
        s.put("failure", Failure.view(failure));
        s.put("skipped", skipped);
        return s;
    }

    /** This node's state as it publishes it to the store. */
    private Map<String, Object> published() {
        Map<String, Object> s = self();
        s.put("api", api);
        if (!rollouts.isEmpty()) {
            s.put("rollouts", new TreeMap<>(rollouts));
        }
        HaproxyController c = controller.get();
        if (c != null) {
            ControllerStatus status = c.status();
            s.put("runsDesired", status.runsDesired());
            s.put("pending", status.pending().size()); // a reload, or joining members waiting for their first check
            s.put("reloads", status.reloads());
            s.put("failedReloads", status.failedReloads());
            s.put("masterPid", c.masterPid());
        }
        return s;
    }

    /** Publishes this node's state when it changed (or was not published yet). */
    void publish() {
        try {
            String state = Documents.text(published());
            if (!state.equals(lastPublished)) {
                store.publishNode(node, state);
                lastPublished = state;
            }
        } catch (RuntimeException e) {
            LOG.debug("fleet - cannot publish node {} now: {}", node, e.toString());
        }
    }

    /**
     * Every live node and whether it runs the newest revision: {@code revision}, {@code converged}, {@code nodes}
     * (each as it published itself, with {@code current}), this node's name and the store.
     *
     * @throws StoreUnavailableException when the store cannot be read
     */
    Map<String, Object> view() {
        Map<String, String> nodes = store.nodes();
        long latest = latestRevision;
        List<Object> list = new ArrayList<>();
        boolean converged = true;
        for (Map.Entry<String, String> e : nodes.entrySet()) {
            Map<String, Object> n = new LinkedHashMap<>();
            try {
                JsonNode json = Documents.mapper().readTree(e.getValue());
                @SuppressWarnings("unchecked")
                Map<String, Object> m = Documents.mapper().convertValue(json, Map.class);
                n.putAll(m);
            } catch (tools.jackson.core.JacksonException | IllegalArgumentException ex) {
                n.put("node", e.getKey());
                n.put("unreadable", e.getValue());
            }
            boolean current = n.get("revision") instanceof Number r && r.longValue() >= latest
                    && n.get("failure") == null && serves(n);
            n.put("current", current);
            converged &= current;
            list.add(n);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revision", latest);
        body.put("converged", converged && !list.isEmpty());
        body.put("self", node);
        body.put("nodes", list);
        body.put("store", storeStatus());
        return body;
    }

    /** Waits at most {@code timeout} until every live node runs {@code revision} (or failed to); the view then. */
    Map<String, Object> await(long revision, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> view = view();
            boolean settled = true;
            for (Object o : (List<?>) view.get("nodes")) {
                Map<?, ?> n = (Map<?, ?>) o;
                boolean runs = n.get("revision") instanceof Number r && r.longValue() >= revision && serves(n);
                boolean failed = n.get("failure") instanceof Map<?, ?> f && f.get("revision") instanceof Number fr
                        && fr.longValue() >= revision;
                settled &= runs || failed;
            }
            if (settled || System.nanoTime() >= deadline) {
                return view;
            }
            Thread.sleep(20);
        }
    }

    /**
     * Whether a node's HAProxy serves what the node applied: the structure it accepted, and no change pending (a
     * reload, or members joining behind their first check, which a version switch waits for). A node that publishes
     * no {@code pending} (an older one) is judged by {@code runsDesired} alone.
     */
    private static boolean serves(Map<?, ?> n) {
        return Boolean.TRUE.equals(n.get("runsDesired"))
                && (!(n.get("pending") instanceof Number p) || p.longValue() == 0);
    }

    private Map<String, Object> storeStatus() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", store.name());
        s.put("health", storeHealth);
        return s;
    }

    /** {@code fleet} of {@code /status}: this node, the revision it runs, the newest seen, stale, failure, nodes. */
    Map<String, Object> status() {
        Map<String, Object> f = self();
        f.put("latestRevision", latestRevision);
        f.put("store", storeStatus());
        try {
            Map<String, Object> view = view();
            f.put("converged", view.get("converged"));
            Map<String, Object> nodes = new TreeMap<>();
            for (Object o : (List<?>) view.get("nodes")) {
                Map<?, ?> n = (Map<?, ?>) o;
                nodes.put(String.valueOf(n.get("node")), Boolean.TRUE.equals(n.get("current")) ? "current"
                        : n.get("failure") != null ? "failed" : "behind");
            }
            f.put("nodes", nodes);
        } catch (StoreUnavailableException e) {
            f.put("converged", null);
            f.put("nodes", null);
        }
        return f;
    }
}
