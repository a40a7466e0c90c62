package io.thalassa.spring;

import java.nio.file.Path;
import java.time.Duration;

/** HAProxy itself. */
public class HaproxyProperties {
    /** The HAProxy program, a path or a name on the PATH; default haproxy. */
    private String binary;

    /** The haproxy.cfg written and run; default <work-dir>/haproxy.cfg. */
    private Path configFile;

    /**
     * Whether stopping the application stops HAProxy too (Thalassa.stop()); false (the default) leaves it
     * serving for the next start, which adopts it without a reload (Thalassa.close()).
     */
    private boolean stopOnShutdown;

    /**
     * The user HAProxy's workers drop to when the application runs as root; default haproxy when that
     * user exists; empty for none.
     */
    private String user;

    /** HAProxy's hard file-descriptor limit; 64..2^30, default as high as the system lets this process go. */
    private Long fileLimit;

    /** HAProxy's stats page listener, e.g. 127.0.0.1:1988; default none. */
    private String statsPage;

    /** The stats page's user:password; default one generated once and kept in the state dir. */
    private String statsAuth;

    /** How often the controller checks that HAProxy's master runs (and starts it again); default 500 ms. */
    private Duration supervisionInterval;

    /** HAProxy's timeout connect: how long a connection to a member may take; 1 ms to about 24.8 days, default 5s. */
    private Duration timeoutConnect;

    /** HAProxy's timeout client: how long a client may stay silent; 1 ms to about 24.8 days, default 50s. */
    private Duration timeoutClient;

    /** HAProxy's timeout server: how long a member may stay silent; 1 ms to about 24.8 days, default 50s. */
    private Duration timeoutServer;

    /**
     * HAProxy's timeout http-request: how long a client may take to send a request's headers; 1 ms to about 24.8 days,
     * default 10s.
     */
    private Duration timeoutHttpRequest;

    /**
     * HAProxy's timeout http-keep-alive: how long an idle client connection waits for its next request; 1 ms to about
     * 24.8 days, default 10s.
     */
    private Duration timeoutHttpKeepAlive;

    /**
     * HAProxy's timeout tunnel: how long a WebSocket or other tunnel may stay idle; 1 ms to about 24.8 days, default
     * 1h.
     */
    private Duration timeoutTunnel;

    /** HAProxy's maxconn in global: the connections the whole process takes at once; at least 1, default 4096. */
    private Integer maxconn;

    /**
     * HAProxy's maxconn in defaults: the connections each frontend takes at once; at least 1, and at most maxconn when
     * both are set; default 2000.
     */
    private Integer defaultMaxconn;

    /** Whether HTTP frontends add X-Forwarded-For (option forwardfor); default true. */
    private Boolean forwardFor;

    /**
     * Whether members' states (DOWN, check counters, weights set at run time) are kept across HAProxy's reloads and
     * restarts; default true.
     */
    private Boolean keepServerState;

    public String getBinary() {
        return binary;
    }

    public void setBinary(String binary) {
        this.binary = binary;
    }

    public Path getConfigFile() {
        return configFile;
    }

    public void setConfigFile(Path configFile) {
        this.configFile = configFile;
    }

    public boolean isStopOnShutdown() {
        return stopOnShutdown;
    }

    public void setStopOnShutdown(boolean stopOnShutdown) {
        this.stopOnShutdown = stopOnShutdown;
    }

    public String getUser() {
        return user;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public Long getFileLimit() {
        return fileLimit;
    }

    public void setFileLimit(Long fileLimit) {
        this.fileLimit = fileLimit;
    }

    public String getStatsPage() {
        return statsPage;
    }

    public void setStatsPage(String statsPage) {
        this.statsPage = statsPage;
    }

    public String getStatsAuth() {
        return statsAuth;
    }

    public void setStatsAuth(String statsAuth) {
        this.statsAuth = statsAuth;
    }

    public Duration getSupervisionInterval() {
        return supervisionInterval;
    }

    public void setSupervisionInterval(Duration supervisionInterval) {
        this.supervisionInterval = supervisionInterval;
    }

    public Duration getTimeoutConnect() {
        return timeoutConnect;
    }

    public void setTimeoutConnect(Duration timeoutConnect) {
        this.timeoutConnect = timeoutConnect;
    }

    public Duration getTimeoutClient() {
        return timeoutClient;
    }

    public void setTimeoutClient(Duration timeoutClient) {
        this.timeoutClient = timeoutClient;
    }

    public Duration getTimeoutServer() {
        return timeoutServer;
    }

    public void setTimeoutServer(Duration timeoutServer) {
        this.timeoutServer = timeoutServer;
    }

    public Duration getTimeoutHttpRequest() {
        return timeoutHttpRequest;
    }

    public void setTimeoutHttpRequest(Duration timeoutHttpRequest) {
        this.timeoutHttpRequest = timeoutHttpRequest;
    }

    public Duration getTimeoutHttpKeepAlive() {
        return timeoutHttpKeepAlive;
    }

    public void setTimeoutHttpKeepAlive(Duration timeoutHttpKeepAlive) {
        this.timeoutHttpKeepAlive = timeoutHttpKeepAlive;
    }

    public Duration getTimeoutTunnel() {
        return timeoutTunnel;
    }

    public void setTimeoutTunnel(Duration timeoutTunnel) {
        this.timeoutTunnel = timeoutTunnel;
    }

    public Integer getMaxconn() {
        return maxconn;
    }

    public void setMaxconn(Integer maxconn) {
        this.maxconn = maxconn;
    }

    public Integer getDefaultMaxconn() {
        return defaultMaxconn;
    }

    public void setDefaultMaxconn(Integer defaultMaxconn) {
        this.defaultMaxconn = defaultMaxconn;
    }

    public Boolean getForwardFor() {
        return forwardFor;
    }

    public void setForwardFor(Boolean forwardFor) {
        this.forwardFor = forwardFor;
    }

    public Boolean getKeepServerState() {
        return keepServerState;
    }

    public void setKeepServerState(Boolean keepServerState) {
        this.keepServerState = keepServerState;
    }
}
