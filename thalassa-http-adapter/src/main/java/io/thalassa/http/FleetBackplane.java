package io.thalassa.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thalassa.Backend;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.consul.ConsulConfigStore;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.http.internal.ApiException;
import io.thalassa.http.internal.Json;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.ConfigStore.Item;
import io.thalassa.spi.ConfigStore.Snapshot;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a fleet: its own HAProxy (a {@link StackBackplane}) running the configuration that every node shares
 * in a {@link ConfigStore} (Consul's KV store with {@code --store consul}).
 *
 * <ul>
 *   <li><b>Writes</b> read the store, apply the API's change to what it holds (so If-Match is judged against the
 *       newest version of the item, whichever node wrote it), check the result as HAProxy would run it, and write
 *       the items that changed with check-and-set on their versions. A write that lost a race is done again on the
 *       newer state, where If-Match then fails with 412. The answer comes once the store has the write, and this
 *       node runs it.</li>
 *   <li><b>Every node watches</b> the store and applies each new revision to its own HAProxy, with the same split
 *       between runtime changes and reloads. A revision this node cannot apply (a bind address it cannot open) is
 *       reported as this node's failure; it keeps serving what it ran, and the others are not affected.</li>
 *   <li><b>State.</b> Each node publishes what it runs (the revision, failures, whether HAProxy runs it) to the store,
 *       held by a session so a dead node disappears; {@link #fleet()} reads every node's.</li>
 *   <li><b>Faults.</b> Writes while the store is unreachable fail with {@link StoreUnavailableException} (503);
 *       HAProxy keeps serving. A cache file under {@code --dbPath} lets a node start while the store is down: it then
 *       serves the cached revision, marked stale, until the store answers again.</li>
 * </ul>
 */
public final class FleetBackplane implements Backplane, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetBackplane.class);
    private static final int WRITE_ATTEMPTS = 20;
    private static final Duration PUBLISH_PERIOD = Duration.ofSeconds(1);

    private final StackBackplane stack;
    private final ConfigStore store;
    private final String storeName;
    private final String node;
    private volatile String api;
    private final Path cacheFile;
    /** Serializes this node's applies and writes, so revisions are applied in order. */
    private final Object lock = new Object();
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thalassa-fleet");
        t.setDaemon(true);
        return t;
    });
    private volatile long appliedRevision;
    private volatile long latestRevision;
    private long lastWatched; // guarded by lock
    private volatile Failure failure;
    private volatile boolean stale;
    private volatile RegistryHealth storeHealth = RegistryHealth.connected(Instant.now());
    private volatile String lastPublished;
    private volatile Snapshot toCache;
    /** Items of the store this node leaves out, with why. */
    private volatile Map<String, String> skipped = Map.of();
    private ConfigStore.Watch watch;

    /** A revision this node could not apply, in the words of whoever refused it. */
    record Failure(long revision, String message, Instant at) {
        /** As the node's state and {@code /status} show it, or null for none. */
        static Map<String, Object> view(Failure f) {
            return f == null ? null : Map.of("revision", f.revision(), "message", f.message(), "at", f.at().toString());
        }
    }

    /** An item of the store, parsed once per version. */
    private record Parsed(long version, Object item) {
    }

    private FleetBackplane(StackBackplane stack, ConfigStore store, String storeName, String node, String api,
            Path cacheFile) {
        this.stack = stack;
        this.store = store;
        this.storeName = storeName;
        this.node = node;
        this.api = api;
        this.cacheFile = cacheFile;
    }

    /**
     * Starts a fleet node as the options say ({@code --store consul}): reads the store (or, when Consul cannot be
     * reached, the cache of an earlier run, marked stale), starts or adopts HAProxy with it, so the node serves the
     * newest configuration from its first request, then watches the store.
     *
     * @throws IllegalStateException when neither the store nor a cache can be read, or HAProxy rejects what they hold
     */
    public static FleetBackplane start(DaemonOptions options) throws IOException {
        String agentHost = options.serviceReg() == null ? "127.0.0.1" : options.serviceReg();
        ConsulConfigStore store = ConsulConfigStore.builder().agent(agentHost, options.serviceRegPort())
                .prefix(options.storePrefix()).build();
        String storeName = "consul kv " + io.thalassa.Member.addressOf(agentHost, options.serviceRegPort()) + "/"
                + options.storePrefix();
        try {
            return start(options, store, storeName, () -> ConsulRegistry.builder()
                    .agent(agentHost, options.serviceRegPort()).datacenter(options.datacenter()).build());
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * {@link #start(DaemonOptions)} with the given store and registry (the library's way to run a fleet node).
     * When HAProxy refuses the store's newest revision on this node (a bind address taken on this machine), the node
     * starts with the revision of its cache, the last it ran, and reports the newer one as its failure.
     *
     * @param registry makes the registry (a second one when the first start is refused)
     */
    public static FleetBackplane start(DaemonOptions options, ConfigStore store, String storeName,
            java.util.function.Supplier<Registry> registry) throws IOException {
        Files.createDirectories(options.dbPath());
        Path cache = options.dbPath().resolve("fleet-cache.json");
        Snapshot initial;
        boolean stale = false;
        try {
            initial = store.readAll();
        } catch (StoreUnavailableException e) {
            Optional<Snapshot> cached = readCache(cache);
            if (cached.isEmpty()) {
                throw new IllegalStateException("cannot read the configuration store (" + e.getMessage()
                        + ") and there is no cache " + cache + " of an earlier run: start once with the store"
                        + " reachable", e);
            }
            initial = cached.get();
            stale = true;
            LOG.warn("fleet - {} cannot be read ({}); serving the cached revision {} from {}, marked stale, until it"
                    + " answers", storeName, e.getMessage(), initial.index(), cache);
        }
        String node = options.label() != null ? options.label() : defaultNodeName(options);
        String api = (options.tls() ? "https" : "http") + "://"
                + io.thalassa.Member.addressOf(options.host(), options.port());
        FleetBackplane parser = new FleetBackplane(null, store, storeName, node, api, cache);
        StackBackplane stack;
        Failure refused = null;
        Snapshot running = initial;
        try {
            stack = StackBackplane.start(options, parser.configOf(initial), registry.get(), storeName
                    + " revision " + initial.index());
        } catch (IllegalStateException e) {
            Optional<Snapshot> cached = stale ? Optional.empty() : readCache(cache);
            if (cached.isEmpty() || cached.get().index() >= initial.index()) {
                throw e;
            }
            refused = new Failure(initial.index(), e.getMessage(), Instant.now());
            running = cached.get();
            LOG.warn("fleet - node {} cannot run revision {} ({}); starting with revision {}, the last it ran", node,
                    initial.index(), e.getMessage(), running.index());
            stack = StackBackplane.start(options, parser.configOf(running), registry.get(), "the cache "
                    + cache + " (revision " + running.index() + ")");
        }
        awaitRunning(stack, options.reloadWindow().plusSeconds(30));
        FleetBackplane started = new FleetBackplane(stack, store, storeName, node, api, cache);
        started.parsed.putAll(parser.parsed);
        started.skipped = parser.skipped;
        started.appliedRevision = running.index();
        started.latestRevision = initial.index();
        started.failure = refused;
        started.stale = stale;
        if (!stale && refused == null) {
            started.cache(initial);
        }
        started.stack.addListener(e -> {
            if (e.verb() == Verb.RELOAD_DONE || e.verb() == Verb.RELOAD_FAILED || e.verb() == Verb.HAPROXY_RESTARTED) {
                started.publishSoon(); // whether HAProxy runs the revision is part of the node's state
            }
        });
        started.watch = store.watch(stale ? 0 : initial.index(), started::onSnapshot, started::onHealth);
        started.background.scheduleWithFixedDelay(started::publish, 0, PUBLISH_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("fleet - node {} runs revision {} of {}{}", node, running.index(), storeName,
                stale ? " (stale: from the cache)" : "");
        return started;
    }

    /**
     * Waits until HAProxy runs what the stack was started with (an adopted HAProxy that missed revisions reloads), so
     * the node serves the newest revision from its first request; a failure is reported, not fatal.
     */
    private static void awaitRunning(StackBackplane stack, Duration timeout) {
        Optional<ChangeStatus> latest = stack.latestChange();
        if (latest.isEmpty() || latest.get().isFinished()) {
            return;
        }
        try {
            Optional<ChangeStatus> done = stack.awaitChange(latest.get().id(), timeout);
            if (done.isPresent() && done.get().state() == ChangeStatus.State.FAILED) {
                LOG.warn("fleet - HAProxy refused the starting revision: {}", done.get().message());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String defaultNodeName(DaemonOptions options) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        String name = (host + "-" + options.port()).replaceAll("[^A-Za-z0-9_.-]", "-");
        return name.length() > 60 ? name.substring(0, 60) : name;
    }

    // ---- applying the store

    private void onSnapshot(Snapshot s) {
        stale = false;
        synchronized (lock) {
            if (s.index() < lastWatched) {
                // the watch went back: Consul's index was reset (a restored snapshot, a new cluster); start over
                LOG.warn("fleet - {} went back from index {} to {}; applying what it holds now", storeName,
                        lastWatched, s.index());
                appliedRevision = 0;
                latestRevision = 0;
            }
            lastWatched = s.index();
            apply(s);
        }
    }

    private void onHealth(RegistryHealth h) {
        boolean was = storeHealth.isConnected();
        storeHealth = h;
        if (was && !h.isConnected()) {
            emit(Verb.STORE_UNAVAILABLE, storeName + " cannot be reached (" + h.detail() + "); this node"
                    + " keeps serving revision " + appliedRevision);
        } else if (!was && h.isConnected()) {
            emit(Verb.STORE_RECOVERED, storeName + " answers again");
        }
    }

    /** Applies {@code s} unless this node runs it or a newer one already; the change that carries it, or null. */
    private Backplane.Written apply(Snapshot s) {
        synchronized (lock) {
            latestRevision = Math.max(latestRevision, s.index());
            if (s.index() <= appliedRevision) {
                return null;
            }
            try {
                ThalassaConfig next = configOf(s);
                Backplane.Written w = stack.write(c -> next);
                appliedRevision = s.index();
                if (failure != null) {
                    failure = null;
                }
                cache(s);
                emit(Verb.STORE_APPLIED, "revision " + s.index() + " of " + storeName);
                return w;
            } catch (RuntimeException e) {
                String message = e instanceof ConfigRejectedException r ? r.haproxyMessage() : String.valueOf(
                        e.getMessage());
                failure = new Failure(s.index(), message, Instant.now());
                LOG.warn("fleet - node {} cannot apply revision {} of {}, keeps serving revision {}: {}", node,
                        s.index(), storeName, appliedRevision, message);
                emit(Verb.STORE_APPLY_FAILED, "revision " + s.index() + ": " + message + "; this node keeps serving"
                        + " revision " + appliedRevision);
                return null;
            } finally {
                publishSoon();
            }
        }
    }

    /**
     * The configuration the items of {@code s} describe. An item that cannot be read, or a frontend whose address
     * another frontend of the store took first (two nodes each accepted one of them at the same moment), is left out
     * and reported in {@link #skipped}: every node leaves out the same ones, since the older version wins.
     */
    private ThalassaConfig configOf(Snapshot s) {
        List<Item> frontends = new ArrayList<>();
        List<Backend> backends = new ArrayList<>();
        Map<String, String> left = new TreeMap<>();
        for (Item item : s.items().values()) {
            try {
                Object value = parse(item);
                if (value instanceof Backend b) {
                    backends.add(b);
                } else {
                    frontends.add(item);
                }
            } catch (RuntimeException e) {
                left.put(item.id(), "version " + item.version() + " cannot be read: " + e.getMessage());
            }
        }
        ThalassaConfig config = ThalassaConfig.of(List.of(), backends);
        frontends.sort(java.util.Comparator.comparingLong(Item::version).thenComparing(Item::id));
        for (Item item : frontends) {
            try {
                config = config.withFrontend((Frontend) parse(item));
            } catch (IllegalArgumentException e) {
                left.put(item.id(), "version " + item.version() + " left out: " + e.getMessage());
            }
        }
        parsed.keySet().retainAll(s.items().keySet());
        if (!left.equals(skipped)) {
            Map<String, String> before = skipped;
            left.forEach((id, why) -> {
                if (!why.equals(before.get(id))) {
                    LOG.warn("fleet - {} {}", id, why);
                }
            });
            skipped = Map.copyOf(left);
        }
        return config;
    }

    private Object parse(Item item) {
        Parsed p = parsed.get(item.id());
        if (p != null && p.version() == item.version()) {
            return p.item();
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(item.json());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        String kind = item.id().substring(0, item.id().indexOf('/'));
        String key = item.id().substring(kind.length() + 1);
        if (!(json instanceof ObjectNode o) || !key.equals(o.path("key").asText())) {
            throw new IllegalArgumentException("not a " + kind + " document with key " + key);
        }
        Object value;
        try {
            value = kind.equals("frontend") ? Json.convert(o, Frontend.class) : Json.convert(o, Backend.class);
        } catch (ApiException e) {
            throw new IllegalArgumentException((e.field() == null ? "" : e.field() + ": ") + e.reason(), e);
        }
        parsed.put(item.id(), new Parsed(item.version(), value));
        return value;
    }

    // ---- writing

    /** {@inheritDoc} */
    @Override
    public ThalassaConfig config() {
        return stack.config();
    }

    @Override
    public ThalassaConfig update(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        return write(change).config();
    }

    /**
     * {@inheritDoc}
     *
     * <p>In a fleet: the change is applied to what the store holds now, checked as this node's HAProxy would run it,
     * and written with check-and-set; it is answered once the store has it and this node runs it.
     *
     * @throws StoreUnavailableException when the store cannot be reached (nothing is written, or the outcome is
     *                                   unknown: the message says which)
     * @throws StoreConflictException    when other writers won the race on the same items every time
     */
    @Override
    public Written write(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        synchronized (lock) {
            for (int attempt = 1; ; attempt++) {
                Snapshot s;
                try {
                    s = store.readAll();
                } catch (StoreUnavailableException e) {
                    throw new StoreUnavailableException(storeName + " cannot be reached: nothing was written, every"
                            + " node keeps serving what it runs (" + e.getMessage() + ")", e);
                }
                stale = false;
                apply(s);
                ThalassaConfig base = withLocalMembers(configOf(s));
                ThalassaConfig next = change.apply(base);
                Map<String, String> puts = new TreeMap<>();
                List<String> deletes = new ArrayList<>();
                diff(base, next, puts, deletes);
                if (puts.isEmpty() && deletes.isEmpty()) {
                    return new Written(stack.config(), stack.latestChange().orElse(null));
                }
                stack.validate(next); // haproxy -c only when the controller finds the change structural
                try {
                    commit(s, puts, deletes);
                } catch (StoreConflictException e) {
                    if (attempt >= WRITE_ATTEMPTS) {
                        throw e;
                    }
                    LOG.debug("fleet - {}; applying the change again to the newer state", e.getMessage());
                    continue;
                }
                Snapshot after = store.readAll();
                Written w = apply(after);
                if (w != null) {
                    return new Written(w.config(), w.change(), after.index());
                }
                // this node could not run it (see failure); the store has it: answer what the store holds
                return new Written(withLocalMembers(configOf(after)), null, after.index());
            }
        }
    }

    /** Writes {@code puts} and {@code deletes} with check-and-set on the versions {@code s} has for them. */
    private void commit(Snapshot s, Map<String, String> puts, List<String> deletes) {
        int done = 0;
        try {
            for (Map.Entry<String, String> e : puts.entrySet()) {
                Item now = s.items().get(e.getKey());
                store.put(e.getKey(), e.getValue(), now == null ? ConfigStore.NEW : now.version());
                done++;
            }
            for (String id : deletes) {
                store.delete(id, s.items().get(id).version());
                done++;
            }
        } catch (StoreUnavailableException e) {
            throw new StoreUnavailableException(storeName + " cannot be reached: the change " + (done > 0
                    ? "was written in part (" + done + " of " + (puts.size() + deletes.size()) + " items)"
                    : "may or may not have been written") + "; read it back before trying again ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The items that differ between {@code base} and {@code next}, as the store keeps them (no dynamic members). */
    private static void diff(ThalassaConfig base, ThalassaConfig next, Map<String, String> puts, List<String> deletes) {
        for (Frontend f : next.frontends().values()) {
            if (!f.equals(base.frontends().get(f.key()))) {
                puts.put("frontend/" + f.key(), document(f));
            }
        }
        for (String k : base.frontends().keySet()) {
            if (!next.frontends().containsKey(k)) {
                deletes.add("frontend/" + k);
            }
        }
        for (Backend b : next.backends().values()) {
            Backend before = base.backends().get(b.key());
            if (before == null || !stored(before).equals(stored(b))) {
                puts.put("backend/" + b.key(), document(stored(b)));
            }
        }
        for (String k : base.backends().keySet()) {
            if (!next.backends().containsKey(k)) {
                deletes.add("backend/" + k);
            }
        }
    }

    private static Backend stored(Backend b) {
        return b.isDynamic() ? b.withMembers(List.of()) : b;
    }

    private static String document(Object item) {
        return new String(Json.write(item), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code c} with the members this node's registry gave the dynamic backends it has with the same service. */
    private ThalassaConfig withLocalMembers(ThalassaConfig c) {
        ThalassaConfig local = stack.config();
        ThalassaConfig out = c;
        for (Backend b : c.backends().values()) {
            Backend running = local.backends().get(b.key());
            if (b.isDynamic() && running != null && running.isDynamic() && stored(running).equals(b)) {
                out = out.withMembers(b.key(), running.members());
            }
        }
        return out;
    }

    // ---- the fleet's state

    /** What this node says of itself, in its published state and in {@code /status}. */
    private Map<String, Object> self() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", node);
        s.put("revision", appliedRevision);
        s.put("stale", stale);
        s.put("failure", Failure.view(failure));
        s.put("skipped", skipped);
        return s;
    }

    /** This node's state as it publishes it to the store. */
    private Map<String, Object> nodeState() {
        Map<String, Object> s = self();
        s.put("api", api);
        Object haproxy = stack.status().get("haproxy");
        if (haproxy instanceof Map<?, ?> h) {
            s.put("runsDesired", h.get("runsDesired"));
            s.put("reloads", h.get("reloads"));
            s.put("failedReloads", h.get("failedReloads"));
            s.put("masterPid", h.get("masterPid"));
        }
        return s;
    }

    private void publishSoon() {
        try {
            background.execute(this::publish);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** Publishes this node's state when it changed (or was not published yet); writes the cache. */
    private void publish() {
        try {
            Snapshot c = toCache;
            if (c != null) {
                toCache = null;
                writeCache(c);
            }
            String state = new String(Json.write(nodeState()), java.nio.charset.StandardCharsets.UTF_8);
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
    @Override
    public Optional<Map<String, Object>> fleet() {
        Map<String, String> nodes = store.nodes();
        long latest = latestRevision;
        List<Object> list = new ArrayList<>();
        boolean converged = true;
        for (Map.Entry<String, String> e : nodes.entrySet()) {
            Map<String, Object> n = new LinkedHashMap<>();
            try {
                JsonNode json = Json.MAPPER.readTree(e.getValue());
                @SuppressWarnings("unchecked")
                Map<String, Object> m = Json.MAPPER.convertValue(json, Map.class);
                n.putAll(m);
            } catch (IOException | IllegalArgumentException ex) {
                n.put("node", e.getKey());
                n.put("unreadable", e.getValue());
            }
            boolean current = n.get("revision") instanceof Number r && r.longValue() >= latest
                    && n.get("failure") == null && Boolean.TRUE.equals(n.get("runsDesired"));
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
        return Optional.of(body);
    }

    @Override
    public Optional<Map<String, Object>> awaitFleet(long revision, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> view = fleet().orElseThrow();
            boolean settled = true;
            for (Object o : (List<?>) view.get("nodes")) {
                Map<?, ?> n = (Map<?, ?>) o;
                boolean runs = n.get("revision") instanceof Number r && r.longValue() >= revision
                        && Boolean.TRUE.equals(n.get("runsDesired"));
                boolean failed = n.get("failure") instanceof Map<?, ?> f && f.get("revision") instanceof Number fr
                        && fr.longValue() >= revision;
                settled &= runs || failed;
            }
            if (settled || System.nanoTime() >= deadline) {
                return Optional.of(view);
            }
            Thread.sleep(20);
        }
    }

    private Map<String, Object> storeStatus() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", storeName);
        s.put("health", storeHealth);
        return s;
    }

    /** The stack's status with {@code fleet}: this node, the revision it runs, the newest seen, stale, failure. */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>(stack.status());
        Map<String, Object> f = self();
        f.put("latestRevision", latestRevision);
        f.put("store", storeStatus());
        try {
            Map<String, Object> view = fleet().orElseThrow();
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
        status.put("fleet", f);
        return status;
    }

    /** The address this node's API answers on, as it publishes it (the server knows its port once it listens). */
    void api(String url) {
        this.api = url;
        publishSoon();
    }

    /** The revision of the store this node runs. */
    public long appliedRevision() {
        return appliedRevision;
    }

    /** Whether this node serves a cached revision because the store could not be read since it started. */
    public boolean stale() {
        return stale;
    }

    /** This node's name in the fleet. */
    public String node() {
        return node;
    }

    /** The stack under this node. */
    public StackBackplane stack() {
        return stack;
    }

    // ---- the cache

    private void cache(Snapshot s) {
        toCache = s;
    }

    private void writeCache(Snapshot s) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("revision", s.index());
        Map<String, Object> items = new TreeMap<>();
        s.items().forEach((id, item) -> items.put(id, Map.of("version", item.version(), "json", item.json())));
        doc.put("items", items);
        try {
            Path tmp = Files.createTempFile(cacheFile.getParent(), cacheFile.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, Json.write(doc));
                Files.move(tmp, cacheFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warn("fleet - cannot write the cache {}: {}", cacheFile, e.toString());
        }
    }

    private static Optional<Snapshot> readCache(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode doc = Json.MAPPER.readTree(Files.readAllBytes(file));
            Map<String, Item> items = new TreeMap<>();
            doc.path("items").fields().forEachRemaining(e -> items.put(e.getKey(), new Item(e.getKey(),
                    e.getValue().path("json").asText(), e.getValue().path("version").asLong())));
            return Optional.of(new Snapshot(items, doc.path("revision").asLong()));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("the fleet cache " + file + " cannot be read: " + e, e));
        }
    }

    // ---- the rest is the stack's

    private void emit(Verb verb, String detail) {
        stack.emit(ThalassaEvent.now(verb, "fleet", detail));
    }

    @Override
    public Optional<ChangeStatus> change(long id) {
        return stack.change(id);
    }

    @Override
    public Optional<ChangeStatus> awaitChange(long id, Duration timeout) throws InterruptedException {
        return stack.awaitChange(id, timeout);
    }

    @Override
    public Registry registry() {
        return stack.registry();
    }

    @Override
    public String haproxyConfig() {
        return stack.haproxyConfig();
    }

    @Override
    public Optional<Object> stats() {
        return stack.stats();
    }

    @Override
    public List<io.thalassa.haproxy.StatRow> statRows() {
        return stack.statRows();
    }

    @Override
    public List<io.thalassa.haproxy.StatRow> proxyStatRows() {
        return stack.proxyStatRows();
    }

    @Override
    public List<io.thalassa.haproxy.StatRow> serverStatRows(List<io.thalassa.haproxy.StatRow> backends) {
        return stack.serverStatRows(backends);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        stack.addListener(listener);
    }

    @Override
    public void removeListener(ThalassaEvent.Listener listener) {
        stack.removeListener(listener);
    }

    @Override
    public Optional<Path> haproxyLogFile() {
        return stack.haproxyLogFile();
    }

    @Override
    public Optional<ChangeStatus> latestChange() {
        return stack.latestChange();
    }

    @Override
    public void onApply(java.util.function.BiConsumer<String, Duration> listener) {
        stack.onApply(listener);
    }

    /** Stops watching, removes this node from the fleet, closes the stack; HAProxy keeps serving. */
    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        background.shutdownNow();
        Snapshot c = toCache;
        if (c != null) {
            writeCache(c);
        }
        store.close();
        stack.close();
    }

    /** Closes after a start that failed: a HAProxy this node started is stopped. */
    public void abort() {
        if (watch != null) {
            watch.close();
        }
        background.shutdownNow();
        store.close();
        stack.abort();
    }
}
