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
}
