package io.thalassa.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code thalassa.*} properties: each is a setting of {@link io.thalassa.runtime.Thalassa.Builder} or of a
 * registry's, store's or the HTTP adapter's, and one left out keeps the library's default (named in its description).
 */
@ConfigurationProperties("thalassa")
public class ThalassaProperties {
    /** Whether to start Thalassa: HAProxy, the registry, the store. */
    private boolean enabled = true;

    /**
     * Where HAProxy's files (haproxy.cfg, socket, pid, log, server state), the stored configuration (config.json)
     * and the state live; default <java.io.tmpdir>/thalassa-<user>. The next start on the same directory
     * adopts the HAProxy this one left serving.
     */
    private Path workDir;

    /** Where the activity log, the embedded registry's registrations and other state are kept; default the work dir. */
    private Path stateDir;

    /** Structural changes within this window become one reload; 0..60 s, default 200 ms. */
    private Duration reloadWindow;

    /** The address every frontend listens on instead of its bind's host (the port is kept); default the binds'. */
    private String bindAddress;

    /** How many activity events are kept; 1..1,000,000, default 10,000. */
    private Integer activityRetention;

    /** This process's name among the nodes of a fleet (store kind consul); default <host name>-<pid>. */
    private String nodeName;

    /** How long a newly watched service may hold a change back for its first members; 0..60 s, default 2 s. */
    private Duration firstDeliveryTimeout;

    /**
     * Frontends and backends to apply at start: a file in the daemon's persistence format,
     * {"frontends":[...],"backends":[...]}, as JSON or as the same in YAML (.yml, .yaml); a
     * path, or classpath:thalassa.yml. HAProxy starts with them: each item is added, or replaces the stored one
     * with its key (items only in the store stay), and saved.
     */
    private String configFile;

    /**
     * The tokens file of the REST API (<role>:<token> per line) when thalassa.http.enabled; none:
     * no authentication (loopback clients only on a host that is not loopback).
     */
    private Path tokensFile;

    @NestedConfigurationProperty
    private final HaproxyProperties haproxy = new HaproxyProperties();
    private final Registry registry = new Registry();
    private final Store store = new Store();
    private final Http http = new Http();
    private final Health health = new Health();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Path getWorkDir() {
        return workDir;
    }

    public void setWorkDir(Path workDir) {
        this.workDir = workDir;
    }

    public Path getStateDir() {
        return stateDir;
    }

    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Duration getReloadWindow() {
        return reloadWindow;
    }

    public void setReloadWindow(Duration reloadWindow) {
        this.reloadWindow = reloadWindow;
    }

    public String getBindAddress() {
        return bindAddress;
    }

    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    public Integer getActivityRetention() {
        return activityRetention;
    }

    public void setActivityRetention(Integer activityRetention) {
        this.activityRetention = activityRetention;
    }

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public Duration getFirstDeliveryTimeout() {
        return firstDeliveryTimeout;
    }

    public void setFirstDeliveryTimeout(Duration firstDeliveryTimeout) {
        this.firstDeliveryTimeout = firstDeliveryTimeout;
    }

    public String getConfigFile() {
        return configFile;
    }

    public void setConfigFile(String configFile) {
        this.configFile = configFile;
    }

    public Path getTokensFile() {
        return tokensFile;
    }

    public void setTokensFile(Path tokensFile) {
        this.tokensFile = tokensFile;
    }

    public HaproxyProperties getHaproxy() {
        return haproxy;
    }

    public Registry getRegistry() {
        return registry;
    }

    public Store getStore() {
        return store;
    }

    public Http getHttp() {
        return http;
    }

    public Health getHealth() {
        return health;
    }


    /** Where dynamic backends' members come from. */
    public static class Registry {
        /** Which registry: embedded (in this process), consul or zookeeper (each needs its Thalassa module). */
        private RegistryKind kind = RegistryKind.EMBEDDED;

        private final Embedded embedded = new Embedded();
        private final ConsulRegistryProperties consul = new ConsulRegistryProperties();
        @NestedConfigurationProperty
        private final ZookeeperProperties zookeeper = new ZookeeperProperties();

        public RegistryKind getKind() {
            return kind;
        }

        public void setKind(RegistryKind kind) {
            this.kind = kind;
        }

        public Embedded getEmbedded() {
            return embedded;
        }

        public ConsulRegistryProperties getConsul() {
            return consul;
        }

        public ZookeeperProperties getZookeeper() {
            return zookeeper;
        }
    }

    /** The registries the starter can make. */
    public enum RegistryKind {
        /** io.thalassa.EmbeddedRegistry, in this process. */
        EMBEDDED,
        /** io.thalassa.consul.ConsulRegistry: needs io.thalassa:thalassa-consul. */
        CONSUL,
        /** io.thalassa.zookeeper.ZookeeperRegistry: needs io.thalassa:thalassa-zookeeper. */
        ZOOKEEPER
    }

    /** The embedded registry. */
    public static class Embedded {
        /** The file its registrations are kept in across restarts; default <state-dir>/registrations.state. */
        private Path stateFile;

        /** How often expired registrations are removed; 1 ms..60 s, default 200 ms. */
        private Duration reaperInterval;

        public Path getStateFile() {
            return stateFile;
        }

        public void setStateFile(Path stateFile) {
            this.stateFile = stateFile;
        }

        public Duration getReaperInterval() {
            return reaperInterval;
        }

        public void setReaperInterval(Duration reaperInterval) {
            this.reaperInterval = reaperInterval;
        }
    }

    /** A Consul agent's HTTP API, shared settings of the Consul registry and store. */
    public static class ConsulAgent {
        /** The agent's host. */
        private String host = "127.0.0.1";

        /** The agent's HTTP port. */
        private int port = 8500;

        /** The ACL token sent with every request; default none. */
        private String aclToken;

        /** How long one blocking query may wait for a change; 1 s..10 min, default 30 s. */
        private Duration wait;

        /** The timeout of the other calls; default 5 s. */
        private Duration requestTimeout;

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getAclToken() {
            return aclToken;
        }

        public void setAclToken(String aclToken) {
            this.aclToken = aclToken;
        }

        public Duration getWait() {
            return wait;
        }

        public void setWait(Duration wait) {
            this.wait = wait;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }
    }

    /** The Consul registry. */
    public static class ConsulRegistryProperties extends ConsulAgent {
        /** The datacenter to watch; default the agent's own. */
        private String datacenter;

        /** How long Consul keeps a service whose TTL check is critical; 1 min..1 day, default 1 min. */
        private Duration deregisterCriticalServiceAfter;

        /** The service meta key holding an instance's version; default version. */
        private String versionMetaKey;

        public String getDatacenter() {
            return datacenter;
        }

        public void setDatacenter(String datacenter) {
            this.datacenter = datacenter;
        }

        public Duration getDeregisterCriticalServiceAfter() {
            return deregisterCriticalServiceAfter;
        }

        public void setDeregisterCriticalServiceAfter(Duration deregisterCriticalServiceAfter) {
            this.deregisterCriticalServiceAfter = deregisterCriticalServiceAfter;
        }

        public String getVersionMetaKey() {
            return versionMetaKey;
        }

        public void setVersionMetaKey(String versionMetaKey) {
            this.versionMetaKey = versionMetaKey;
        }
    }


    /** Where the frontends and backends are kept. */
    public static class Store {
        /** Which store: file (one JSON file) or consul (Consul's KV store, shared by a fleet; needs thalassa-consul). */
        private StoreKind kind = StoreKind.FILE;

        /** The file store's file; default <work-dir>/config.json. */
        private Path file;

        private final ConsulStoreProperties consul = new ConsulStoreProperties();

        public StoreKind getKind() {
            return kind;
        }

        public void setKind(StoreKind kind) {
            this.kind = kind;
        }

        public Path getFile() {
            return file;
        }

        public void setFile(Path file) {
            this.file = file;
        }

        public ConsulStoreProperties getConsul() {
            return consul;
        }
    }

    /** The stores the starter can make. */
    public enum StoreKind {
        /** io.thalassa.runtime.FileConfigStore: one JSON file. */
        FILE,
        /** io.thalassa.consul.ConsulConfigStore: Consul's KV store, shared by a fleet. */
        CONSUL
    }

    /** The Consul store. */
    public static class ConsulStoreProperties extends ConsulAgent {
        /** The key prefix, e.g. thalassa/dc1/; default thalassa/default/. */
        private String prefix;

        /** TTL of the session holding this node's published state; 10 s..1 h, default 15 s. */
        private Duration sessionTtl;

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public Duration getSessionTtl() {
            return sessionTtl;
        }

        public void setSessionTtl(Duration sessionTtl) {
            this.sessionTtl = sessionTtl;
        }
    }

    /** The REST API, the registration API and the web UI, on their own ports (needs thalassa-http-adapter). */
    public static class Http {
        /** Whether to serve them. */
        private boolean enabled;

        /** The address both ports bind to. */
        private String host = "127.0.0.1";

        /** The REST API, web UI and WebSocket port; 0 picks a free port. */
        private int port = 10000;

        /** The registration API's port; 0 picks a free port. */
        private int registrationPort = 9000;

        /** PEM certificate chain for HTTPS on both ports; default plain HTTP. */
        private Path tlsCert;

        /** PEM private key of the certificate. */
        private Path tlsKey;

        /** Whether a write through the API may hold any native directive (else the safe allow-list). */
        private boolean unsafeNatives;

        /** What /status calls this instance. */
        private String label;

        /** Its cloud location, for /status. */
        private String location;

        /** Its datacenter, for /status. */
        private String datacenter;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public int getRegistrationPort() {
            return registrationPort;
        }

        public void setRegistrationPort(int registrationPort) {
            this.registrationPort = registrationPort;
        }

        public Path getTlsCert() {
            return tlsCert;
        }

        public void setTlsCert(Path tlsCert) {
            this.tlsCert = tlsCert;
        }

        public Path getTlsKey() {
            return tlsKey;
        }

        public void setTlsKey(Path tlsKey) {
            this.tlsKey = tlsKey;
        }

        public boolean isUnsafeNatives() {
            return unsafeNatives;
        }

        public void setUnsafeNatives(boolean unsafeNatives) {
            this.unsafeNatives = unsafeNatives;
        }

        public String getLabel() {
            return label;
        }

        public void setLabel(String label) {
            this.label = label;
        }

        public String getLocation() {
            return location;
        }

        public void setLocation(String location) {
            this.location = location;
        }

        public String getDatacenter() {
            return datacenter;
        }

        public void setDatacenter(String datacenter) {
            this.datacenter = datacenter;
        }
    }

    /** What Actuator's health says. */
    public static class Health {
        /**
         * Whether the readiness state (and so the readiness group) follows Thalassa: refusing traffic while HAProxy
         * does not run the configuration last accepted, as the daemon's /health/ready.
         */
        private boolean readiness = true;

        public boolean isReadiness() {
            return readiness;
        }

        public void setReadiness(boolean readiness) {
            this.readiness = readiness;
        }
    }
}
