package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.RuntimeApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport under {@link RuntimeApi}, against real UNIX domain sockets that do what HAProxy does not do on
 * demand: stay silent, answer in many small pieces, answer more than a command may. The commands themselves are
 * tested against HAProxy in the ITs.
 */
class RuntimeApiTest {
    @TempDir
    Path dir;

    @Test
    void aPeerThatAcceptsAndNeverAnswersTimesOutWithinTheBound() throws Exception {
        Path socket = dir.resolve("silent.sock");
        try (Peer ignored = new Peer(socket, request -> null)) {
            RuntimeApi api = RuntimeApi.connect(socket, Duration.ofMillis(300));
            long t0 = System.nanoTime();
            assertThatThrownBy(api::showInfo).isInstanceOf(RuntimeApiException.class)
                    .hasMessageContaining("no answer to 'show info'").hasMessageContaining("within 300 ms");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(tookMs).isBetween(250L, 5_000L);
        }
    }

    @Test
    void aMissingSocketIsNamedInTheError() {
        Path socket = dir.resolve("absent.sock");
        RuntimeApi api = RuntimeApi.connect(socket, Duration.ofSeconds(1));
        assertThatThrownBy(api::showInfo).isInstanceOf(RuntimeApiException.class)
                .hasMessageContaining("cannot run 'show info' on " + socket);
    }

    @Test
    void anAnswerInManySmallPiecesIsReadWhole() throws Exception {
        Path socket = dir.resolve("slow.sock");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            big.append("Name").append(i).append(": value ").append(i).append('\n');
        }
        try (Peer peer = new Peer(socket, request -> big.toString())) {
            peer.chunk = 1_000;
            RuntimeApi api = RuntimeApi.connect(socket, Duration.ofSeconds(10));
            assertThat(api.execute("show info")).isEqualTo(big.toString());
            assertThat(peer.requests).containsExactly("show info\n");
        }
    }

    /**
     * A UNIX socket server: reads a request to its end, then writes {@code answers.apply(request)} in chunks and
     * closes, or (answer {@code null}) holds the connection open and says nothing.
     */
    private static final class Peer implements AutoCloseable {
        final List<String> requests = new ArrayList<>();
        volatile int chunk = 64 * 1024;
        private final ServerSocketChannel server;
        private final Thread thread;
        private final List<SocketChannel> held = new ArrayList<>();

        Peer(Path socket, Function<String, String> answers) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            thread = new Thread(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel c = server.accept();
                        ByteArrayOutputStream in = new ByteArrayOutputStream();
                        ByteBuffer buf = ByteBuffer.allocate(8192);
                        while (true) {
                            buf.clear();
                            int n = c.read(buf);
                            if (n < 0) {
                                break;
                            }
                            in.write(buf.array(), 0, n);
                        }
                        String request = in.toString(StandardCharsets.UTF_8);
                        synchronized (requests) {
                            requests.add(request);
                        }
                        String answer = answers.apply(request);
                        if (answer == null) {
                            held.add(c); // silent: open until the peer closes
                            continue;
                        }
                        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                        for (int off = 0; off < bytes.length; off += chunk) {
                            c.write(ByteBuffer.wrap(bytes, off, Math.min(chunk, bytes.length - off)));
                            Thread.sleep(1);
                        }
                        c.close();
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "runtime-api-peer");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.interrupt();
            thread.join(5_000);
            for (SocketChannel c : held) {
                c.close();
            }
        }
    }
}
