package io.thalassa.http.internal;

import io.thalassa.http.DaemonOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The picocli definition of the daemon's options; {@link DaemonOptions} is what the rest of the code sees. */
@Command(name = "thalassa", sortOptions = false, usageHelpWidth = 160,
        description = "Runs HAProxy as a registry-driven load balancer with a REST API (Thalassa for Java).")
public final class DaemonCommand {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})\\s*(ms|s|m)?");

    @Option(names = "--host", description = "host to bind to (default: ${DEFAULT-VALUE})", defaultValue = "0.0.0.0")
    String host;

    @Option(names = "--port", description = "port to bind to, 0 for any free port (default: ${DEFAULT-VALUE})",
            defaultValue = "10000")
    int port;

    @Option(names = "--label", description = "logical label for this thalassa")
    String label;

    @Option(names = "--serviceReg", description = "host of the service registry")
    String serviceReg;

    @Option(names = "--serviceRegPort", description = "port of the service registry (default: ${DEFAULT-VALUE})",
            defaultValue = "8500")
    int serviceRegPort;

    @Option(names = "--datacenter", description = "datacenter for this thalassa instance")
    String datacenter;

    @Option(names = "--location", description = "cloud location for this thalassa instance")
    String location;

    @Option(names = "--haproxySocketPath", description = "path to Haproxy socket file (default: ${DEFAULT-VALUE})",
            defaultValue = "/tmp/haproxy.status.sock")
    Path haproxySocketPath;

    @Option(names = "--haproxyPidPath", description = "path to Haproxy pid file (default: ${DEFAULT-VALUE})",
            defaultValue = "/var/run/haproxy.pid")
    Path haproxyPidPath;

    @Option(names = "--haproxyCfgPath", description = "generated Haproxy config location (default: ${DEFAULT-VALUE})",
            defaultValue = "/etc/haproxy/haproxy.cfg")
    Path haproxyCfgPath;

    @Option(names = "--templateFile", description = "template used to generate Haproxy config, a StringTemplate 4"
            + " group file; the default names the built-in template (default: ${DEFAULT-VALUE})",
            defaultValue = DaemonOptions.DEFAULT_TEMPLATE)
    String templateFile;

    @Option(names = "--persistence", description = "file to save configuration (all frontends and backends)")
    Path persistence;

    // flags take an optional value, so --debug=false on the command line can undo debug = true in --config (a bare
    // flag would flip whatever the file says)
    @Option(names = "--sudo", hidden = true, description = "removed", arity = "0..1", fallbackValue = "true")
    boolean sudo;

    @Option(names = "--haproxyUser", description = "when the daemon runs as root, HAProxy's workers drop to this user"
            + " (and its group); empty for none (default: haproxy when that user exists)")
    String haproxyUser;

    @Option(names = "--statsAuth", description = "user:password of HAProxy's stats page (default: generated once and"
            + " kept in <dbPath>/stats-auth)")
    String statsAuth;

    @Option(names = "--debug", description = "enabled debug logging", arity = "0..1", fallbackValue = "true",
            paramLabel = "true|false")
    boolean debug;

    @Option(names = "--dbPath", description = "directory of the activity feed (default: ${DEFAULT-VALUE})",
            defaultValue = "./node_modules/thalassa-crowsnest/bin/db")
    Path dbPath;

    @Option(names = "--registrationPort", description = "port of the registration API, 0 for any free port"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "9000")
    int registrationPort;

    @Option(names = "--haproxyBinary", description = "the haproxy executable (default: ${DEFAULT-VALUE})",
            defaultValue = "haproxy")
    String haproxyBinary;

    @Option(names = "--statsPort", description = "port of HAProxy's stats page on 127.0.0.1"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "1988")
    int statsPort;

    @Option(names = "--reloadWindow", description = "structural changes within this window are coalesced into one"
            + " reload: 500ms, 2s, 1m or ISO-8601 (default: ${DEFAULT-VALUE})", defaultValue = "2s")
    String reloadWindow;

    @Option(names = "--activityRetention", description = "how many activity events are kept"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "10000")
    int activityRetention;

    @Option(names = "--historySize", description = "how many revisions of the frontends and backends are kept in"
            + " <dbPath>/history.jsonl, for GET /history and revert (default: ${DEFAULT-VALUE})", defaultValue = "200")
    int historySize;

    @Option(names = "--haproxyMaxFiles", description = "the hard file-descriptor limit HAProxy is started with;"
            + " 0: as high as the system lets this process raise it, else this process's limit. A configuration"
            + " needing more is refused with 400 capacity_exceeded (default: ${DEFAULT-VALUE})", defaultValue = "0")
    long haproxyMaxFiles;

    @Option(names = "--store", description = "where frontends and backends are kept: file (the --persistence file,"
            + " or memory) or consul (Consul's KV store on --serviceReg, shared by every node of a fleet; the registry"
            + " is Consul then) (default: ${DEFAULT-VALUE})", defaultValue = "file")
    String store;

    @Option(names = "--storePrefix", description = "KV prefix of the consul store (default: thalassa/<datacenter or"
            + " default>/)")
    String storePrefix;

    @Option(names = "--bindAddress", description = "the address every frontend of this node listens on, whatever"
            + " host its bind names (the port is kept): for several nodes on one machine, or nodes that listen on their"
            + " own interface's address")
    String bindAddress;

    @Option(names = "--registry", description = "where dynamic backends' members come from: embedded, consul"
            + " (--serviceReg), zookeeper (--zkConnect) or dns (--dnsServer, --dnsName) (default: consul with"
            + " --serviceReg or --store consul, else embedded)")
    String registry;

    @Option(names = "--zkConnect", description = "ZooKeeper's connect string, host:port[,host:port...][/chroot]"
            + " (default: 127.0.0.1:2181)")
    String zkConnect;

    @Option(names = "--zkBasePath", description = "base path of Curator's service discovery (default: /services)")
    String zkBasePath;

    @Option(names = "--zkVersionKey", description = "the instance metadata key holding its version"
            + " (default: version)")
    String zkVersionKey;

    @Option(names = "--dnsServer", description = "the DNS server asked for SRV records, ip:port (default:"
            + " 127.0.0.1:53)")
    String dnsServer;

    @Option(names = "--dnsName", description = "SRV name template with {service} and {version}, the version's dots"
            + " as dashes, e.g. _{service}._tcp.v{version}.svc.example.")
    String dnsName;

    @Option(names = "--dnsMinInterval", description = "shortest interval between two lookups of a name (its TTL"
            + " otherwise) (default: 1s)")
    String dnsMinInterval;

    @Option(names = "--dnsMaxInterval", description = "longest interval between two lookups of a name"
            + " (default: 60s)")
    String dnsMaxInterval;

    @Option(names = "--maxRemovalPct", description = "one registry update removing more than this share of a"
            + " backend's members (and at least 2) is held for --removalHold; 100 never holds"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "50")
    int maxRemovalPct;

    @Option(names = "--removalHold", description = "how long mass removals are held before the registry is asked"
            + " again; 0 never holds (default: ${DEFAULT-VALUE})", defaultValue = "30s")
    String removalHold;

    @Option(names = "--timeoutConnect", description = "HAProxy's timeout connect (default: ${DEFAULT-VALUE})",
            defaultValue = "5s")
    String timeoutConnect;

    @Option(names = "--timeoutClient", description = "HAProxy's timeout client (default: ${DEFAULT-VALUE})",
            defaultValue = "50s")
    String timeoutClient;

    @Option(names = "--timeoutServer", description = "HAProxy's timeout server (default: ${DEFAULT-VALUE})",
            defaultValue = "50s")
    String timeoutServer;

    @Option(names = "--timeoutHttpRequest", description = "HAProxy's timeout http-request: how long a client may take"
            + " to send a request's headers (default: ${DEFAULT-VALUE})", defaultValue = "10s")
    String timeoutHttpRequest;

    @Option(names = "--timeoutHttpKeepAlive", description = "HAProxy's timeout http-keep-alive: how long an idle"
            + " client connection waits for its next request (default: ${DEFAULT-VALUE})", defaultValue = "10s")
    String timeoutHttpKeepAlive;

    @Option(names = "--timeoutTunnel", description = "HAProxy's timeout tunnel: how long an idle upgraded connection"
            + " (a WebSocket) lives (default: ${DEFAULT-VALUE})", defaultValue = "60m")
    String timeoutTunnel;

    @Option(names = "--maxconn", description = "HAProxy's maxconn in its global section (default: ${DEFAULT-VALUE})",
            defaultValue = "4096")
    int maxconn;

    @Option(names = "--defaultMaxconn", description = "HAProxy's maxconn in its defaults section: each frontend's"
            + " (default: ${DEFAULT-VALUE})", defaultValue = "2000")
    int defaultMaxconn;

    @Option(names = "--forwardFor", description = "option forwardfor on every http frontend (an X-Forwarded-For"
            + " header to the servers) (default: ${DEFAULT-VALUE})", defaultValue = "true", arity = "1",
            paramLabel = "true|false")
    boolean forwardFor;

    @Option(names = "--keepServerState", description = "keep server states (DOWN, drain, weights) across HAProxy's"
            + " reloads and restarts (default: ${DEFAULT-VALUE})", defaultValue = "true", arity = "1",
            paramLabel = "true|false")
    boolean keepServerState;

    @Option(names = "--unsafeNatives", description = "allow any native directive (files, listeners, Lua, global"
            + " settings); by default natives are judged against a safe allow-list", arity = "0..1",
            fallbackValue = "true", paramLabel = "true|false")
    boolean unsafeNatives;

    @Option(names = "--tokens", description = "file of API tokens, one <role>:<token> a line; roles admin, register,"
            + " read. Without it a non-loopback --host serves loopback clients only")
    Path tokens;

    @Option(names = "--tlsCert", description = "PEM certificate (chain) for HTTPS on --port and --registrationPort")
    Path tlsCert;

    @Option(names = "--tlsKey", description = "PEM private key of --tlsCert")
    Path tlsKey;

    @Option(names = "--config", paramLabel = "<file>", description = "read options from this file: key = value lines"
            + " with the options' names without -- (port = 10000), # comments; options on the command line win. An"
            + " unknown key or a bad value stops the start, naming its line")
    Path config;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    /**
     * Parses and checks; {@code --help} is rejected (ask {@link #wantsHelp} first). With {@code --config} the file's
     * values are the defaults (picocli's {@link CommandLine.PropertiesDefaultProvider}), so the command line wins; a
     * key that is no option, a value that is not of its option's type (also one the command line replaces) and a
     * value the checks refuse are refused naming the file's line.
     */
    public static DaemonOptions parse(String... args) {
        DaemonCommand c = new DaemonCommand();
        try {
            parseArgs(c, args, null);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (c.help) {
            throw new IllegalArgumentException("--help is not an option of the daemon's configuration");
        }
        if (c.config == null) {
            return c.toOptions();
        }
        ConfigFile file = ConfigFile.read(c.config);
        Set<String> known = keys();
        for (String key : new TreeSet<>(file.keys())) {
            if (!known.contains(key)) {
                throw file.refusal(key, "unknown key; the keys are the options of --help without --, e.g. port",
                        null);
            }
        }
        DaemonCommand merged = new DaemonCommand();
        CommandLine.ParseResult given;
        try {
            parseArgs(new DaemonCommand(), new String[0], file); // every value converts, also one the line replaces
            given = parseArgs(merged, args, file);
        } catch (CommandLine.ParameterException e) {
            throw refusal(file, e);
        }
        try {
            return merged.toOptions();
        } catch (Refusal r) {
            for (String option : r.options) {
                String key = option.substring(2);
                if (file.has(key) && !given.hasMatchedOption(option)) {
                    throw file.refusal(key, r.getMessage(), r);
                }
            }
            throw r;
        }
    }

    /** The keys a config file may set: every option's name without {@code --}, but {@code config} and {@code help}. */
    static Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        for (CommandLine.Model.OptionSpec o : new CommandLine(new DaemonCommand()).getCommandSpec().options()) {
            String key = o.longestName().replaceFirst("^-+", "");
            if (!key.equals("config") && !key.equals("help")) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static CommandLine.ParseResult parseArgs(DaemonCommand c, String[] args, ConfigFile file) {
        CommandLine cl = new CommandLine(c);
        if (file != null) {
            cl.setDefaultValueProvider(file.defaults());
        }
        return cl.parseArgs(args);
    }

    private static IllegalArgumentException refusal(ConfigFile file, CommandLine.ParameterException e) {
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec o) {
            String key = o.longestName().replaceFirst("^-+", "");
            if (file.has(key)) {
                return file.refusal(key, e.getMessage(), e);
            }
        }
        return new IllegalArgumentException(file.path() + ": " + e.getMessage(), e);
    }

    /** A value the checks refuse, naming the options it concerns (the first is the one the message is about). */
    static final class Refusal extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final transient List<String> options;

        Refusal(String message, String... options) {
            super(message);
            this.options = List.of(options);
        }
    }

    /** Whether the command line asks for the usage text. */
    public static boolean wantsHelp(String... args) {
        DaemonCommand c = new DaemonCommand();
        try {
            new CommandLine(c).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return false;
        }
        return c.help;
    }

    public static String usage() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new DaemonCommand());
        cl.setUsageHelpLongOptionsMaxWidth(40);
        cl.usage(new PrintWriter(out), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    private DaemonOptions toOptions() {
        if (host.isBlank()) {
            throw new Refusal("--host must not be empty", "--host");
        }
        port("--port", port, true);
        port("--registrationPort", registrationPort, true);
        port("--serviceRegPort", serviceRegPort, false);
        port("--statsPort", statsPort, false);
        if (port != 0 && port == registrationPort) {
            throw new Refusal("--registrationPort must differ from --port: " + port, "--registrationPort",
                    "--port");
        }
        if (statsPort == port || statsPort == registrationPort) {
            throw new Refusal("--statsPort must differ from --port and --registrationPort: "
                    + statsPort, "--statsPort", "--port", "--registrationPort");
        }
        if (historySize < 1 || historySize > 100_000) {
            throw new IllegalArgumentException("--historySize must be in 1..100000: " + historySize);
        }
        if (activityRetention < 1 || activityRetention > 1_000_000) {
            throw new Refusal("--activityRetention must be in 1..1000000: " + activityRetention,
                    "--activityRetention");
        }
        Duration window;
        try {
            window = duration("--reloadWindow", reloadWindow);
        } catch (IllegalArgumentException e) {
            throw new Refusal(e.getMessage(), "--reloadWindow");
        }
        if (window.isNegative() || window.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new Refusal("--reloadWindow must be in 0..1m: " + reloadWindow, "--reloadWindow");
        }
        if (!DaemonOptions.DEFAULT_TEMPLATE.equals(templateFile) && !Files.isReadable(Path.of(templateFile))) {
            throw new Refusal("--templateFile cannot be read: " + templateFile, "--templateFile");
        }
        if (persistence != null) {
            Path parent = persistence.toAbsolutePath().getParent();
            if (Files.isDirectory(persistence)) {
                throw new Refusal("--persistence must be a file, not a directory: " + persistence,
                        "--persistence");
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw new Refusal("--persistence: directory " + parent + " does not exist", "--persistence");
            }
        }
        if (haproxyMaxFiles != 0 && (haproxyMaxFiles < 64 || haproxyMaxFiles > 1L << 30)) {
            throw new Refusal("--haproxyMaxFiles must be 0 or in 64..1073741824: "
                    + haproxyMaxFiles, "--haproxyMaxFiles");
        }
        if (haproxyBinary.isBlank()) {
            throw new Refusal("--haproxyBinary must not be empty", "--haproxyBinary");
        }
        if (sudo) {
            throw new Refusal("--sudo was removed: start the daemon as root and HAProxy's workers"
                    + " drop to --haproxyUser (default haproxy), or start it as a user that may bind the ports",
                    "--sudo");
        }
        if (statsAuth != null && (statsAuth.indexOf(':') <= 0 || !statsAuth.matches("[!-~&&[^#'\"\\\\]]{3,200}"))) {
            throw new Refusal("--statsAuth must be user:password of printable characters without"
                    + " # ' \" \\", "--statsAuth");
        }
        if (tokens != null && !Files.isReadable(tokens)) {
            throw new Refusal("--tokens cannot be read: " + tokens, "--tokens");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new Refusal("--tlsCert and --tlsKey go together", "--tlsCert", "--tlsKey");
        }
        for (Path p : new Path[] {tlsCert, tlsKey}) {
            if (p != null && !Files.isReadable(p)) {
                String option = p == tlsCert ? "--tlsCert" : "--tlsKey";
                throw new Refusal(option + " cannot be read: " + p, option);
            }
        }
        if (!store.equals("file") && !store.equals("consul")) {
            throw new Refusal("--store must be file or consul: " + store, "--store");
        }
        if (store.equals("consul") && persistence != null) {
            throw new Refusal("--persistence is the file store: with --store consul the"
                    + " configuration is in Consul (and a cache under --dbPath)", "--persistence", "--store");
        }
        if (storePrefix != null && !store.equals("consul")) {
            throw new Refusal("--storePrefix goes with --store consul", "--storePrefix", "--store");
        }
        String prefix = storePrefix;
        if (store.equals("consul") && prefix == null) {
            prefix = "thalassa/" + (datacenter == null ? "default" : datacenter) + "/";
        }
        if (prefix != null) {
            if (!prefix.matches("[A-Za-z0-9._/-]{1,200}") || prefix.startsWith("/") || prefix.contains("..")
                    || prefix.contains("//")) {
                throw new Refusal("--storePrefix must be a relative KV path of letters, digits and"
                        + " . _ - / such as thalassa/dc1/: " + storePrefix, "--storePrefix");
            }
            prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        }
        if (bindAddress != null) {
            try {
                io.thalassa.Bind.parse(bindAddress + ":1");
            } catch (IllegalArgumentException e) {
                throw new Refusal("--bindAddress must be an IP address or host name: " + bindAddress,
                        "--bindAddress");
            }
        }
        return new DaemonOptions(host, port, label, serviceReg, serviceRegPort, datacenter, location,
                haproxySocketPath, haproxyPidPath, haproxyCfgPath, templateFile, persistence, debug, dbPath,
                registrationPort, haproxyBinary, statsPort, window, activityRetention, haproxyMaxFiles, unsafeNatives,
                tokens, tlsCert, tlsKey, haproxyUser, statsAuth, store, prefix, bindAddress, registries(), historySize,
                haproxyOptions());
    }

    /** The registry options, checked; the options of a registry not chosen are refused. */
    private io.thalassa.http.RegistryOptions registries() {
        String kind = registry != null ? registry
                : serviceReg != null || store.equals("consul") ? "consul" : "embedded";
        if (!java.util.List.of("embedded", "consul", "zookeeper", "dns").contains(kind)) {
            throw new IllegalArgumentException("--registry must be embedded, consul, zookeeper or dns: " + kind);
        }
        if (store.equals("consul") && !kind.equals("consul")) {
            throw new IllegalArgumentException("--store consul goes with the consul registry: --registry " + kind);
        }
        if (serviceReg != null && !kind.equals("consul")) {
            throw new IllegalArgumentException("--serviceReg is Consul's host: it goes with --registry consul, not "
                    + kind);
        }
        only("zookeeper", kind, "--zkConnect", zkConnect, "--zkBasePath", zkBasePath, "--zkVersionKey", zkVersionKey);
        only("dns", kind, "--dnsServer", dnsServer, "--dnsName", dnsName, "--dnsMinInterval", dnsMinInterval,
                "--dnsMaxInterval", dnsMaxInterval);
        if (kind.equals("dns") && dnsName == null) {
            throw new IllegalArgumentException("--registry dns needs --dnsName, e.g."
                    + " '_{service}._tcp.v{version}.svc.example.'");
        }
        String dns = dnsServer == null ? "127.0.0.1:53" : dnsServer;
        int colon = dns.lastIndexOf(':');
        String dnsHost = colon > 0 ? dns.substring(0, colon).replaceAll("^\\[|\\]$", "") : "";
        int dnsPort = colon > 0 && dns.substring(colon + 1).matches("[0-9]{1,5}")
                ? Integer.parseInt(dns.substring(colon + 1)) : -1;
        if (!io.thalassa.internal.Checks.isIpv4(dnsHost) && !io.thalassa.internal.Checks.isIpv6(dnsHost)
                || dnsPort < 1 || dnsPort > 65535) {
            throw new IllegalArgumentException("--dnsServer must be ip:port, e.g. 127.0.0.1:53: " + dns);
        }
        Duration min = duration("--dnsMinInterval", dnsMinInterval == null ? "1s" : dnsMinInterval);
        Duration max = duration("--dnsMaxInterval", dnsMaxInterval == null ? "60s" : dnsMaxInterval);
        if (min.compareTo(Duration.ofMillis(100)) < 0 || max.compareTo(min) < 0
                || max.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--dnsMinInterval and --dnsMaxInterval must be in 100ms..1h, the"
                    + " minimum at most the maximum: " + min + ", " + max);
        }
        if (maxRemovalPct < 0 || maxRemovalPct > 100) {
            throw new IllegalArgumentException("--maxRemovalPct must be in 0..100: " + maxRemovalPct);
        }
        Duration hold = duration("--removalHold", removalHold);
        if (hold.isNegative() || hold.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--removalHold must be in 0..1h: " + removalHold);
        }
        io.thalassa.http.RegistryOptions options = new io.thalassa.http.RegistryOptions(kind,
                zkConnect == null ? "127.0.0.1:2181" : zkConnect, zkBasePath == null ? "/services" : zkBasePath,
                zkVersionKey == null ? "version" : zkVersionKey, dnsHost, dnsPort, dnsName, min, max, maxRemovalPct,
                hold);
        RegistryParts.check(options);
        return options;
    }

    /** The options of the HAProxy it runs, checked. */
    private io.thalassa.http.HaproxyOptions haproxyOptions() {
        if (maxconn < 1 || maxconn > 10_000_000) {
            throw new Refusal("--maxconn must be in 1..10000000: " + maxconn, "--maxconn");
        }
        if (defaultMaxconn < 1 || defaultMaxconn > maxconn) {
            throw new Refusal("--defaultMaxconn must be in 1..--maxconn (" + maxconn + "): " + defaultMaxconn,
                    "--defaultMaxconn");
        }
        return new io.thalassa.http.HaproxyOptions(timeout("--timeoutConnect", timeoutConnect),
                timeout("--timeoutClient", timeoutClient), timeout("--timeoutServer", timeoutServer),
                timeout("--timeoutHttpRequest", timeoutHttpRequest),
                timeout("--timeoutHttpKeepAlive", timeoutHttpKeepAlive), timeout("--timeoutTunnel", timeoutTunnel),
                maxconn, defaultMaxconn, forwardFor, keepServerState);
    }

    /** A timeout of HAProxy's: 1 ms to 24 h. */
    private static Duration timeout(String option, String value) {
        Duration d;
        try {
            d = duration(option, value);
        } catch (IllegalArgumentException e) {
            throw new Refusal(e.getMessage(), option);
        }
        if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofHours(24)) > 0) {
            throw new Refusal(option + " must be in 1ms..24h: " + value, option);
        }
        return d;
    }

    /** Refuses options given for a registry that is not {@code kind}: name, value, name, value... */
    private static void only(String registry, String kind, String... optionsAndValues) {
        for (int i = 0; i < optionsAndValues.length; i += 2) {
            if (optionsAndValues[i + 1] != null && !registry.equals(kind)) {
                throw new IllegalArgumentException(optionsAndValues[i] + " goes with --registry " + registry
                        + ", not " + kind);
            }
        }
    }

    private static void port(String option, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 65535) {
            throw new Refusal(option + " must be in " + (zeroAllowed ? 0 : 1) + "..65535: " + value, option);
        }
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, a bare number of milliseconds, or ISO-8601 ({@code PT2S}). */
    public static Duration duration(String option, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            return switch (unit) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofMillis(n);
            };
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be a duration like 500ms, 2s or PT2S: " + value);
        }
    }
}
