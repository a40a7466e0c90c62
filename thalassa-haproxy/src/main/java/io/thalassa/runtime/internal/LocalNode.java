package io.thalassa.runtime.internal;

import io.thalassa.Bind;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.MembershipEngine;
import io.thalassa.MembershipEngine.Publication;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.ApplyResult;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.runtime.Edit;
import io.thalassa.runtime.FileConfigStore;
import io.thalassa.runtime.ItemVersions;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * One process's configuration: the {@link MembershipEngine} fills dynamic backends from the registry and hands every
 * configuration to the {@link HaproxyController} (runtime API for membership, validated reloads for structure).
 * Writes are group-committed ({@link GroupCommit}), and saved to the store <em>before</em> they are put in use: a
 * write that cannot be saved changes nothing, and one HAProxy refuses is taken out of the store again. Every commit that
 * changes the stored items is a revision of its {@link Revisions history} (none for a fleet's node: the fleet keeps
 * the store's).
 */
public final class LocalNode implements Node {
    private final Registry registry;
    private final HaproxyController controller;
    private final MembershipEngine engine;
    private final FileConfigStore store; // null: a fleet's node, whose store is the fleet's
    private final String bindAddress;
    private final GroupCommit<Committed> commits;
    private final Revisions history; // null: a fleet's node
    private final ItemTexts texts = new ItemTexts(); // under the group commit's lock
    /** Who wrote the changes of the commit being made; under the group commit's lock. */
    private final Set<String> authors = new TreeSet<>();
    private ThalassaConfig base = ThalassaConfig.empty(); // guarded by the group commit's lock
    private volatile boolean haproxyStarted;
    private final List<BiConsumer<String, Duration>> applyTimings = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** What a commit answered: the engine's publication and the versions of the stored items after it. */
    private record Committed(Publication publication, Map<String, Long> versions) {
    }

    private LocalNode(Registry registry, HaproxyController controller, FileConfigStore store, String bindAddress,
            ThalassaEvent.Listener events, UnaryOperator<MembershipEngine.Builder> tuning, Revisions history) {
        this.history = history;
        this.registry = registry;
        this.controller = controller;
        this.store = store;
        this.bindAddress = bindAddress;
        controller.addListener(events); // the registry's events are the caller's: it may start a node twice
        this.engine = tuning.apply(MembershipEngine.publishing(registry, this::toHaproxy).listener(events)).build();
        this.commits = new GroupCommit<>(engine::current, this::commit);
    }

    /**
     * Starts or adopts HAProxy with {@code initial} (members of its dynamic backends from the registry) as the first
     * configuration it gets; an adopted HAProxy that runs it already is not reloaded.
     *
     * @param controller makes the (not yet started) controller
     * @param tuning     the membership engine's settings (first delivery, removal guard)
     * @param store      where writes are saved first, or null for none (a fleet node: the fleet writes its store)
     * @param source     names where {@code initial} came from, for the error when HAProxy rejects it
     * @param save       whether to save {@code initial} to the store once HAProxy runs it (it is not what the store
     *                   holds)
     * @param history    the history of the stored items (a start that finds them changed records a revision), or
     *                   null for none (a fleet's node)
     * @throws IllegalStateException naming {@code source} when HAProxy rejects {@code initial} (an adopted HAProxy
     *                               keeps serving, a started one is stopped)
     */
    public static LocalNode start(Registry registry, java.util.function.Supplier<HaproxyController> controller,
            FileConfigStore store, String bindAddress, ThalassaEvent.Listener events,
            UnaryOperator<MembershipEngine.Builder> tuning, ThalassaConfig initial, String source, boolean save,
            Revisions history) throws IOException {
        LocalNode node = new LocalNode(registry, controller.get(), store, bindAddress, events, tuning, history);
        try {
            node.authors.add("start");
            node.commit(initial, false); // the first publication (members included) starts or adopts HAProxy
            if (!node.haproxyStarted) {
                node.toHaproxy(ThalassaConfig.empty()); // nothing was published: the empty configuration
            }
            if (save) { // once HAProxy runs it: the store keeps what it had if the start fails
                node.save(initial);
            }
        } catch (RuntimeException e) {
            node.abort(false);
            ConfigRejectedException rejected = rejectedCause(e);
            if (rejected == null) {
                throw e;
            }
            if (initial.equals(ThalassaConfig.empty())) {
                throw new IOException("HAProxy rejected the empty configuration: " + rejected.haproxyMessage(), e);
            }
            throw new IllegalStateException(source + " cannot be applied (" + rejected.getMessage()
                    + "); fix or move it, it is left untouched", e);
        }
        return node;
    }

    /** The engine's publisher: the first configuration starts (or adopts) HAProxy, every later one is applied. */
    private long toHaproxy(ThalassaConfig config) {
        try {
            if (!haproxyStarted) {
                controller.start(local(config));
                haproxyStarted = true;
                return controller.latestChange().map(ChangeStatus::id).orElse(0L);
            }
            long t0 = System.nanoTime();
            ApplyResult applied = controller.apply(local(config));
            if (!applyTimings.isEmpty()) {
                String kind = applied.kind().name().toLowerCase(Locale.ROOT);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                applyTimings.forEach(timing -> timing.accept(kind, took));
            }
            return applied.changeId();
        } catch (ConfigRejectedException e) {
            throw new Rejected(e);
        }
    }

    /**
     * What this node's HAProxy runs of {@code config}: with a bind address, every frontend listens on it (the ports
     * kept); the configuration shown and stored is the one given.
     */
    private ThalassaConfig local(ThalassaConfig config) {
        if (bindAddress == null) {
            return config;
        }
        ThalassaConfig c = config;
        for (Frontend f : config.frontends().values()) {
            Set<Bind> binds = new LinkedHashSet<>();
            for (Bind b : f.binds()) {
                binds.add(new Bind(bindAddress, b.port()));
            }
            c = c.withFrontend(f.toBuilder().binds(binds).build());
        }
        return c;
    }

    /**
     * Checks {@code config} as this node's HAProxy would run it, applying nothing: {@code haproxy -c} and file
     * descriptors when the controller finds it structural; listen addresses are not probed.
     *
     * @throws ConfigRejectedException when HAProxy refuses it
     */
    @Override
    public void validate(ThalassaConfig config) {
        controller.validate(local(config));
    }

    @Override
    public ThalassaConfig config() {
        return engine.current();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The change is the controller's change that put the published configuration in use; when the engine found
     * nothing to publish (the write changed nothing HAProxy sees), the controller's latest change, which covers it.
     */
    @Override
    public Written write(Edit edit, String by) {
        UnaryOperator<ThalassaConfig> change = c -> {
            ThalassaConfig next = edit.apply(c, id -> versionOf(c, id));
            if (by != null) {
                authors.add(by);
            }
            return next;
        };
        Committed done = commits.submit(change);
        Publication p = done.publication();
        ChangeStatus status = p.changeId() == 0 ? controller.latestChange().orElse(null)
                : controller.change(p.changeId()).orElse(null);
        return new Written(p.config(), status, 0, null, done.versions());
    }

    /**
     * The version of item {@code id} in {@code c}, a configuration a write is given (under the commit lock): its
     * stored version when it is the item stored, {@link ItemVersions#UNSAVED} when a write committed together with
     * this one changed it.
     */
    private long versionOf(ThalassaConfig c, String id) {
        String key = Documents.keyOf(id);
        Object item = id.startsWith("frontend/") ? c.frontends().get(key) : c.backends().get(key);
        if (item == null) {
            return ItemVersions.ABSENT;
        }
        Revisions.Stored stored = history == null ? null : history.current().get(id);
        return stored != null && stored.json().equals(texts.of(item)) ? stored.version() : ItemVersions.UNSAVED;
    }

    @Override
    public long version(String id) {
        return history == null ? 0 : history.version(id);
    }

    @Override
    public Revisions history() {
        return history;
    }

    /**
     * Saves {@code next}, then puts it in use through the engine; when that fails, the previous configuration is put
     * back, in the store and in the engine.
     */
    private Committed commit(ThalassaConfig next) {
        return commit(next, true);
    }

    /**
     * {@link #commit(ThalassaConfig)}; the store is left alone when not {@code saving} (it holds the start's). A
     * commit that changed the stored items is recorded in the history, by the writers of its changes.
     */
    private Committed commit(ThalassaConfig next, boolean saving) {
        ThalassaConfig before = base;
        String by = authors.isEmpty() ? null : String.join(",", authors);
        authors.clear();
        if (saving) {
            save(next);
        }
        Publication p;
        try {
            base = next; // the engine ignores dynamic members it is given
            p = engine.publish(next);
        } catch (RuntimeException e) {
            ConfigRejectedException rejected = rejectedCause(e);
            restore(before, saving);
            if (rejected != null) {
                throw rejected;
            }
            throw e;
        }
        if (history == null) {
            return new Committed(p, Map.of());
        }
        history.record(texts.of(next), 0, by, p.changeId());
        Map<String, Long> versions = new TreeMap<>();
        history.current().forEach((id, s) -> versions.put(id, s.version()));
        return new Committed(p, versions);
    }

    private void save(ThalassaConfig next) {
        if (store == null) {
            return;
        }
        try {
            store.save(next);
        } catch (IOException | RuntimeException e) {
            throw new StoreUnavailableException("the change was not applied: it cannot be saved to " + store.name()
                    + " (" + e.getMessage() + ")", e);
        }
    }

    private void restore(ThalassaConfig before, boolean saved) {
        base = before;
        try {
            if (saved && store != null) {
                store.save(before);
            }
        } catch (IOException | RuntimeException ignored) {
            // the store refused the change's own write a moment ago only if it refuses this one too
        }
        try {
            engine.update(before);
        } catch (RuntimeException ignored) {
            // the controller still runs the previous configuration: nothing was applied
        }
    }

    private static ConfigRejectedException rejectedCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Rejected r) {
                return r.rejected;
            }
            if (t instanceof ConfigRejectedException c) {
                return c;
            }
        }
        return null;
    }

    /**
     * Is told how long each apply to HAProxy took, by kind ({@code runtime}, {@code reload}, {@code noop}), with every
     * listener added before.
     */
    public void onApply(BiConsumer<String, Duration> listener) {
        applyTimings.add(listener);
    }

    public HaproxyController controller() {
        return controller;
    }

    public Registry registry() {
        return registry;
    }

    /** The services the engine watches, as {@code name@version}. */
    public Set<String> subscribedServices() {
        return engine.subscribedServices();
    }

    /** Closes the engine, the registry, the controller and the history; HAProxy keeps serving. */
    @Override
    public void close() {
        engine.close();
        registry.close();
        controller.close();
        if (history != null) {
            history.close();
        }
    }

    /** {@inheritDoc} The registry is left open: its owner closes it, or starts a node on it again. */
    @Override
    public void abort() {
        abort(false);
    }

    private void abort(boolean closeRegistry) {
        engine.close();
        if (history != null) {
            history.close();
        }
        if (closeRegistry) {
            registry.close();
        }
        controller.close();
        if (haproxyStarted && !controller.adopted()) {
            controller.stopHaproxy();
        }
    }

    /** Carries a rejection through the engine's publisher. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConfigRejectedException rejected;

        Rejected(ConfigRejectedException rejected) {
            super(rejected.getMessage(), rejected, false, false);
            this.rejected = rejected;
        }
    }
}
