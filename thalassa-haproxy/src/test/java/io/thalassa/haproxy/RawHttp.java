package io.thalassa.haproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Minimal HTTP/1.0 client over a plain socket, so tests can set any Host header and read status and body. */
final class RawHttp {
    private RawHttp() {
    }

    record Response(int status, String body) {
    }

    static Response get(int port, String path, String host, String... headers) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            return new Response(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }

    static int freePort() {
        return NamedHttpServer.freePort();
    }
}
