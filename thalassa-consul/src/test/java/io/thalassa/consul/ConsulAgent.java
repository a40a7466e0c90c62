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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Consul agent in dev mode for tests and benchmarks, on loopback only with free ports. It is
 * stopped by its own pid; freeze/thaw send SIGSTOP/SIGCONT to that pid, kill sends SIGKILL.
 */
public final class ConsulAgent implements AutoCloseable {
    /** The environment variable naming the Consul binary. */
    public static final String BINARY_ENV = "THALASSA_CONSUL_BINARY";

    private final Path binary;
    private final Path logFile;
    private final int httpPort;
    private final int serfLanPort;
    private final int serfWanPort;
    private final int serverPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    private ConsulAgent(Path binary, Path logFile) throws IOException {
        this.binary = binary;
        this.logFile = logFile;
        int[] ports = freePorts(4);
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
        String env = System.getenv(BINARY_ENV);
        if (env == null || env.isBlank() || !Files.isExecutable(Path.of(env))) {
            throw new IllegalStateException("Consul binary not found (" + BINARY_ENV + "=" + env + "): run "
                    + "scripts/install-tools.sh and export " + BINARY_ENV + "=$PWD/.tools/consul/consul (scripts/test.sh"
                    + " does both)");
        }
        Files.createDirectories(logDir);
        ConsulAgent agent = new ConsulAgent(Path.of(env), Files.createTempFile(logDir, "consul-", ".log"));
        agent.launch();
        return agent;
    }

    public int httpPort() {
        return httpPort;
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
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "agent", "-dev", "-client", "127.0.0.1",
                "-bind", "127.0.0.1", "-advertise", "127.0.0.1", "-node", "thalassa-test",
                "-http-port", Integer.toString(httpPort), "-dns-port", "-1", "-grpc-port", "-1",
                "-serf-lan-port", Integer.toString(serfLanPort), "-serf-wan-port", Integer.toString(serfWanPort),
                "-server-port", Integer.toString(serverPort), "-log-level", "warn"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("consul exited with " + process.exitValue() + "; log: " + logFile
                        + "\n" + Files.readString(logFile));
            }
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                        + "/v1/status/leader")).timeout(Duration.ofSeconds(1)).GET().build();
                last = http.send(req, HttpResponse.BodyHandlers.ofString()).body().trim();
                if (!last.isEmpty() && !last.equals("\"\"")) {
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("consul had no leader within 30 s (last answer: " + last + "); log: "
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
