package io.thalassa.http;

import io.thalassa.haproxy.HaproxySettings;
import java.time.Duration;

/**
 * The daemon's settings of the HAProxy it runs, checked: the timeouts and connection limits of its {@code global} and
 * {@code defaults} sections, {@code option forwardfor}, and whether server states survive reloads. Each is a setting
 * of {@link HaproxySettings}, with its default.
 *
 * @param timeoutConnect       {@code timeout connect}, default 5 s
 * @param timeoutClient        {@code timeout client}, default 50 s
 * @param timeoutServer        {@code timeout server}, default 50 s
 * @param timeoutHttpRequest   {@code timeout http-request} (a whole request's headers), default 10 s
 * @param timeoutHttpKeepAlive {@code timeout http-keep-alive} (an idle client connection between requests), default
 *                             10 s
 * @param timeoutTunnel        {@code timeout tunnel} (an upgraded connection, such as a WebSocket), default 1 h
 * @param maxconn              the {@code global} section's {@code maxconn}, default 4096
 * @param defaultMaxconn       the {@code defaults} section's {@code maxconn} (each frontend's), default 2000
 * @param forwardFor           {@code option forwardfor} on every http frontend, default on
 * @param keepServerState      server states (DOWN, drain, weights) kept across reloads and restarts, default on
 */
public record HaproxyOptions(Duration timeoutConnect, Duration timeoutClient, Duration timeoutServer,
        Duration timeoutHttpRequest, Duration timeoutHttpKeepAlive, Duration timeoutTunnel, int maxconn,
        int defaultMaxconn, boolean forwardFor, boolean keepServerState) {

    /** {@code settings} with these options set. */
    public HaproxySettings.Builder applyTo(HaproxySettings.Builder settings) {
        return settings.timeouts(timeoutConnect, timeoutClient, timeoutServer)
                .httpTimeouts(timeoutHttpRequest, timeoutHttpKeepAlive, timeoutTunnel)
                .maxconn(maxconn, defaultMaxconn)
                .forwardFor(forwardFor)
                .keepServerState(keepServerState);
    }
}
