package io.thalassa.http;

import io.thalassa.ConfigRejectedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.http.internal.Access;
import io.thalassa.http.internal.AccessHandler;
import io.thalassa.http.internal.EventStream;
import io.thalassa.http.internal.HaproxyLog;
import io.thalassa.http.internal.Metrics;
import io.thalassa.http.internal.Tokens;
import io.thalassa.http.internal.HttpEntry;
import io.thalassa.http.internal.ConfigPush;
import io.thalassa.http.internal.JsonErrorHandler;
import io.thalassa.http.internal.LiveStats;
import io.thalassa.http.internal.UiHandler;
import io.thalassa.http.internal.RestApi;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP side on a {@link Backplane}: the REST API, {@code /activity}, {@code /stats}, {@code /ws} and
 * {@code /openapi.json} on {@code --port}, the registration API on {@code --registrationPort} (and under
 * {@code /registrations} on the main port), the {@code --persistence} file and the activity feed under
 * {@code --dbPath}.
 *
 * <pre>{@code
 * try (ThalassaServer server = ThalassaServer.start(backplane, DaemonOptions.parse(args))) {
 *     System.out.println("REST API on " + server.uri());
 *     server.join();
 * }
 * }</pre>
 */
public final class ThalassaServer implements AutoCloseable {
    /** How often {@link Backplane#stats()} is looked at for a new snapshot to stream. */
    public static final Duration STATS_POLL = Duration.ofMillis(500);

    /** How often HAProxy's stats are read for the live view and its history (which keeps 5 minutes of them). */
    public static final Duration LIVE_POLL = Duration.ofSeconds(2);
    /** How often HAProxy's own log file is read for alerts and warnings. */
    static final Duration HAPROXY_LOG_POLL = Duration.ofSeconds(1);
    /** How often the configuration is looked at for a change to push on {@code /ws}. */
    static final Duration CONFIG_WATCH = Duration.ofMillis(250);
    /** The least time between two live polls caused by changes (a burst of changes costs at most two a second). */
    static final Duration CHANGE_POLL_GAP = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(ThalassaServer.class);

    private final Backplane backplane;
    private final DaemonOptions options;
    private final ActivityLog activity;
    private final ConfigStore store;
    private final EventStream stream = new EventStream();
    private final Consumer<ActivityLog.Entry> toStream = stream::activity;
    private final ScheduledExecutorService statsPoller;
    private final LiveStats live;
    private ThalassaConfig pushed; // the configuration last pushed on /ws; only the stats poller thread uses it
    private long lastLivePoll; // nanoTime of the last live poll; these three only on the stats poller thread
    private boolean changePending;
    private long followUp;
    private final Server jetty;
    private final ServerConnector mainConnector;
    private final ServerConnector registrationConnector;
    private boolean closed;
    private final Access access;
    private final Metrics metrics;
    private long lastReloadTimed; // only on the stats poller thread

    private ThalassaServer(Backplane backplane, DaemonOptions options, ActivityLog activity, ConfigStore store,
            Tokens tokens) {
        this.backplane = backplane;
        this.options = options;
        this.activity = activity;
        this.store = store;
        live = new LiveStats(new LiveStats.Source() {
            @Override
            public java.util.List<io.thalassa.haproxy.StatRow> all() {
                return backplane.statRows();
            }

            @Override
            public java.util.List<io.thalassa.haproxy.StatRow> proxies() {
                return backplane.proxyStatRows();
            }

            @Override
            public java.util.List<io.thalassa.haproxy.StatRow> servers(
                    java.util.List<io.thalassa.haproxy.StatRow> backends) {
                return backplane.serverStatRows(backends);
            }
        }, backplane::config,
                (int) (Duration.ofMinutes(5).toMillis() / LIVE_POLL.toMillis()), LIVE_POLL.multipliedBy(3).dividedBy(4));
        metrics = new Metrics(backplane);
        metrics.configVersion(() -> backplane.latestChange().map(c -> c.id()).orElse(0L));
        backplane.onApply(metrics::applied);
        RestApi api = new RestApi(backplane, store, activity, instance(options), live)
                .nativePolicy(options.nativePolicy()).metrics(metrics);
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("thalassa-http");
        threads.setDaemon(true);
        jetty = new Server(threads);
        jetty.setErrorHandler(new JsonErrorHandler());
        org.eclipse.jetty.util.ssl.SslContextFactory.Server tls = tls(options);
        mainConnector = connector(jetty, "api", options.host(), options.port(), tls);
        registrationConnector = connector(jetty, HttpEntry.REGISTRATION_CONNECTOR, options.host(),
                options.registrationPort(), tls);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(jetty, container -> {
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.addMapping("/ws", (request, response, callback) -> {
                if (HttpEntry.REGISTRATION_CONNECTOR.equals(
                        request.getConnectionMetaData().getConnector().getName())) {
                    Response.writeError(request, response, callback, 404, "no route for GET /ws");
                    return null;
                }
                if (request.getSubProtocols().contains(Access.WS_PROTOCOL)) { // the UI, its token beside it
                    response.setAcceptedSubProtocol(Access.WS_PROTOCOL);
                }
                return stream.endpoint();
            });
        });
        ws.setHandler(new UiHandler(new HttpEntry(api.mainRouter(), api.registrationRouter(), metrics),
                HttpEntry.REGISTRATION_CONNECTOR));
        access = new Access(tokens, loopback(options.host()));
        pushed = backplane.config();
        lastLivePoll = System.nanoTime() - LIVE_POLL.toNanos();
        stream.greeting(this::greeting);
        jetty.setHandler(new AccessHandler(access, HttpEntry.REGISTRATION_CONNECTOR, ws));
        statsPoller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thalassa-stats-stream");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether {@code host} is a loopback address (a name is resolved; an unknown one counts as not loopback). */
    static boolean loopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** What this daemon says about itself: the original's --label, --location and --datacenter. */
    private static Map<String, Object> instance(DaemonOptions options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", options.label());
        m.put("location", options.location());
        m.put("datacenter", options.datacenter());
        return m;
    }

    /** HTTPS from --tlsCert and --tlsKey (TLS 1.2 and 1.3), or null for plain HTTP. */
    private static org.eclipse.jetty.util.ssl.SslContextFactory.Server tls(DaemonOptions options) {
        if (!options.tls()) {
            return null;
        }
        org.eclipse.jetty.util.ssl.SslContextFactory.Server f = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
        try {
            f.setKeyStore(io.thalassa.http.internal.PemKeys.keyStore(options.tlsCert(), options.tlsKey()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read --tlsCert or --tlsKey: " + e.getMessage(), e);
        }
        f.setKeyStorePassword(io.thalassa.http.internal.PemKeys.STORE_PASSWORD);
        f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return f;
    }

    private static ServerConnector connector(Server jetty, String name, String host, int port,
            org.eclipse.jetty.util.ssl.SslContextFactory.Server tls) {
        ServerConnector c = tls == null ? new ServerConnector(jetty, 1, 1)
                : new ServerConnector(jetty, 1, 1, tls);
        c.setName(name);
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(30_000);
        jetty.addConnector(c);
        return c;
    }

    /**
     * Reads the persistence file (when {@code --persistence} is set), opens the activity feed under {@code --dbPath}
     * and subscribes it to the backplane, applies the file to the backplane, and starts both HTTP servers.
     *
     * @throws IllegalStateException naming the file when the persistence file cannot be read or HAProxy rejects what
     *                               it holds (the file is left untouched), or when a port cannot be bound
     * @throws IOException           when the activity feed cannot be opened
     */
    public static ThalassaServer start(Backplane backplane, DaemonOptions options) throws IOException {
        Tokens tokens = options.tokens() == null ? null : Tokens.read(options.tokens());
        ConfigStore store = options.persistenceFile().map(ConfigStore::at).orElse(null);
        Optional<ThalassaConfig> saved = store == null ? Optional.empty() : store.load();
        ActivityLog activity = ActivityLog.open(options.dbPath(), options.activityRetention());
        backplane.addListener(activity);
        try {
            if (saved.isPresent()) {
                replay(backplane, store, saved.get());
                warnUnsafeNatives(options, saved.get());
            } else if (store != null) {
                LOG.info("{} - does not exist yet; it is written on the first change", store.file());
            }
            ThalassaServer server = new ThalassaServer(backplane, options, activity, store, tokens);
            server.startServing();
            if (backplane instanceof FleetBackplane fleet) {
                fleet.api((options.tls() ? "https" : "http") + "://"
                        + io.thalassa.Member.addressOf(options.host(), server.port()));
            }
            return server;
        } catch (RuntimeException e) {
            backplane.removeListener(activity);
            activity.close();
            throw e;
        }
    }

    /**
     * Natives the safe policy refuses, saved while it was off: kept (they were an admin's choice and HAProxy runs
     * them), but named at start, so the operator restarts with --unsafeNatives or removes them.
     */
    private static void warnUnsafeNatives(DaemonOptions options, ThalassaConfig persisted) {
        if (options.unsafeNatives()) {
            return;
        }
        try {
            options.nativePolicy().check(persisted);
        } catch (io.thalassa.InvalidValueException e) {
            LOG.warn("natives - the persistence file holds a native the safe policy refuses, kept as saved: {};"
                    + " start with --unsafeNatives to keep changing it, or remove it", e.reason());
        }
    }

    private static void replay(Backplane backplane, ConfigStore store, ThalassaConfig persisted) {
        try {
            backplane.update(current -> {
                ThalassaConfig c = current;
                for (var b : persisted.backends().values()) {
                    c = c.withBackend(b);
                }
                for (var f : persisted.frontends().values()) {
                    c = c.withFrontend(f);
                }
                return c;
            });
        } catch (ConfigRejectedException | IllegalArgumentException e) {
            throw new IllegalStateException("persistence file " + store.file() + " cannot be applied ("
                    + e.getMessage() + "); fix or move it, it is left untouched", e);
        }
        LOG.info("{} - replayed {} frontend(s) and {} backend(s)", store.file(), persisted.frontends().size(),
                persisted.backends().size());
    }

    private void startServing() {
        activity.addListener(toStream);
        backplane.addListener(metrics);
        try {
            jetty.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the HTTP servers on " + options.host() + " ports "
                    + options.port() + " and " + options.registrationPort() + ": " + e.getMessage(), e);
        }
        activity.record(ThalassaEvent.now(ThalassaEvent.Verb.STARTED, "thalassa", describe()));
        long period = STATS_POLL.toMillis();
        statsPoller.scheduleWithFixedDelay(this::pollStats, 0, period, TimeUnit.MILLISECONDS);
        statsPoller.scheduleWithFixedDelay(this::watch, 0, CONFIG_WATCH.toMillis(), TimeUnit.MILLISECONDS);
        backplane.haproxyLogFile().ifPresent(file -> {
            HaproxyLog log = new HaproxyLog(file, event -> {
                activity.record(event);
                metrics.onEvent(event);
            });
            statsPoller.scheduleWithFixedDelay(log, HAPROXY_LOG_POLL.toMillis(), HAPROXY_LOG_POLL.toMillis(),
                    TimeUnit.MILLISECONDS);
        });
        LOG.info("REST API on {}:{}, registration API on {}:{}", options.host(), port(), options.host(),
                registrationPort());
        if (access.protectedMode()) {
            LOG.warn("access - protected mode: --host {} is not a loopback address and there is no --tokens file, so"
                    + " only loopback clients are served; others get 403 saying how to configure tokens",
                    options.host());
        } else if (access.authenticates()) {
            LOG.info("access - tokens from {}: every request but /health needs Authorization: Bearer <token>",
                    options.tokens());
        }
        if (options.unsafeNatives()) {
            LOG.warn("natives - --unsafeNatives: any native directive is accepted (files, listeners, Lua, global"
                    + " settings); only admins should be able to write");
        }
    }

    /**
     * Times the reloads finished since the last call, from each change accepted to HAProxy running it (or refusing
     * it): the changes after the last one timed, up to the first still pending. Only on the stats poller thread.
     */
    private void timeReloads() {
        long latest = backplane.latestChange().map(c -> c.id()).orElse(0L);
        for (long id = lastReloadTimed + 1; id <= latest && id <= lastReloadTimed + 1000; id++) {
            var change = backplane.change(id).orElse(null);
            if (change != null && !change.isFinished()) {
                return;
            }
            lastReloadTimed = id;
            if (change != null && change.kind() == io.thalassa.haproxy.ApplyResult.Kind.RELOAD) {
                metrics.reloaded(Duration.between(change.submitted(), change.finished()),
                        change.state() == io.thalassa.haproxy.ChangeStatus.State.APPLIED);
            }
        }
    }

    private void pollStats() {
        try {
            backplane.stats().ifPresent(stream::stats);
        } catch (RuntimeException e) {
            LOG.warn("stats - cannot read the snapshot: {}", e.toString());
        }
    }

    /**
     * Pushes a configuration change on {@code /ws} (the changed items only) and, while a client is connected, reads
     * the live stats soon after one (and again a second later), so a new member shows its status within a second or
     * two; otherwise every {@link #LIVE_POLL}.
     */
    private void watch() {
        try {
            timeReloads();
            ThalassaConfig now = backplane.config();
            long t = System.nanoTime();
            boolean changed = now != pushed;
            boolean watched = stream.clients() > 0; // with nobody watching, only the history's 2 s polls
            if (changed) {
                java.util.Map<String, Object> delta = watched ? ConfigPush.delta(pushed, now) : null;
                pushed = now;
                if (delta != null) {
                    delta.remove("type");
                    stream.message("config", delta);
                }
                changePending |= watched;
            }
            boolean due = t - lastLivePoll >= LIVE_POLL.toNanos()
                    || (changePending && t - lastLivePoll >= CHANGE_POLL_GAP.toNanos())
                    || (followUp != 0 && t - followUp >= 0);
            if (due) {
                // after a change once more a second later: HAProxy applies it and checks the new member meanwhile
                followUp = changePending ? t + Duration.ofSeconds(1).toNanos() : 0;
                changePending = false;
                lastLivePoll = t;
                java.util.Map<String, Object> delta = live.poll();
                if (delta != null) {
                    stream.message("live", delta);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("live stats - cannot read: {}", e.toString());
        }
    }

    /** What a new {@code /ws} client gets first: hello, the whole configuration, the stats history, the live view. */
    private java.util.List<String> greeting() {
        java.util.Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("intervalMs", LIVE_POLL.toMillis());
        hello.put("historySamples", live.history().size());
        hello.put("sampleSpacingMs", LIVE_POLL.multipliedBy(3).dividedBy(4).toMillis());
        java.util.Map<String, Object> config = ConfigPush.full(backplane.config());
        config.remove("type");
        return java.util.List.of(EventStream.text("hello", hello), EventStream.text("config", config),
                EventStream.text("history", live.history().columns(0)), EventStream.text("live", live.full()));
    }

    private String describe() {
        StringBuilder b = new StringBuilder("thalassa");
        instance(options).forEach((k, v) -> {
            if (v != null) {
                b.append(' ').append(k).append('=').append(v);
            }
        });
        return b.append(": API on ").append(options.host()).append(':').append(port()).append(", registrations on ")
                .append(options.host()).append(':').append(registrationPort()).toString();
    }

    /** The port of the REST API actually bound (useful with {@code --port 0}). */
    public int port() {
        return mainConnector.getLocalPort();
    }

    /** The port of the registration API actually bound. */
    public int registrationPort() {
        return registrationConnector.getLocalPort();
    }

    /** {@code http://host:port} ({@code https} with TLS), with 127.0.0.1 for a wildcard host. */
    public URI uri() {
        String host = options.host().equals("0.0.0.0") || options.host().equals("::") ? "127.0.0.1" : options.host();
        return URI.create((options.tls() ? "https://" : "http://") + io.thalassa.Member.addressOf(host, port()));
    }

    public ActivityLog activity() {
        return activity;
    }

    public DaemonOptions options() {
        return options;
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Stops both HTTP servers and closes the activity feed; the backplane is left running. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        backplane.removeListener(activity);
        backplane.removeListener(metrics);
        activity.removeListener(toStream);
        statsPoller.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("http - stopping failed: {}", e.toString());
        }
        stream.close();
        activity.close();
    }

    /** The configuration store, or empty without {@code --persistence}. */
    public Optional<ConfigStore> store() {
        return Optional.ofNullable(store);
    }
}
