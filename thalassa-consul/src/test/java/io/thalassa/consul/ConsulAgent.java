package io.thalassa.consul;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Consul agent for tests and benchmarks, on loopback only with free ports: a single node in dev mode
 * ({@link #start(Path)}), or one server of a {@link ConsulCluster}. It is stopped by its own pid; freeze/thaw send
 * SIGSTOP/SIGCONT to that pid, kill sends SIGKILL, terminate SIGTERM.
 */
public final class ConsulAgent implements AutoCloseable {
    /** The environment variable naming the Consul binary. */
    public static final String BINARY_ENV = "THALASSA_CONSUL_BINARY";

    private final Path binary;
    private final Path logFile;
    /** Null in dev mode; a server's data directory otherwise. */
    private final Path dataDir;
    private final String node;
    /** A server's {@code -bootstrap-expect}, and the serf LAN ports it joins; unused in dev mode. */
    private int bootstrapExpect;
    private final List<Integer> join = new ArrayList<>();
    /** More command-line arguments of a dev agent, e.g. {@code -hcl} settings. */
    private final List<String> extra = new ArrayList<>();
    private final int httpPort;
    private final int serfLanPort;
    private final int serfWanPort;
    private final int serverPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private ConsulAgent(Path binary, Path logFile, Path dataDir, String node, int[] ports) {
        this.binary = binary;
        this.logFile = logFile;
        this.dataDir = dataDir;
        this.node = node;
        this.httpPort = ports[0];
        this.serfLanPort = ports[1];
        this.serfWanPort = ports[2];
        this.serverPort = ports[3];
    }

    /**
     * Starts an agent and waits until it has a leader.
     *
     * @throws IllegalStateException when {@value #BINARY_ENV} does not name an executable Consul
     */
    public static ConsulAgent start(Path logDir) throws IOException, InterruptedException {
        return start(logDir, new String[0]);
    }

    /** {@link #start(Path)} with more arguments for the dev agent, e.g. {@code -hcl "limits { ... }"}. */
    public static ConsulAgent start(Path logDir, String... extraArgs) throws IOException, InterruptedException {
        Path binary = binary();
        Files.createDirectories(logDir);
        ConsulAgent agent = new ConsulAgent(binary, Files.createTempFile(logDir, "consul-", ".log"), null,
                "thalassa-test", freePorts(4));
        agent.extra.addAll(List.of(extraArgs));
        agent.launch();
        return agent;
    }

    /**
     * {@code n} unstarted servers of one cluster, each with its node name, its data directory under {@code dir}, its
     * log there and its own free ports, each joining the others; {@link #spawn()} starts one.
     */
    static List<ConsulAgent> servers(Path dir, int n) throws IOException {
        Path binary = binary();
        Files.createDirectories(dir);
        int[] ports = freePorts(4 * n); // all at once: no two servers get the same port
        List<ConsulAgent> servers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String node = "n" + i;
            servers.add(new ConsulAgent(binary, dir.resolve(node + ".log"), dir.resolve(node),
                    node, Arrays.copyOfRange(ports, 4 * i, 4 * i + 4)));
        }
        for (ConsulAgent s : servers) {
            s.bootstrapExpect = n;
            for (ConsulAgent peer : servers) {
                if (peer != s) {
                    s.join.add(peer.serfLanPort);
                }
            }
        }
        return servers;
    }

    private static Path binary() {
        String env = System.getenv(BINARY_ENV);
        if (env == null || env.isBlank() || !Files.isExecutable(Path.of(env))) {
            throw new IllegalStateException("Consul binary not found (" + BINARY_ENV + "=" + env + "): run "
                    + "scripts/install-tools.sh and export " + BINARY_ENV + "=$PWD/.tools/consul/consul (scripts/test.sh"
                    + " does both)");
        }
        return Path.of(env);
    }

    public int httpPort() {
        return httpPort;
    }

    /** The node name ({@code thalassa-test} in dev mode, {@code n<i>} in a cluster). */
    public String node() {
        return node;
    }

    /** The server RPC address, as {@code /v1/status/leader} names the leader. */
    public String serverAddress() {
        return "127.0.0.1:" + serverPort;
    }

    /** Where the agent logs. */
    public Path logFile() {
        return logFile;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGSTOP: the agent keeps its sockets but answers nothing. */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    /** SIGKILL, then waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (a graceful shutdown; a server does not leave the cluster), then waits until the process is gone. */
    public void terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            throw new IllegalStateException("consul pid " + process.pid() + " still runs 15 s after SIGTERM");
        }
    }

    /** What this agent's {@code GET /v1/status/leader} answers: the leader's server address, or "" (none, or down). */
    public String leader() {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/v1/status/leader")).timeout(Duration.ofSeconds(1)).GET().build();
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            String body = r.body().trim();
            return r.statusCode() == 200 && body.length() > 2 ? body.substring(1, body.length() - 1) : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Starts the agent again on the same ports (after {@link #kill()}). */
    public void restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("consul pid " + process.pid() + " is still running");
        }
        launch();
    }

    /** PUTs a JSON body to the agent's HTTP API, e.g. to register a service the way another client would. */
    public int put(String path, String json) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(5)).PUT(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void launch() throws IOException, InterruptedException {
        spawn();
        awaitLeader(Duration.ofSeconds(30));
    }

    /** Starts the process (a server: on its data directory, which survives a restart) without waiting for it. */
    void spawn() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "agent", "-client", "127.0.0.1",
                "-bind", "127.0.0.1", "-advertise", "127.0.0.1", "-node", node,
                "-http-port", Integer.toString(httpPort), "-dns-port", "-1", "-grpc-port", "-1",
                "-serf-lan-port", Integer.toString(serfLanPort), "-serf-wan-port", Integer.toString(serfWanPort),
                "-server-port", Integer.toString(serverPort)));
        if (dataDir == null) {
            cmd.addAll(List.of("-dev", "-log-level", "warn"));
            cmd.addAll(extra);
        } else {
            // raft_multiplier 1 (Consul's default is 5): elections and leader-loss detection five times faster.
            // retry-interval 1 s: a server that started before its peers listen joins them a second later, not 30 s.
            Files.createDirectories(dataDir);
            cmd.addAll(List.of("-server", "-bootstrap-expect", Integer.toString(bootstrapExpect),
                    "-data-dir", dataDir.toString(), "-hcl", "performance { raft_multiplier = 1 }",
                    "-retry-interval", "1s", "-log-level", "info"));
            for (int port : join) {
                cmd.addAll(List.of("-retry-join", "127.0.0.1:" + port));
            }
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    }

    /** Waits until this agent names a leader. */
    void awaitLeader(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("consul exited with " + process.exitValue() + "; log: " + logFile
                        + "\n" + Files.readString(logFile));
            }
            if (!leader().isEmpty()) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("consul " + node + " had no leader within " + timeout.toSeconds() + " s; log: "
                + logFile);
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** Stops the agent by its pid: SIGCONT (in case it is frozen), destroy, then destroyForcibly. */
    @Override
    public void close() {
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

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
