package io.thalassa.consul;

import com.google.common.net.HostAndPort;
import java.time.Duration;
import org.kiwiproject.consul.Consul;

/** How this module talks to a Consul agent: one way to build a client, its timeouts and its ACL token. */
final class AgentClients {
    private AgentClients() {
    }

    /** A consul-client on {@code host:port}, every call bounded: connect and write by the request timeout. */
    static Consul consul(String host, int port, String aclToken, Duration requestTimeout, Duration readTimeout) {
        Consul.Builder cb = Consul.builder().withHostAndPort(HostAndPort.fromParts(host, port)).withPing(false)
                .withConnectTimeoutMillis(requestTimeout.toMillis()).withReadTimeoutMillis(readTimeout.toMillis())
                .withWriteTimeoutMillis(requestTimeout.toMillis());
        if (aclToken != null) {
            cb.withAclToken(aclToken);
        }
        return cb.build();
    }

    /**
     * The read timeout of a blocking query: Consul answers within wait + wait/16 (its jitter), and the request timeout
     * comes on top, so a stalled or frozen agent is a timeout, never a silent hang.
     */
    static Duration blockingReadTimeout(Duration wait, Duration requestTimeout) {
        return wait.plus(wait.dividedBy(16)).plus(requestTimeout);
    }

    /** @throws IllegalArgumentException unless null or printable ASCII without spaces */
    static String aclToken(String token) {
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("aclToken must be printable ASCII without spaces");
        }
        return token;
    }
}
