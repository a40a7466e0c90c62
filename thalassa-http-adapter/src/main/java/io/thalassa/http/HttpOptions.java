package io.thalassa.http;

import io.thalassa.NativePolicy;
import io.thalassa.internal.Checks;
import java.nio.file.Path;

/**
 * How {@link ThalassaHttp} serves a {@link io.thalassa.runtime.Thalassa}: where it listens, who may call it, and
 * what it says about itself. The daemon makes these from its command line ({@link DaemonOptions#http()}).
 *
 * @param host             address both ports bind to
 * @param port             REST API, web UI and WebSocket; 0 picks a free port
 * @param registrationPort the registration API; 0 picks a free port
 * @param tokens           the tokens file ({@code <role>:<token>} per line), or null for no authentication (then a
 *                         host that is not loopback serves loopback clients only)
 * @param tlsCert          PEM certificate chain for HTTPS on both ports, or null for plain HTTP
 * @param tlsKey           PEM private key of {@code tlsCert}, or null
 * @param natives          what natives a write through the API may hold
 * @param label            what {@code /status} calls this instance, or null
 * @param location         its cloud location, or null
 * @param datacenter       its datacenter, or null
 */
public record HttpOptions(String host, int port, int registrationPort, Path tokens, Path tlsCert, Path tlsKey,
        NativePolicy natives, String label, String location, String datacenter) {

    public HttpOptions {
        Checks.notNull("host", host);
        Checks.notNull("natives", natives);
        if (port < 0 || port > 65535 || registrationPort < 0 || registrationPort > 65535) {
            throw new IllegalArgumentException("ports must be in 0..65535: " + port + ", " + registrationPort);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tlsCert and tlsKey go together");
        }
    }

    /**
     * On 127.0.0.1, the API on {@code port} and registrations on {@code registrationPort} (0: any free port), no
     * tokens, plain HTTP, the safe natives policy.
     */
    public static HttpOptions loopback(int port, int registrationPort) {
        return new HttpOptions("127.0.0.1", port, registrationPort, null, null, null, NativePolicy.SAFE, null, null,
                null);
    }

    /** These options with {@code tokens} as the tokens file. */
    public HttpOptions withTokens(Path tokensFile) {
        return new HttpOptions(host, port, registrationPort, tokensFile, tlsCert, tlsKey, natives, label, location,
                datacenter);
    }

    /** These options with HTTPS from {@code cert} and {@code key} on both ports. */
    public HttpOptions withTls(Path cert, Path key) {
        return new HttpOptions(host, port, registrationPort, tokens, cert, key, natives, label, location, datacenter);
    }

    /** Whether both ports speak HTTPS. */
    public boolean tls() {
        return tlsCert != null;
    }
}
