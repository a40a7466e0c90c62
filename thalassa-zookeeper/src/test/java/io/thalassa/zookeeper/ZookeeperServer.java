package io.thalassa.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper server for the tests: Debian's {@code zookeeper} package run as its own process
 * ({@code QuorumPeerMain} on the jars in {@code /usr/share/java}), standalone, on a free port of 127.0.0.1, with its
 * data and log in a new directory under {@code target/}. The tick is 500 ms, so the server grants session timeouts of
 * 1 to 10 s. It is stopped by its own pid: freeze and thaw send SIGSTOP and SIGCONT, kill SIGKILL; {@link #close()}
 * runs also from a shutdown hook, so a failed test leaves no server behind.
 */
final class ZookeeperServer implements AutoCloseable {
    /** Where Debian's zookeeper package puts the server's jar; the tests need it. */
    static final Path JAR = Path.of("/usr/share/java/zookeeper.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int port;
    private final Path config;
    private final Path log;
    private final Thread shutdownHook = new Thread(this::close, "zookeeper-test-server-stop");
    private Process process;

    private ZookeeperServer(Path dir, int port) throws IOException {
        this.dir = dir;
        this.port = port;
        this.config = dir.resolve("zk.cfg");
        this.log = dir.resolve("zookeeper.log");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(config, "dataDir=" + dir.resolve("data") + "\nclientPort=" + port
                + "\nclientPortAddress=127.0.0.1\ntickTime=500\nadmin.enableServer=false\n"
                + "4lw.commands.whitelist=srvr\n");
    }

    /**
     * Starts a server in a new directory under {@code target/zookeeper-it} and waits until it answers.
     *
     * @throws IllegalStateException saying how to install ZooKeeper when Debian's package is missing
     */
    static ZookeeperServer start() throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("ZooKeeper is not installed (" + JAR + " is missing): run"
                    + " scripts/install-tools.sh, or apt-get install -y zookeeper");
        }
        Path parent = Path.of("target", "zookeeper-it").toAbsolutePath();
        Files.createDirectories(parent);
        ZookeeperServer server = new ZookeeperServer(Files.createTempDirectory(parent, "zk-"), freePort());
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        server.launch();
        return server;
    }

    /** {@code 127.0.0.1:<port>}. */
    String connectString() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path logFile() {
        return log;
    }

    /** SIGSTOP: the server keeps its socket (the kernel still accepts connections) but answers nothing. */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("zookeeper pid " + process.pid() + " still runs 10 s after SIGKILL");
        }
    }

    /** Starts the server again on the same port and data (after {@link #kill()}) and waits until it answers. */
    void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("zookeeper pid " + process.pid() + " is still running");
        }
        launch();
    }

    private void launch() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // slf4j-simple first, so that of the several SLF4J bindings in /usr/share/java it is the one that logs
        String classpath = "/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar:/usr/share/java/*";
        process = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.jmx.log4j.disable=true", "-cp", classpath,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain", config.toString()))
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("zookeeper exited with " + process.exitValue() + "; log " + log
                        + ":\n" + Files.readString(log));
            }
            if (answers()) {
                return;
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("zookeeper did not answer within " + START_TIMEOUT.toSeconds() + " s; log "
                + log);
    }

    /** Whether the server answers ZooKeeper's {@code srvr} command. */
    boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            s.getOutputStream().write("srvr".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("Zookeeper version");
        } catch (IOException e) {
            return false;
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Stops the server by its pid: SIGCONT (in case it is frozen), SIGTERM, then SIGKILL; safe twice. */
    @Override
    public synchronized void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or removed before
        }
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            signal("-CONT");
        } catch (IOException | InterruptedException | IllegalStateException e) {
            // best effort; destroy follows
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
