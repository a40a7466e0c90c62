/**
 * Thalassa over HTTP: the REST API of the original Thalassa, the registration API, the activity feed, stats, the
 * {@code /ws} stream and the web UI, served by {@link io.thalassa.http.ThalassaHttp} on a running
 * {@link io.thalassa.runtime.Thalassa}; and the daemon ({@link io.thalassa.http.ThalassaMain}), which builds that
 * Thalassa from its command line ({@link io.thalassa.http.DaemonOptions}). Every route is a call on the Thalassa.
 *
 * <pre>{@code
 * try (Thalassa thalassa = Thalassa.builder().workDir(Path.of("/var/lib/myapp-lb")).start();
 *      ThalassaHttp http = ThalassaHttp.serve(thalassa, HttpOptions.loopback(10000, 9000))) {
 *     // curl -X PUT -d '{"bind":"127.0.0.1:8080","backend":"web"}' http://127.0.0.1:10000/frontends/web
 *     http.join();
 * }
 * }</pre>
 *
 * <p>Routes of the main port ({@code GET /openapi.json} describes each): {@code GET /frontends},
 * {@code GET|PUT|DELETE /frontends/{key}}, {@code GET /backends}, {@code GET|PUT|POST|DELETE /backends/{key}} (POST:
 * version switch, body {@code {version, name?}}, or a split, {@code {versions}}), {@code GET /backends/{key}/members},
 * {@code GET /haproxy/config} (text/plain), {@code GET /activity?limit=&before=&verb=&object=}
 * ({@code {events, nextBefore}}, newest first), {@code GET /stats} (204 before the first snapshot), {@code GET /ws}
 * (WebSocket), {@code GET /openapi.json}, and the registration API, which the registration port serves alone:
 * {@code POST|DELETE /registrations/{name}/{version}/{host}/{port}}, {@code GET /registrations[/{name}[/{version}]]}.
 *
 * <p>Every GET answers an ETag (strong, SHA-256 of the body) and honours If-None-Match (304); PUT, POST and DELETE
 * honour If-Match and If-None-Match (412, checked atomically with the change). Every error is one JSON shape:
 * {@code {"status":400,"error":"invalid_value","field":"balance","reason":"balance must be one of ...: \"x\""}},
 * {@code field} only when one is at fault, plus {@code haproxyMessage} and {@code line} for {@code config_rejected}.
 */
package io.thalassa.http;
