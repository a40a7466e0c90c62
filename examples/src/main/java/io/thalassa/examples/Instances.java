package io.thalassa.examples;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The instances the examples balance: tiny HTTP servers on 127.0.0.1 and free ports that answer every request with
 * 200 and their name. Closing stops them all. Not part of the library.
 */
final class Instances implements AutoCloseable {
    private final List<HttpServer> servers = new ArrayList<>();

    /** Starts an instance answering {@code name}; returns its port. */
    int start(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        for (HttpServer server : servers) {
            server.stop(0);
        }
        servers.clear();
    }
}
