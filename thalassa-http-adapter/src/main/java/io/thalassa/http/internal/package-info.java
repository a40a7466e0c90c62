/**
 * The HTTP adapter's insides: routes and their JSON shapes ({@code RestApi}, {@code Json}, {@code ApiException}),
 * the request entry with its bounds, tokens and protected mode ({@code Access}), TLS keys, the web UI's files and
 * {@code /ws} stream, Prometheus metrics, and the daemon's command line ({@code DaemonCommand},
 * {@code DaemonRuntime}). Not an API.
 */
package io.thalassa.http.internal;
