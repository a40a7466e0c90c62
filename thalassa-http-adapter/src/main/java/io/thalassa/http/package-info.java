/**
 * The Thalassa daemon's HTTP side: the REST API of the original Thalassa, the registration API, the activity feed,
 * stats and their WebSocket stream, the persistence file and the command line, all on a {@link
 * io.thalassa.http.Backplane} (the running stack, or anything that behaves like it).
 *
 * <pre>{@code
 * DaemonOptions options = DaemonOptions.parse("--port", "10000", "--persistence", "/var/lib/thalassa/config.json",
 *         "--dbPath", "/var/lib/thalassa/db");
 * try (ThalassaServer server = ThalassaServer.start(backplane, options)) {
 *     // curl -X PUT -d '{"bind":"*:80","backend":"web"}' http://127.0.0.1:10000/frontends/web
 *     server.join();
 * }
 * }</pre>
 *
 * <p>Routes of the main port ({@code GET /openapi.json} describes each): {@code GET /frontends},
 * {@code GET|PUT|DELETE /frontends/{key}}, {@code GET /backends}, {@code GET|PUT|POST|DELETE /backends/{key}} (POST:
 * version switch, body {@code {version, name?}}), {@code GET /backends/{key}/members}, {@code GET /haproxy/config}
 * (text/plain), {@code GET /activity?limit=&before=&verb=&object=} ({@code {events, nextBefore}}, newest first),
 * {@code GET /stats} (204 before the first snapshot), {@code GET /ws} (WebSocket), {@code GET /openapi.json}, and the
 * registration API, which the registration port serves alone: {@code POST|DELETE
 * /registrations/{name}/{version}/{host}/{port}}, {@code GET /registrations[/{name}[/{version}]]}.
 *
 * <p>Every GET answers an ETag (strong, SHA-256 of the body) and honours If-None-Match (304); PUT, POST and DELETE
 * honour If-Match and If-None-Match (412, checked atomically with the change). Every error is one JSON shape:
 * {@code {"status":400,"error":"invalid_value","field":"balance","reason":"balance must be one of ...: \"x\""}},
 * {@code field} only when one is at fault, plus {@code haproxyMessage} and {@code line} for {@code config_rejected}.
 */
package io.thalassa.http;
