package io.thalassa.http;

import io.thalassa.http.internal.DaemonCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The daemon's command line, parsed and checked: every option of the original Thalassa with its name and default,
 * plus what this stack needs. Every path and port is an option, so two daemons run side by side on one machine.
 *
 * @param host              address the HTTP servers bind to, default {@code 0.0.0.0}
 * @param port              REST API, web UI and WebSocket port, default 10000; 0 picks a free port
 * @param label             logical label of this instance, or null
 * @param serviceReg        host of the service registry (Consul), or null for the embedded registry
 * @param serviceRegPort    port of the service registry, default 8500
 * @param datacenter        datacenter of this instance, or null
 * @param location          cloud location of this instance, or null
 * @param haproxySocketPath HAProxy's stats socket, default {@code /tmp/haproxy.status.sock}
 * @param haproxyPidPath    HAProxy's pid file, default {@code /var/run/haproxy.pid}
 * @param haproxyCfgPath    where the generated haproxy.cfg is written, default {@code /etc/haproxy/haproxy.cfg}
 * @param templateFile      the template, default {@code default.haproxycfg.tmpl}: the built-in one; see
 *                          {@link #customTemplate()}
 * @param persistence       the file holding all frontends and backends, or null to keep them in memory only
 * @param debug             debug logging
 * @param dbPath            directory of the activity feed, default {@code ./node_modules/thalassa-crowsnest/bin/db}
 *                          (the original's)
 * @param registrationPort  registration API port, default 9000; 0 picks a free port
 * @param haproxyBinary     the haproxy executable, default {@code haproxy} (looked up on the PATH)
 * @param statsPort         port of HAProxy's stats page on 127.0.0.1, default 1988
 * @param reloadWindow      structural changes within this window are coalesced into one reload, default 2 s
 * @param activityRetention how many activity events are kept, default 10,000
 * @param haproxyMaxFiles   the hard file-descriptor limit HAProxy is started with; 0 (default): as high as the system
 *                          lets this process raise it, else the limit this process has
 * @param unsafeNatives     allow any native directive ({@link io.thalassa.NativePolicy#UNRESTRICTED}); default the
 *                          safe allow-list
 * @param tokens            the tokens file ({@code <role>:<token>} per line), or null for no authentication
 * @param tlsCert           PEM certificate chain for HTTPS on both ports, or null for plain HTTP
 * @param tlsKey            PEM private key of {@code tlsCert} (PKCS#8 or PKCS#1 RSA), or null
 * @param haproxyUser       the user HAProxy's workers drop to when the daemon runs as root: default {@code haproxy}
 *                          when that user exists; empty for none
 * @param statsAuth         {@code user:password} of HAProxy's stats page, or null for one generated and kept under
 *                          {@code dbPath}
 * @param store             {@code file} (default: the persistence file, or memory) or {@code consul}: the fleet's
 *                          shared store in Consul's KV, with the Consul registry
 * @param storePrefix       KV prefix of the consul store ({@code thalassa/<datacenter or default>/}), or null for the
 *                          file store
 * @param bindAddress       the address every frontend of this node listens on instead of the host its bind names,
 *                          or null to listen where the binds say
 * @param registries        which registry fills dynamic backends and how (see {@link RegistryOptions})
 * @param historySize       how many revisions of the frontends and backends are kept, default 200
 * @param haproxy           the timeouts, limits and options of the HAProxy it runs (see {@link HaproxyOptions})
 */
public record DaemonOptions(String host, int port, String label, String serviceReg, int serviceRegPort,
        String datacenter, String location, Path haproxySocketPath, Path haproxyPidPath, Path haproxyCfgPath,
        String templateFile, Path persistence, boolean debug, Path dbPath, int registrationPort,
        String haproxyBinary, int statsPort, Duration reloadWindow, int activityRetention, long haproxyMaxFiles,
        boolean unsafeNatives, Path tokens, Path tlsCert, Path tlsKey, String haproxyUser, String statsAuth,
        String store, String storePrefix, String bindAddress, RegistryOptions registries,
        int historySize, HaproxyOptions haproxy) {

    /** The {@code --templateFile} value that names the built-in template, as the original's bundled one. */
    public static final String DEFAULT_TEMPLATE = "default.haproxycfg.tmpl";

    /**
     * Parses a command line. With {@code --config <file>}, the file's {@code key = value} lines (the options' names
     * without {@code --}) are the defaults, and the command line wins.
     *
     * @throws IllegalArgumentException naming the option, for an unknown option or an invalid value, and naming the
     *                                  file and line for an unknown key or an invalid value in the config file;
     *                                  {@code --help} is not an option here (see {@link ThalassaMain})
     */
    public static DaemonOptions parse(String... args) {
        return DaemonCommand.parse(args);
    }

    /** The options with every default. */
    public static DaemonOptions defaults() {
        return parse();
    }

    /** The usage text of {@code --help}. */
    public static String usage() {
        return DaemonCommand.usage();
    }

    /** The template file to render with, or empty for the built-in default template. */
    public Optional<Path> customTemplate() {
        return DEFAULT_TEMPLATE.equals(templateFile) ? Optional.empty() : Optional.of(Path.of(templateFile));
    }

    /** The persistence file, or empty. */
    public Optional<Path> persistenceFile() {
        return Optional.ofNullable(persistence);
    }

    /** A copy listening on {@code host} with the two given ports: what tests and side-by-side daemons change. */
    public DaemonOptions withPorts(String host, int port, int registrationPort) {
        return new DaemonOptions(host, port, label, serviceReg, serviceRegPort, datacenter, location,
                haproxySocketPath, haproxyPidPath, haproxyCfgPath, templateFile, persistence, debug, dbPath,
                registrationPort, haproxyBinary, statsPort, reloadWindow, activityRetention, haproxyMaxFiles,
                unsafeNatives, tokens, tlsCert, tlsKey, haproxyUser, statsAuth, store, storePrefix, bindAddress,
                registries, historySize, haproxy);
    }

    /** The natives policy: the safe allow-list unless {@code --unsafeNatives}. */
    public io.thalassa.NativePolicy nativePolicy() {
        return unsafeNatives ? io.thalassa.NativePolicy.UNRESTRICTED : io.thalassa.NativePolicy.SAFE;
    }

    /** Whether the configuration is in Consul, shared with the other nodes of a fleet. */
    public boolean fleet() {
        return "consul".equals(store);
    }

    /** Whether both ports speak HTTPS. */
    public boolean tls() {
        return tlsCert != null;
    }

    /** How the daemon serves its API: host, ports, tokens, TLS, natives policy, what it says about itself. */
    public HttpOptions http() {
        return new HttpOptions(host, port, registrationPort, tokens, tlsCert, tlsKey, nativePolicy(), label, location,
                datacenter);
    }

    /** The daemon's {@link io.thalassa.runtime.Thalassa}, configured as these options say and not started yet. */
    public io.thalassa.runtime.Thalassa.Builder thalassa() {
        return io.thalassa.http.internal.DaemonRuntime.builder(this);
    }
}
