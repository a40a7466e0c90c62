package io.thalassa.haproxy;

import io.thalassa.Bind;
import io.thalassa.internal.Checks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything in haproxy.cfg that does not come from the model: the paths and ports of this HAProxy instance, process
 * settings and timeouts. Every path and port is a setting, so two instances can run side by side on one machine.
 *
 * <p>Defaults follow the original Thalassa where they are safe ({@code maxconn 4096}, {@code timeout client 50000ms},
 * stats page with {@code showme:showme}) and add what hitless reloads need: master-worker mode,
 * {@code option idle-close-on-response}, {@code hard-stop-after 30s}, {@code mworker-max-reloads 50}; and
 * {@code noreuseport}, so no other process shares a port with this HAProxy. HTTP defaults that serve: keep-alive on
 * both sides with {@code http-reuse safe}, {@code timeout http-request 10s}, {@code timeout http-keep-alive 10s},
 * {@code timeout tunnel 1h} and {@code option forwardfor} on http frontends. The stats page listens on
 * 127.0.0.1:1988 (not on every address), and {@code user}/{@code group} are left out unless set.
 */
public final class HaproxySettings {
    private final Path statsSocket;
    private final Path pidFile;
    private final Path serverStateFile;
    private final boolean keepServerState;
    private final boolean masterWorker;
    private final boolean daemon;
    private final Bind statsListener;
    private final String statsAuth;
    private final String user;
    private final String group;
    private final String logTarget;
    private final int globalMaxconn;
    private final int defaultsMaxconn;
    private final Duration timeoutConnect;
    private final Duration timeoutClient;
    private final Duration timeoutServer;
    private final Duration timeoutHttpRequest;
    private final Duration timeoutHttpKeepAlive;
    private final Duration timeoutTunnel;
    private final boolean forwardFor;
    private final Duration hardStopAfter;
    private final int mworkerMaxReloads;
    private final boolean idleCloseOnResponse;
    private final boolean noReusePort;
    private final Path peersSocket;
    private final String peerName;
    private final Bind peersListener;
    private final Map<String, Bind> remotePeers;
    private final Path certificateDir;

    private HaproxySettings(Builder b) {
        this.statsSocket = b.statsSocket;
        this.pidFile = b.pidFile;
        this.serverStateFile = b.serverStateFile;
        this.keepServerState = b.keepServerState;
        this.masterWorker = b.masterWorker;
        this.daemon = b.daemon;
        this.statsListener = b.statsListener;
        this.statsAuth = b.statsAuth;
        this.user = b.user;
        this.group = b.group;
        this.logTarget = b.logTarget;
        this.globalMaxconn = b.globalMaxconn;
        this.defaultsMaxconn = b.defaultsMaxconn;
        this.timeoutConnect = b.timeoutConnect;
        this.timeoutClient = b.timeoutClient;
        this.timeoutServer = b.timeoutServer;
        this.timeoutHttpRequest = b.timeoutHttpRequest;
        this.timeoutHttpKeepAlive = b.timeoutHttpKeepAlive;
        this.timeoutTunnel = b.timeoutTunnel;
        this.forwardFor = b.forwardFor;
        this.hardStopAfter = b.hardStopAfter;
        this.mworkerMaxReloads = b.mworkerMaxReloads;
        this.idleCloseOnResponse = b.idleCloseOnResponse;
        this.noReusePort = b.noReusePort;
        this.peersSocket = b.peersSocket;
        this.peerName = b.peerName;
        this.peersListener = b.peersListener;
        this.remotePeers = Collections.unmodifiableMap(new TreeMap<>(b.remotePeers));
        this.certificateDir = b.certificateDir;
    }

    /** Settings with every default: stats socket {@code /tmp/haproxy.status.sock}, as the original. */
    public static HaproxySettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The admin-level stats socket (runtime API); default {@code /tmp/haproxy.status.sock}. */
    public Path statsSocket() {
        return statsSocket;
    }

    /** The pid file written by HAProxy ({@code pidfile}), or null to leave it to the command line. */
    public Path pidFile() {
        return pidFile;
    }

    /**
     * Where server states are saved before a reload and loaded after it, or null: none, or, with
     * {@link #keepServerState()}, {@code <configFile>.state} once a controller uses these settings.
     */
    public Path serverStateFile() {
        return serverStateFile;
    }

    /**
     * Whether server states (a member found DOWN, its checks' counters, weights set at run time) are kept across
     * reloads and restarts of HAProxy through {@link #serverStateFile()}; default on.
     */
    public boolean keepServerState() {
        return keepServerState;
    }

    public boolean masterWorker() {
        return masterWorker;
    }

    public boolean daemon() {
        return daemon;
    }

    /** Address of the {@code listen stats} page, or null for no stats page; default 127.0.0.1:1988. */
    public Bind statsListener() {
        return statsListener;
    }

    /** {@code user:password} of the stats page, or null for none; default {@code showme:showme}. */
    public String statsAuth() {
        return statsAuth;
    }

    public String user() {
        return user;
    }

    public String group() {
        return group;
    }

    /** The syslog target of {@code log} lines, e.g. {@code 127.0.0.1}, or null for no logging. */
    public String logTarget() {
        return logTarget;
    }

    public int globalMaxconn() {
        return globalMaxconn;
    }

    public int defaultsMaxconn() {
        return defaultsMaxconn;
    }

    public Duration timeoutConnect() {
        return timeoutConnect;
    }

    public Duration timeoutClient() {
        return timeoutClient;
    }

    public Duration timeoutServer() {
        return timeoutServer;
    }

    /**
     * {@code timeout http-request}: how long a client may take to send a whole request's headers (slow-loris
     * protection), also the wait for the first request on a new connection; default 10 s.
     */
    public Duration timeoutHttpRequest() {
        return timeoutHttpRequest;
    }

    /** {@code timeout http-keep-alive}: how long an idle keep-alive client connection waits for its next request; 10 s. */
    public Duration timeoutHttpKeepAlive() {
        return timeoutHttpKeepAlive;
    }

    /**
     * {@code timeout tunnel}: the idle time of a connection once it is a tunnel (WebSocket, {@code CONNECT}, tcp mode
     * after both ends spoke), which replaces the client and server timeouts there; default 1 h.
     */
    public Duration timeoutTunnel() {
        return timeoutTunnel;
    }

    /** Whether every http frontend adds {@code X-Forwarded-For} ({@code option forwardfor}); default on. */
    public boolean forwardFor() {
        return forwardFor;
    }

    /** Old workers still serving connections after a reload are stopped this long after it; null for never. */
    public Duration hardStopAfter() {
        return hardStopAfter;
    }

    /** Old workers beyond this many reloads are stopped (master-worker only); 0 for no bound. */
    public int mworkerMaxReloads() {
        return mworkerMaxReloads;
    }

    public boolean idleCloseOnResponse() {
        return idleCloseOnResponse;
    }

    /**
     * HAProxy's global {@code noreuseport}, on by default: HAProxy binds without {@code SO_REUSEPORT}, so a second
     * process (another HAProxy too) cannot listen on an address this one holds, which would split the traffic
     * silently, and this one cannot start on an address another holds. Reloads stay hitless: in master-worker mode the
     * new worker takes the listening sockets over from the old one.
     */
    public boolean noReusePort() {
        return noReusePort;
    }

    /**
     * Where the local peer listens when no {@link #peersListener()} is set: a UNIX socket through which a reloaded
     * worker gets the stick tables of the one before; null (the default) until the controller sets
     * {@code <configFile>.peers.sock}. Only rendered when a native declares a {@code stick-table}.
     */
    public Path peersSocket() {
        return peersSocket;
    }

    /** This HAProxy's name in the {@code peers} section ({@code localpeer}); default {@code local}. */
    public String peerName() {
        return peerName;
    }

    /** The TCP address the local peer listens on for the other nodes of a fleet, or null (a UNIX socket). */
    public Bind peersListener() {
        return peersListener;
    }

    /** The other nodes whose stick tables this HAProxy shares, by peer name, sorted; empty by default. */
    public Map<String, Bind> remotePeers() {
        return remotePeers;
    }

    /**
     * Where TLS certificates are kept, one {@code <name>.pem} each (chain and key, mode 600), and the frontends'
     * crt-lists; null (the default) until the controller sets {@code <configFile>.certificates}.
     */
    public Path certificateDir() {
        return certificateDir;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HaproxySettings s && Objects.equals(statsSocket, s.statsSocket)
                && Objects.equals(pidFile, s.pidFile) && Objects.equals(serverStateFile, s.serverStateFile)
                && keepServerState == s.keepServerState
                && masterWorker == s.masterWorker && daemon == s.daemon
                && Objects.equals(statsListener, s.statsListener) && Objects.equals(statsAuth, s.statsAuth)
                && Objects.equals(user, s.user) && Objects.equals(group, s.group)
                && Objects.equals(logTarget, s.logTarget) && globalMaxconn == s.globalMaxconn
                && defaultsMaxconn == s.defaultsMaxconn && timeoutConnect.equals(s.timeoutConnect)
                && timeoutClient.equals(s.timeoutClient) && timeoutServer.equals(s.timeoutServer)
                && timeoutHttpRequest.equals(s.timeoutHttpRequest) && timeoutHttpKeepAlive.equals(s.timeoutHttpKeepAlive)
                && timeoutTunnel.equals(s.timeoutTunnel) && forwardFor == s.forwardFor
                && Objects.equals(hardStopAfter, s.hardStopAfter) && mworkerMaxReloads == s.mworkerMaxReloads
                && idleCloseOnResponse == s.idleCloseOnResponse && noReusePort == s.noReusePort
                && Objects.equals(peersSocket, s.peersSocket) && peerName.equals(s.peerName)
                && Objects.equals(peersListener, s.peersListener) && remotePeers.equals(s.remotePeers)
                && Objects.equals(certificateDir, s.certificateDir);
    }

    @Override
    public int hashCode() {
        return Objects.hash(statsSocket, pidFile, serverStateFile, statsListener, globalMaxconn, mworkerMaxReloads);
    }

    /** Fluent builder of {@link HaproxySettings}; starts from the defaults. */
    public static final class Builder {
        private Path statsSocket = Path.of("/tmp/haproxy.status.sock");
        private Path pidFile;
        private Path serverStateFile;
        private boolean keepServerState = true;
        private boolean masterWorker = true;
        private boolean daemon = true;
        private Bind statsListener = new Bind("127.0.0.1", 1988);
        private String statsAuth = "showme:showme";
        private String user;
        private String group;
        private String logTarget = "127.0.0.1";
        private int globalMaxconn = 4096;
        private int defaultsMaxconn = 2000;
        private Duration timeoutConnect = Duration.ofMillis(5000);
        private Duration timeoutClient = Duration.ofMillis(50000);
        private Duration timeoutServer = Duration.ofMillis(50000);
        private Duration timeoutHttpRequest = Duration.ofSeconds(10);
        private Duration timeoutHttpKeepAlive = Duration.ofSeconds(10);
        private Duration timeoutTunnel = Duration.ofHours(1);
        private boolean forwardFor = true;
        private Duration hardStopAfter = Duration.ofSeconds(30);
        private int mworkerMaxReloads = 50;
        private boolean idleCloseOnResponse = true;
        private boolean noReusePort = true;
        private Path peersSocket;
        private String peerName = "local";
        private Bind peersListener;
        private Map<String, Bind> remotePeers = Map.of();
        private Path certificateDir;

        private Builder() {
        }

        private Builder(HaproxySettings s) {
            this.statsSocket = s.statsSocket;
            this.pidFile = s.pidFile;
            this.serverStateFile = s.serverStateFile;
            this.keepServerState = s.keepServerState;
            this.masterWorker = s.masterWorker;
            this.daemon = s.daemon;
            this.statsListener = s.statsListener;
            this.statsAuth = s.statsAuth;
            this.user = s.user;
            this.group = s.group;
            this.logTarget = s.logTarget;
            this.globalMaxconn = s.globalMaxconn;
            this.defaultsMaxconn = s.defaultsMaxconn;
            this.timeoutConnect = s.timeoutConnect;
            this.timeoutClient = s.timeoutClient;
            this.timeoutServer = s.timeoutServer;
            this.timeoutHttpRequest = s.timeoutHttpRequest;
            this.timeoutHttpKeepAlive = s.timeoutHttpKeepAlive;
            this.timeoutTunnel = s.timeoutTunnel;
            this.forwardFor = s.forwardFor;
            this.hardStopAfter = s.hardStopAfter;
            this.mworkerMaxReloads = s.mworkerMaxReloads;
            this.idleCloseOnResponse = s.idleCloseOnResponse;
            this.noReusePort = s.noReusePort;
            this.peersSocket = s.peersSocket;
            this.peerName = s.peerName;
            this.peersListener = s.peersListener;
            this.remotePeers = s.remotePeers;
            this.certificateDir = s.certificateDir;
        }

        /** @throws IllegalArgumentException when null or the path holds whitespace or control characters */
        public Builder statsSocket(Path path) {
            this.statsSocket = path("statsSocket", path);
            return this;
        }

        /** @throws IllegalArgumentException when the path holds whitespace or control characters */
        public Builder pidFile(Path path) {
            this.pidFile = path == null ? null : path("pidFile", path);
            return this;
        }

        /** @throws IllegalArgumentException when the path holds whitespace or control characters */
        public Builder serverStateFile(Path path) {
            this.serverStateFile = path == null ? null : path("serverStateFile", path);
            return this;
        }

        /** Whether server states survive reloads (see {@link HaproxySettings#keepServerState()}); off clears the file. */
        public Builder keepServerState(boolean keep) {
            this.keepServerState = keep;
            if (!keep) {
                this.serverStateFile = null;
            }
            return this;
        }

        public Builder masterWorker(boolean masterWorker) {
            this.masterWorker = masterWorker;
            return this;
        }

        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** Where the stats page listens; null for no stats page. */
        public Builder statsListener(Bind bind) {
            this.statsListener = bind;
            return this;
        }

        /** @throws IllegalArgumentException unless {@code user:password} without whitespace */
        public Builder statsAuth(String userColonPassword) {
            if (userColonPassword != null) {
                Checks.token("statsAuth", userColonPassword, 200);
                if (userColonPassword.indexOf(':') <= 0 || userColonPassword.matches(".*[#'\"\\\\].*")) {
                    throw new IllegalArgumentException("statsAuth must be user:password without # ' \" \\: "
                            + Checks.quote(userColonPassword));
                }
            }
            this.statsAuth = userColonPassword;
            return this;
        }

        /** The user and group HAProxy drops privileges to; null for both to leave them out. */
        public Builder runAs(String user, String group) {
            this.user = user == null ? null : Checks.identifier("user", user);
            this.group = group == null ? null : Checks.identifier("group", group);
            return this;
        }

        /** @throws IllegalArgumentException unless an IP address or host name, optionally with a port */
        public Builder logTarget(String target) {
            if (target != null) {
                Checks.token("logTarget", target, 255);
                if (!target.matches("[A-Za-z0-9.:_\\[\\]-]+")) {
                    throw new IllegalArgumentException("logTarget must be an address: " + Checks.quote(target));
                }
            }
            this.logTarget = target;
            return this;
        }

        /** @throws IllegalArgumentException unless positive */
        public Builder maxconn(int global, int defaults) {
            positive("globalMaxconn", global);
            positive("defaultsMaxconn", defaults);
            return globalMaxconn(global).defaultsMaxconn(defaults);
        }

        /** @throws IllegalArgumentException unless each is in 1 ms..2147483647 ms (HAProxy's longest timer) */
        public Builder timeouts(Duration connect, Duration client, Duration server) {
            duration("timeoutConnect", connect);
            duration("timeoutClient", client);
            duration("timeoutServer", server);
            return timeoutConnect(connect).timeoutClient(client).timeoutServer(server);
        }

        /**
         * {@code timeout http-request}, {@code timeout http-keep-alive} and {@code timeout tunnel}; defaults 10 s, 10 s
         * and 1 h.
         *
         * @throws IllegalArgumentException unless each is in 1 ms..2147483647 ms (HAProxy's longest timer)
         */
        public Builder httpTimeouts(Duration request, Duration keepAlive, Duration tunnel) {
            duration("timeoutHttpRequest", request);
            duration("timeoutHttpKeepAlive", keepAlive);
            duration("timeoutTunnel", tunnel);
            return timeoutHttpRequest(request).timeoutHttpKeepAlive(keepAlive).timeoutTunnel(tunnel);
        }

        /** {@code maxconn} in {@code global} alone; see {@link #maxconn(int, int)}. */
        public Builder globalMaxconn(int global) {
            this.globalMaxconn = positive("globalMaxconn", global);
            return this;
        }

        /** {@code maxconn} in {@code defaults} alone; see {@link #maxconn(int, int)}. */
        public Builder defaultsMaxconn(int defaults) {
            this.defaultsMaxconn = positive("defaultsMaxconn", defaults);
            return this;
        }

        /**
         * {@code timeout connect} alone; default 5 s.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutConnect(Duration connect) {
            this.timeoutConnect = duration("timeoutConnect", connect);
            return this;
        }

        /**
         * {@code timeout client} alone; default 50 s.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutClient(Duration client) {
            this.timeoutClient = duration("timeoutClient", client);
            return this;
        }

        /**
         * {@code timeout server} alone; default 50 s.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutServer(Duration server) {
            this.timeoutServer = duration("timeoutServer", server);
            return this;
        }

        /**
         * {@code timeout http-request} alone; default 10 s.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutHttpRequest(Duration request) {
            this.timeoutHttpRequest = duration("timeoutHttpRequest", request);
            return this;
        }

        /**
         * {@code timeout http-keep-alive} alone; default 10 s.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutHttpKeepAlive(Duration keepAlive) {
            this.timeoutHttpKeepAlive = duration("timeoutHttpKeepAlive", keepAlive);
            return this;
        }

        /**
         * {@code timeout tunnel} alone; default 1 h.
         *
         * @throws IllegalArgumentException unless in 1 ms..2147483647 ms
         */
        public Builder timeoutTunnel(Duration tunnel) {
            this.timeoutTunnel = duration("timeoutTunnel", tunnel);
            return this;
        }

        /** {@code option forwardfor} on every http frontend (see {@link HaproxySettings#forwardFor()}); default on. */
        public Builder forwardFor(boolean on) {
            this.forwardFor = on;
            return this;
        }

        /** @throws IllegalArgumentException unless in 1 ms..2147483647 ms; null for never */
        public Builder hardStopAfter(Duration hardStopAfter) {
            this.hardStopAfter = hardStopAfter == null ? null : duration("hardStopAfter", hardStopAfter);
            return this;
        }

        /** @throws IllegalArgumentException when negative */
        public Builder mworkerMaxReloads(int reloads) {
            if (reloads < 0) {
                throw new IllegalArgumentException("mworkerMaxReloads must be >= 0: " + reloads);
            }
            this.mworkerMaxReloads = reloads;
            return this;
        }

        public Builder idleCloseOnResponse(boolean on) {
            this.idleCloseOnResponse = on;
            return this;
        }

        /** HAProxy's global {@code noreuseport} (see {@link HaproxySettings#noReusePort()}); default on. */
        public Builder noReusePort(boolean on) {
            this.noReusePort = on;
            return this;
        }

        /**
         * The UNIX socket of the local peer (see {@link HaproxySettings#peersSocket()}); null for none.
         *
         * @throws IllegalArgumentException when the path holds whitespace, control characters or # ' " \\ $
         */
        public Builder peersSocket(Path path) {
            this.peersSocket = path == null ? null : path("peersSocket", path);
            return this;
        }

        /**
         * Makes the nodes of a fleet peers of each other, so their stick tables are shared: this node's peer name and
         * the TCP address it listens on for the others (reachable by them), and every other node by its peer name.
         * Each node lists the others with the same names. Without it (the default) the tables are only handed from
         * one worker to the next at a reload, through {@link HaproxySettings#peersSocket()}.
         *
         * @throws IllegalArgumentException naming {@code peers} when a name is not an identifier, the listener is
         *                                  missing, or a remote has this node's name
         */
        public Builder peers(String localName, Bind listener, Map<String, Bind> remotes) {
            Checks.identifier("peers", localName);
            Checks.notNull("peers", listener);
            Checks.notNull("peers", remotes);
            for (Map.Entry<String, Bind> e : remotes.entrySet()) {
                Checks.identifier("peers", e.getKey());
                Checks.notNull("peers", e.getValue());
                if (e.getKey().equals(localName)) {
                    throw new io.thalassa.InvalidValueException("peers", localName, "peers: the remote peers"
                            + " must not include this node's own name " + localName);
                }
            }
            this.peerName = localName;
            this.peersListener = listener;
            this.remotePeers = Map.copyOf(remotes);
            return this;
        }

        /**
         * Where certificates and crt-lists are kept (see {@link HaproxySettings#certificateDir()}).
         *
         * @throws IllegalArgumentException when the path holds whitespace, control characters or # ' " \\ $
         */
        public Builder certificateDir(Path dir) {
            this.certificateDir = dir == null ? null : path("certificateDir", dir);
            return this;
        }

        public HaproxySettings build() {
            return new HaproxySettings(this);
        }

        private static Path path(String field, Path path) {
            Checks.notNull(field, path);
            Checks.token(field, path.toString(), 4096);
            if (path.toString().matches(".*[#'\"\\\\$].*")) {
                throw new IllegalArgumentException(field + " must not contain # ' \" \\ $: " + Checks.quote(path.toString()));
            }
            return path;
        }

        private static int positive(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + " must be >= 1: " + value);
            }
            return value;
        }

        /** HAProxy keeps its timers in signed 32-bit milliseconds; a longer one fails its configuration check. */
        private static final Duration LONGEST_TIMER = Duration.ofMillis(Integer.MAX_VALUE);

        private static Duration duration(String field, Duration d) {
            Checks.notNull(field, d);
            if (d.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException(field + " must be at least 1 ms: " + d);
            }
            if (d.compareTo(LONGEST_TIMER) > 0) {
                throw new IllegalArgumentException(field + " must be at most " + LONGEST_TIMER.toMillis()
                        + " ms (about 24.8 days, HAProxy's longest timer): " + d);
            }
            return d;
        }
    }
}
