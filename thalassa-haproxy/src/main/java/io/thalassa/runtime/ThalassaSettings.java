package io.thalassa.runtime;

import io.thalassa.Bind;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.internal.Checks;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Everything a {@link Thalassa} is started with, each with a default that serves; built by {@link Thalassa#builder()}.
 */
public final class ThalassaSettings {
    private final Path workDir;
    private final Path stateDir;
    private final Path configFile;
    private final String haproxyBinary;
    private final Registry registry;
    private final ConfigStore store;
    private final HaproxySettings haproxySettings;
    private final HaproxyConfigRenderer renderer;
    private final Duration reloadWindow;
    private final long fileLimit;
    private final String bindAddress;
    private final String haproxyUser;
    private final Bind statsPage;
    private final String statsAuth;
    private final int activityRetention;
    private final int historySize;
    private final String nodeName;
    private final boolean stopHaproxyOnClose;
    private final Duration firstDeliveryTimeout;
    private final UnaryOperator<ThalassaConfig> startWith;
    private final int maxRemovalPct;
    private final Duration removalHold;
    private final UnaryOperator<HaproxyController.Builder> controller;
    private final UnaryOperator<HaproxySettings.Builder> haproxy;
    private final List<ThalassaEvent.Listener> listeners;

    private ThalassaSettings(Builder<?> b) {
        this.workDir = b.workDir.toAbsolutePath();
        this.stateDir = (b.stateDir == null ? workDir : b.stateDir).toAbsolutePath();
        this.configFile = (b.configFile == null ? workDir.resolve("haproxy.cfg") : b.configFile).toAbsolutePath();
        this.haproxyBinary = b.haproxyBinary;
        this.registry = b.registry;
        this.store = b.store;
        this.haproxySettings = b.haproxySettings;
        this.renderer = b.renderer;
        this.reloadWindow = b.reloadWindow;
        this.fileLimit = b.fileLimit;
        this.bindAddress = b.bindAddress;
        this.haproxyUser = b.haproxyUser;
        this.statsPage = b.statsPage;
        this.statsAuth = b.statsAuth;
        this.activityRetention = b.activityRetention;
        this.historySize = b.historySize;
        this.nodeName = b.nodeName;
        this.stopHaproxyOnClose = b.stopHaproxyOnClose;
        this.firstDeliveryTimeout = b.firstDeliveryTimeout;
        this.startWith = b.startWith;
        this.maxRemovalPct = b.maxRemovalPct;
        this.removalHold = b.removalHold;
        this.controller = b.controller;
        this.haproxy = b.haproxy;
        this.listeners = List.copyOf(b.listeners);
    }

    /** HAProxy's files, the stored configuration and the state live here. */
    public Path workDir() {
        return workDir;
    }

    /**
     * The activity log, the embedded registry's registrations, the stats page's password, a fleet's cache, the TLS
     * certificates ({@code certificates/}).
     */
    public Path stateDir() {
        return stateDir;
    }

    /** Where the default registry (an embedded one) keeps its registrations: {@code <stateDir>/registrations.state}. */
    public Path registrationsFile() {
        return stateDir.resolve("registrations.state");
    }

    /** The file of the default store: {@code <workDir>/config.json}. */
    public Path storeFile() {
        return workDir.resolve("config.json");
    }

    /** The haproxy.cfg HAProxy runs; HAProxy's log, fingerprints and master socket are named after it. */
    public Path configFile() {
        return configFile;
    }

    public String haproxyBinary() {
        return haproxyBinary;
    }

    /** The registry given, or null for the embedded one. */
    public Registry registry() {
        return registry;
    }

    /** The store given, or null for {@code <workDir>/config.json}. */
    public ConfigStore store() {
        return store;
    }

    /** HAProxy's settings given, or null for ones with every file in the work directory and no stats page. */
    public HaproxySettings haproxySettings() {
        return haproxySettings;
    }

    /** The renderer given, or null for the default template. */
    public HaproxyConfigRenderer renderer() {
        return renderer;
    }

    public Duration reloadWindow() {
        return reloadWindow;
    }

    /** HAProxy's hard file-descriptor limit, or 0 for as high as the system allows. */
    public long fileLimit() {
        return fileLimit;
    }

    /** The address every frontend listens on instead of its bind's host, or null. */
    public String bindAddress() {
        return bindAddress;
    }

    /** The user HAProxy's workers drop to when this process is root; null: {@code haproxy} if it exists. */
    public String haproxyUser() {
        return haproxyUser;
    }

    /** HAProxy's stats page listener, or null for none. */
    public Bind statsPage() {
        return statsPage;
    }

    /** The stats page's {@code user:password}, or null for one generated once and kept in the state directory. */
    public String statsAuth() {
        return statsAuth;
    }

    public int activityRetention() {
        return activityRetention;
    }

    /** How many revisions of the stored configuration the history keeps ({@code <stateDir>/history.jsonl}). */
    public int historySize() {
        return historySize;
    }

    /** This process's name in a fleet, or null for {@code <host name>-<pid>}. */
    public String nodeName() {
        return nodeName;
    }

    public boolean stopHaproxyOnClose() {
        return stopHaproxyOnClose;
    }

    public Duration firstDeliveryTimeout() {
        return firstDeliveryTimeout;
    }

    /** The change HAProxy starts with; the identity when none was given. */
    public UnaryOperator<ThalassaConfig> startWith() {
        return startWith;
    }

    /** The share of a service's members one registry update may remove without a hold (percent). */
    public int maxRemovalPct() {
        return maxRemovalPct;
    }

    /** How long mass removals are held before the registry is asked again. */
    public Duration removalHold() {
        return removalHold;
    }

    UnaryOperator<HaproxyController.Builder> controller() {
        return controller;
    }

    UnaryOperator<HaproxySettings.Builder> haproxy() {
        return haproxy;
    }

    List<ThalassaEvent.Listener> listeners() {
        return listeners;
    }

    /**
     * The settings' fluent setters, shared by {@link Thalassa.Builder}.
     *
     * @param <B> the builder's own type
     */
    public abstract static class Builder<B extends Builder<B>> {
        private Path workDir = Path.of(System.getProperty("java.io.tmpdir"), "thalassa-"
                + System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_"));
        private Path stateDir;
        private Path configFile;
        private String haproxyBinary = "haproxy";
        private Registry registry;
        private ConfigStore store;
        private HaproxySettings haproxySettings;
        private HaproxyConfigRenderer renderer;
        private Duration reloadWindow = Duration.ofMillis(200);
        private long fileLimit;
        private String bindAddress;
        private String haproxyUser;
        private Bind statsPage;
        private String statsAuth;
        private int activityRetention = ActivityLog.DEFAULT_RETENTION;
        private int historySize = io.thalassa.runtime.internal.Revisions.DEFAULT_SIZE;
        private String nodeName;
        private boolean stopHaproxyOnClose;
        private Duration firstDeliveryTimeout = MembershipEngine.DEFAULT_FIRST_DELIVERY_TIMEOUT;
        private UnaryOperator<ThalassaConfig> startWith = UnaryOperator.identity();
        private int maxRemovalPct = MembershipEngine.DEFAULT_MAX_REMOVAL_PCT;
        private Duration removalHold = MembershipEngine.DEFAULT_REMOVAL_HOLD;
        private UnaryOperator<HaproxyController.Builder> controller = UnaryOperator.identity();
        private UnaryOperator<HaproxySettings.Builder> haproxy = UnaryOperator.identity();
        private final List<ThalassaEvent.Listener> listeners = new ArrayList<>();

        Builder() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /**
         * Where HAProxy's files ({@code haproxy.cfg}, its socket, pid, log and server state), the stored configuration
         * ({@code config.json}) and the state live; default {@code <java.io.tmpdir>/thalassa-<user>}. A second start
         * on the same directory finds the configuration and adopts the HAProxy the first left serving.
         */
        public B workDir(Path dir) {
            this.workDir = Checks.notNull("workDir", dir);
            return self();
        }

        /** Where the activity log, registrations and other state are kept; default the work directory. */
        public B stateDir(Path dir) {
            this.stateDir = Checks.notNull("stateDir", dir);
            return self();
        }

        /** The haproxy.cfg written and run; default {@code <workDir>/haproxy.cfg}. */
        public B configFile(Path file) {
            this.configFile = Checks.notNull("configFile", file);
            return self();
        }

        /** The HAProxy program, a path or a name on the PATH; default {@code haproxy}. */
        public B haproxyBinary(String binary) {
            this.haproxyBinary = Checks.noControl("haproxyBinary", Checks.notNull("haproxyBinary", binary));
            if (binary.isBlank()) {
                throw new io.thalassa.InvalidValueException("haproxyBinary", binary, "haproxyBinary must not be empty");
            }
            return self();
        }

        /**
         * Where dynamic backends' members come from; default an {@link io.thalassa.EmbeddedRegistry} whose
         * registrations are kept in {@code <stateDir>/registrations.state}. Thalassa closes it when it is closed.
         */
        public B registry(Registry registry) {
            this.registry = Checks.notNull("registry", registry);
            return self();
        }

        /**
         * Where the frontends and backends are kept; default {@code FileConfigStore.at(<workDir>/config.json)}.
         * {@link FileConfigStore#inMemory()} keeps nothing; a shared store (Consul's KV store) makes this process a
         * node of a fleet. Thalassa closes it when it is closed.
         */
        public B store(ConfigStore store) {
            this.store = Checks.notNull("store", store);
            return self();
        }

        /**
         * HAProxy's settings, taken as they are (sockets, pid file, timeouts, maxconn...). Default: the stats socket,
         * pid file and server-state file in the work directory, no stats page, no syslog target.
         */
        public B settings(HaproxySettings settings) {
            this.haproxySettings = Checks.notNull("settings", settings);
            return self();
        }

        /** The template haproxy.cfg is rendered with; default {@link HaproxyConfigRenderer#defaultTemplate()}. */
        public B renderer(HaproxyConfigRenderer renderer) {
            this.renderer = Checks.notNull("renderer", renderer);
            return self();
        }

        /** Structural changes within this window become one reload; 0..60 s, default 200 ms (the daemon's: 2 s). */
        public B reloadWindow(Duration window) {
            this.reloadWindow = Checks.duration("reloadWindow", window, Duration.ZERO, Duration.ofSeconds(60));
            return self();
        }

        /** HAProxy's hard file-descriptor limit; 64..2^30, default as high as the system lets this process go. */
        public B fileLimit(long limit) {
            if (limit < 64 || limit > 1L << 30) {
                throw new io.thalassa.InvalidValueException("fileLimit", limit, "fileLimit must be in 64..1073741824: "
                        + limit);
            }
            this.fileLimit = limit;
            return self();
        }

        /**
         * The address every frontend listens on, whatever host its bind names (the port is kept): several nodes of a
         * fleet on one machine, or nodes listening on their own interface; default the binds' own.
         */
        public B bindAddress(String address) {
            Bind.parse(Checks.notNull("bindAddress", address) + ":1");
            this.bindAddress = address;
            return self();
        }

        /**
         * The user HAProxy's workers drop to when this process runs as root (the master stays root and keeps the
         * sockets); default {@code haproxy} when that user exists; empty for none. Ignored when not root.
         */
        public B haproxyUser(String user) {
            this.haproxyUser = Checks.noControl("haproxyUser", Checks.notNull("haproxyUser", user));
            return self();
        }

        /**
         * Serves HAProxy's stats page on {@code listener} (e.g. {@code Bind.parse("127.0.0.1:1988")}) with
         * {@code auth} ({@code user:password}), or with a password generated once and kept in
         * {@code <stateDir>/stats-auth} when {@code auth} is null; default no stats page.
         */
        public B statsPage(Bind listener, String auth) {
            this.statsPage = Checks.notNull("statsPage", listener);
            this.statsAuth = auth;
            return self();
        }

        /** How many activity events are kept; 1..1,000,000, default 10,000. */
        public B activityRetention(int events) {
            if (events < 1 || events > 1_000_000) {
                throw new io.thalassa.InvalidValueException("activityRetention", events,
                        "activityRetention must be in 1..1000000: " + events);
            }
            this.activityRetention = events;
            return self();
        }

        /**
         * How many revisions of the frontends and backends the history keeps, in {@code <stateDir>/history.jsonl}
         * ({@link Thalassa#history}, {@link Thalassa#revert}); 1..100,000, default 200.
         */
        public B historySize(int revisions) {
            if (revisions < 1 || revisions > 100_000) {
                throw new io.thalassa.InvalidValueException("historySize", revisions,
                        "historySize must be in 1..100000: " + revisions);
            }
            this.historySize = revisions;
            return self();
        }

        /** This process's name among the nodes of a fleet; default {@code <host name>-<pid>}. */
        public B nodeName(String name) {
            this.nodeName = Checks.identifier("nodeName", name);
            return self();
        }

        /** Whether {@link Thalassa#close()} stops HAProxy too; default false: HAProxy keeps serving. */
        public B stopHaproxyOnClose(boolean stop) {
            this.stopHaproxyOnClose = stop;
            return self();
        }

        /** How long a newly watched service may hold a change back for its first members; 0..60 s, default 2 s. */
        public B firstDeliveryTimeout(Duration timeout) {
            this.firstDeliveryTimeout = Checks.duration("firstDeliveryTimeout", timeout, Duration.ZERO,
                    Duration.ofSeconds(60));
            return self();
        }

        /**
         * A change to the stored configuration that HAProxy starts with: frontends and backends a program ships, put
         * in use by the start itself (no reload, no second check) and saved to the store. Outside a fleet it is
         * applied before HAProxy starts (or is adopted); with a shared store, as the node's first write once it runs,
         * awaited by the start. Default none.
         *
         * <pre>{@code
         * Thalassa.builder().startWith(config -> config
         *         .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build())
         *         .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live").build()))
         *     .start();
         * }</pre>
         */
        public B startWith(UnaryOperator<ThalassaConfig> change) {
            this.startWith = Checks.notNull("startWith", change);
            return self();
        }

        /**
         * The guard against registries that take traffic down: when one registry update would remove more than
         * {@code maxRemovalPct} percent of a dynamic backend's members, and at least two, the removals are held for
         * {@code hold} (additions go on), then applied if the registry still says so ({@code removalHeld},
         * {@code removalConfirmed}, {@code removalCancelled} events). Default 50% and 30 s; 100 or a zero hold turns
         * it off. See {@link MembershipEngine.Builder#removalGuard}.
         *
         * @throws IllegalArgumentException naming {@code maxRemovalPct} (0..100) or {@code removalHold} (0..1 h)
         */
        public B removalGuard(int maxRemovalPct, Duration hold) {
            if (maxRemovalPct < 0 || maxRemovalPct > 100) {
                throw new io.thalassa.InvalidValueException("maxRemovalPct", maxRemovalPct,
                        "maxRemovalPct must be in 0..100: " + maxRemovalPct);
            }
            this.removalHold = Checks.duration("removalHold", hold, Duration.ZERO, Duration.ofHours(1));
            this.maxRemovalPct = maxRemovalPct;
            return self();
        }

        /** Tunes the HAProxy controller further (drain timeout, stats interval...), after the settings above. */
        public B controller(UnaryOperator<HaproxyController.Builder> tuning) {
            this.controller = Checks.notNull("controller", tuning);
            return self();
        }

        /**
         * Tunes HAProxy's settings (timeouts, maxconn, {@code option forwardfor}, server state across reloads...) on
         * top of the ones the Thalassa starts with: {@link #settings(HaproxySettings) those given}, or the defaults
         * with every file in the work directory. For example
         * {@code haproxy(h -> h.maxconn(20_000, 5_000).forwardFor(false))}. It runs once, at start; a value it
         * sets that HAProxy's settings refuse fails {@link Thalassa.Builder#start()} with that refusal.
         */
        public B haproxy(UnaryOperator<HaproxySettings.Builder> tuning) {
            this.haproxy = Checks.notNull("haproxy", tuning);
            return self();
        }

        /** Receives every event from the start on (HAProxy started or adopted included). */
        public B listener(ThalassaEvent.Listener listener) {
            listeners.add(Checks.notNull("listener", listener));
            return self();
        }

        /** The settings as given so far. */
        public ThalassaSettings build() {
            return new ThalassaSettings(this);
        }
    }
}
