package io.thalassa.haproxy.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stats socket that answers batches in HAProxy's interactive mode ({@code prompt}, commands, {@code quit}) with
 * scripted answers, for the one thing the real HAProxy cannot be made to do on demand: refuse a command the controller
 * sends correctly. Records every command it got.
 */
final class ScriptedCli implements AutoCloseable {
    final List<String> received = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;
    private final Thread thread;

    /** @param answers the answer to each command ({@code ""} for success) */
    ScriptedCli(Path socket, Function<String, String> answers) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    if (c == null) {
                        return;
                    }
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(8192);
                    while (!in.toString(StandardCharsets.UTF_8).contains("quit\n")) {
                        buf.clear();
                        int n = c.read(buf);
                        if (n < 0) {
                            break;
                        }
                        in.write(buf.array(), 0, n);
                    }
                    StringBuilder out = new StringBuilder("\n> ");
                    for (String line : in.toString(StandardCharsets.UTF_8).split("\n")) {
                        if (line.equals("prompt") || line.equals("quit") || line.isEmpty()) {
                            continue;
                        }
                        received.add(line);
                        String a = answers.apply(line);
                        out.append(a.isEmpty() ? "" : a + "\n").append("\n> ");
                    }
                    c.write(ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        }, "scripted-cli");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
