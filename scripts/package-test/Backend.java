import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The member behind HAProxy in the package tests: answers every request with 200 and its name, on 127.0.0.1 and the
 * given port, until it is stopped. Run with the source launcher: java Backend.java PORT NAME.
 */
public final class Backend {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] body = (args.length > 1 ? args[1] : "backend").concat("\n").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
        System.out.println("backend on 127.0.0.1:" + port);
    }
}
