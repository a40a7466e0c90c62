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
 */
package io.thalassa.http;
