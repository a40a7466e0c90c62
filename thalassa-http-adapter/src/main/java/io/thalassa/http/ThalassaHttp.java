package io.thalassa.http;

import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.http.internal.Access;
import io.thalassa.http.internal.AccessHandler;
import io.thalassa.http.internal.EventStream;
import io.thalassa.http.internal.Metrics;
import io.thalassa.http.internal.Tokens;
import io.thalassa.http.internal.HttpEntry;
import io.thalassa.http.internal.ConfigPush;
import io.thalassa.http.internal.JsonErrorHandler;
import io.thalassa.http.internal.UiHandler;
import io.thalassa.http.internal.RestApi;
import io.thalassa.runtime.ActivityLog;
import io.thalassa.runtime.LiveStats;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * The REST API, the registration API, the web UI and {@code /ws} of a running {@link Thalassa}: the daemon's HTTP side,
 * which a host application can mount on its own Thalassa as well. Everything it serves is a call on the Thalassa;
 * this class only maps it to HTTP (routes and JSON shapes, tokens and TLS, the UI).
 *
 * <pre>{@code
 * try (Thalassa thalassa = Thalassa.builder().workDir(dir).start();
 *      ThalassaHttp http = ThalassaHttp.serve(thalassa, HttpOptions.loopback(10000, 9000))) {
 *     System.out.println("REST API and web UI on " + http.uri());
 *     http.join();
 * }
 * }</pre>
 */
public final class ThalassaHttp implements AutoCloseable {
    /** How often {@link Thalassa#stats()} is looked at for a new snapshot to stream. */
    public static final Duration STATS_POLL = Duration.ofMillis(500);

    /** How often HAProxy's stats are read for the live view and its history (which keeps 5 minutes of them). */
    public static final Duration LIVE_POLL = Thalassa.LIVE_POLL;
    /** How often the configuration is looked at for a change to push on {@code /ws}. */
    static final Duration CONFIG_WATCH = Duration.ofMillis(250);
    /** The least time between two live polls caused by changes (a burst of changes costs at most two a second). */
    static final Duration CHANGE_POLL_GAP = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(ThalassaHttp.class);

    private final Thalassa thalassa;
    private final HttpOptions options;
    private final ActivityLog activity;
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

    private ThalassaHttp(Thalassa thalassa, HttpOptions options, Tokens tokens) {
        this.thalassa = thalassa;
        this.options = options;
        this.activity = thalassa.activity();
        this.live = thalassa.live();
        metrics = new Metrics(thalassa);
        RestApi api = new RestApi(thalassa, instance(options), live).nativePolicy(options.natives()).metrics(metrics);
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
        pushed = thalassa.config();
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
    private static Map<String, Object> instance(HttpOptions options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", options.label());
        m.put("location", options.location());
        m.put("datacenter", options.datacenter());
        return m;
    }

    /** HTTPS from --tlsCert and --tlsKey (TLS 1.2 and 1.3), or null for plain HTTP. */
    private static org.eclipse.jetty.util.ssl.SslContextFactory.Server tls(HttpOptions options) {
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
     * Serves {@code thalassa} as {@code options} say: both HTTP servers started, the activity feed streamed, the stats
     * watched. Closing the answer stops serving and leaves {@code thalassa} running.
     *
     * @throws IllegalStateException when a port cannot be bound
     * @throws IOException           when the tokens file or the TLS files cannot be read
     */
    public static ThalassaHttp serve(Thalassa thalassa, HttpOptions options) throws IOException {
        Tokens tokens = options.tokens() == null ? null : Tokens.read(options.tokens());
        ThalassaHttp server = new ThalassaHttp(thalassa, options, tokens);
        server.startServing();
        thalassa.advertise((options.tls() ? "https" : "http") + "://"
                + io.thalassa.Member.addressOf(options.host(), server.port()));
        return server;
    }

    /**
     * Natives the safe policy refuses, saved while it was off: kept (they were an admin's choice and HAProxy runs
     * them), but named at start, so the operator restarts with --unsafeNatives or removes them.
     */
    private static void warnUnsafeNatives(HttpOptions options, ThalassaConfig persisted) {
        if (options.natives() == io.thalassa.NativePolicy.UNRESTRICTED) {
            return;
        }
        try {
            options.natives().check(persisted);
        } catch (io.thalassa.InvalidValueException e) {
            LOG.warn("natives - the stored configuration holds a native the safe policy refuses, kept as saved: {};"
                    + " start with --unsafeNatives to keep changing it, or remove it", e.reason());
        }
    }

    private void startServing() {
        activity.addListener(toStream);
        warnUnsafeNatives(options, thalassa.config());
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
        if (options.natives() == io.thalassa.NativePolicy.UNRESTRICTED) {
            LOG.warn("natives - --unsafeNatives: any native directive is accepted (files, listeners, Lua, global"
                    + " settings); only admins should be able to write");
        }
    }

    private void pollStats() {
        try {
            thalassa.stats().ifPresent(snapshot -> stream.stats(io.thalassa.runtime.SplitShares.withSplits(snapshot,
                    thalassa.splitShares())));
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
            ThalassaConfig now = thalassa.config();
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
        java.util.Map<String, Object> config = ConfigPush.full(thalassa.config());
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

    public HttpOptions options() {
        return options;
    }

    /** Waits until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Stops both HTTP servers; the Thalassa is left running. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.close();
        activity.removeListener(toStream);
        statsPoller.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("http - stopping failed: {}", e.toString());
        }
        stream.close();
    }

    /** The Thalassa served. */
    public Thalassa thalassa() {
        return thalassa;
    }
}
