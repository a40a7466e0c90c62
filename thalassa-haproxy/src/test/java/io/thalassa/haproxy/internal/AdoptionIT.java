package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.haproxy.RuntimeApi;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adoption of a running HAProxy by a new process: a live HAProxy named in the pid file whose master CLI does not
 * answer the first call in time (a JVM that has just started, on a loaded machine) is adopted on a later try, not
 * started a second time; a pid file naming another program is not adopted. A stand-in master: a process named haproxy
 * and a socket that answers as HAProxy's master CLI does.
 */
class AdoptionIT {
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @TempDir
    Path dir;

    private HaproxyProcess process(Path masterSocket, Path pidFile) {
        return new HaproxyProcess("haproxy", List.of(), dir.resolve("haproxy.cfg"), masterSocket, pidFile,
                dir.resolve("haproxy.cfg.log"), RuntimeApi.connect(masterSocket, TIMEOUT),
                RuntimeApi.connect(dir.resolve("stats.sock"), TIMEOUT), 0);
    }

    private static Process named(String argv0) throws IOException {
        return new ProcessBuilder("bash", "-c", "exec -a " + argv0 + " sleep 60").start();
    }

    @Test
    void aLiveHaproxyWhoseMasterCliIsLateTheFirstTimeIsAdopted() throws Exception {
        Path socket = dir.resolve("haproxy.cfg.master.sock");
        Path pidFile = dir.resolve("haproxy.pid");
        Process master = named("haproxy");
        List<SocketChannel> silent = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread cli = new Thread(() -> {
                try {
                    silent.add(server.accept()); // the first call gets no answer within its timeout
                    try (SocketChannel c = server.accept()) {
                        ByteBuffer in = ByteBuffer.allocate(4096);
                        while (c.read(in) >= 0) {
                            in.clear();
                        }
                        c.write(ByteBuffer.wrap(("#<PID>          <type>          <reloads>       <uptime>"
                                + "        <version>\n" + master.pid() + "          master          0 [failed: 0]"
                                + "   0d00h00m07s     2.6.12\n# workers\n\n").getBytes(StandardCharsets.US_ASCII)));
                    }
                } catch (IOException e) {
                    // the test fails on adopt()'s answer
                }
            }, "stand-in-master-cli");
            cli.setDaemon(true);
            cli.start();
            Files.writeString(pidFile, master.pid() + "\n");
            HaproxyProcess process = process(socket, pidFile);
            assertThat(process.adopt()).isTrue();
            assertThat(process.pid()).isEqualTo(master.pid());
            cli.join(5_000);
        } finally {
            for (SocketChannel c : silent) {
                c.close();
            }
            master.destroy();
        }
    }

    @Test
    void aPidFileNamingAnotherProgramIsNotAdopted() throws Exception {
        Process other = named("not-a-load-balancer");
        try {
            Path pidFile = Files.writeString(dir.resolve("haproxy.pid"), other.pid() + "\n");
            long start = System.nanoTime();
            assertThat(process(dir.resolve("none.sock"), pidFile).adopt()).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no CLI call for another program")
                    .isLessThan(TIMEOUT);
        } finally {
            other.destroy();
        }
    }
}
