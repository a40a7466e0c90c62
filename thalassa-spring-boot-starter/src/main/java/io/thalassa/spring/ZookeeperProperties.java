package io.thalassa.spring;

import java.time.Duration;

/** The ZooKeeper registry (Curator's service-discovery layout). */
public class ZookeeperProperties {
    /** ZooKeeper's connect string, host:port[,host:port...][/chroot]; default 127.0.0.1:2181. */
    private String connect;

    /** The znode under which each service name has its instances; default /services. */
    private String basePath;

    /** The metadata key whose value is an instance's version; default version. */
    private String versionKey;

    /** The session timeout asked of the server; 1 s..10 min, default 15 s. */
    private Duration sessionTimeout;

    /** How long start-up and each call wait for a connection; 100 ms..5 min, default 5 s. */
    private Duration connectionTimeout;

    /** How often registrations whose TTL ran out are deleted; 1 ms..60 s, default 200 ms. */
    private Duration reaperInterval;

    /** How long a member whose znode another client deleted stays; 0..60 s, default 2 s. */
    private Duration removalGrace;

    public String getConnect() {
        return connect;
    }

    public void setConnect(String connect) {
        this.connect = connect;
    }

    public String getBasePath() {
        return basePath;
    }

    public void setBasePath(String basePath) {
        this.basePath = basePath;
    }

    public String getVersionKey() {
        return versionKey;
    }

    public void setVersionKey(String versionKey) {
        this.versionKey = versionKey;
    }

    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public Duration getReaperInterval() {
        return reaperInterval;
    }

    public void setReaperInterval(Duration reaperInterval) {
        this.reaperInterval = reaperInterval;
    }

    public Duration getRemovalGrace() {
        return removalGrace;
    }

    public void setRemovalGrace(Duration removalGrace) {
        this.removalGrace = removalGrace;
    }
}
