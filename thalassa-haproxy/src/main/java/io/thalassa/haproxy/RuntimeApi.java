package io.thalassa.haproxy;

import io.thalassa.RuntimeApiException;
import io.thalassa.internal.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketChannel;
import jnr.unixsocket.UnixSocketOptions;

/**
 * HAProxy's runtime API on a stats socket (level admin) or on the master CLI socket, over jnr-unixsocket: one
 * connection per command, every call bounded by a timeout.
 *
 * <pre>{@code
 * RuntimeApi api = RuntimeApi.connect(Path.of("/tmp/haproxy.status.sock"), Duration.ofSeconds(2));
 * api.setServerAddress("live", "live_slot3", "127.0.0.1", 8081);
 * api.setServerState("live", "live_slot3", RuntimeApi.ServerState.READY);
 * List<StatRow> rows = api.showStat();
 * }</pre>
 *
 * Commands that HAProxy refuses (an unknown server, a server that is not in maintenance for {@code del server}...)
 * throw {@link RuntimeApiException} with HAProxy's answer. Instances are immutable and thread-safe.
 */
public final class RuntimeApi {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RuntimeApi.class);

    private static final int MAX_ANSWER = 64 * 1024 * 1024;

    /** The administrative states {@code set server ... state} accepts. */
    public enum ServerState {
        READY, DRAIN, MAINT;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Path socket;
    private final Duration timeout;

    private RuntimeApi(Path socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout;
    }

    /**
     * A client of the socket at {@code socket}; nothing is connected until a command runs.
     *
     * @param timeout bound of each whole call (connect, send, read the answer); 1 ms .. 5 min
     */
    public static RuntimeApi connect(Path socket, Duration timeout) {
        Checks.notNull("socket", socket);
        Checks.notNull("timeout", timeout);
        if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("timeout must be in 1 ms..5 min: " + timeout);
        }
        return new RuntimeApi(socket, timeout);
    }

    public Path socket() {
        return socket;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Sends one command and returns HAProxy's whole answer.
     *
     * @throws RuntimeApiException when the socket cannot be reached or does not answer within the timeout
     */
    public String execute(String command) {
        Checks.noControl("command", command);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (UnixSocketChannel channel = UnixSocketChannel.open(new UnixSocketAddress(socket.toFile()))) {
            int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            channel.setOption(UnixSocketOptions.SO_RCVTIMEO, millis);
            channel.setOption(UnixSocketOptions.SO_SNDTIMEO, millis);
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
                checkDeadline(deadline, command);
            }
            channel.shutdownOutput(); // HAProxy answers and closes once it sees the end of the input
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream(256);
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (true) {
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    // SO_RCVTIMEO expired without data: the peer is alive but silent
                    checkDeadline(deadline, command);
                    throw timeout(command);
                }
                answer.write(in.array(), 0, n);
                if (answer.size() > MAX_ANSWER) {
                    throw new RuntimeApiException("answer to '" + command + "' on " + socket + " exceeds "
                            + MAX_ANSWER + " bytes");
                }
                checkDeadline(deadline, command);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} - {}: {} bytes in {} us", socket.getFileName(), command, answer.size(),
                        (System.nanoTime() - deadline + timeout.toNanos()) / 1000);
            }
            return answer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (msg.contains("Resource temporarily unavailable") || msg.contains("timed out")) {
                throw timeout(command);
            }
            throw new RuntimeApiException("cannot run '" + command + "' on " + socket + ": " + msg, e);
        }
    }

    private void checkDeadline(long deadline, String command) {
        if (System.nanoTime() - deadline > 0) {
            throw timeout(command);
        }
    }

    private RuntimeApiException timeout(String command) {
        return new RuntimeApiException("no answer to '" + command + "' on " + socket + " within "
                + timeout.toMillis() + " ms");
    }

    /** Runs a command whose successful answer is empty or one of the informational lines HAProxy prints. */
    private String command(String command) {
        String answer = execute(command).strip();
        if (isError(answer)) {
            throw new RuntimeApiException("HAProxy refused '" + command + "': " + answer);
        }
        return answer;
    }

    static boolean isError(String answer) {
        if (answer.isEmpty()) {
            return false;
        }
        String a = answer.toLowerCase(Locale.ROOT);
        return a.startsWith("no such") || a.startsWith("unknown command") || a.startsWith("require")
                || a.contains("permission denied") || a.startsWith("invalid") || a.startsWith("error")
                || a.contains("not found") || a.startsWith("'set server")
                || a.startsWith("only ") || a.startsWith("unable") || a.startsWith("server is still")
                || a.contains("cannot") || a.contains("can't") || a.startsWith("backend must")
                || a.contains("is not ") || a.contains("unsupported") || a.startsWith("[");
    }

    /** {@code show info}: HAProxy's process information, by field name, in order. */
    public Map<String, String> showInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        for (String line : execute("show info").split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                info.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        return info;
    }

    /** {@code show stat}: one typed row per frontend, backend and server. */
    public List<StatRow> showStat() {
        return StatRow.parseCsv(execute("show stat -1 -1 -1"));
    }

    /** {@code show servers state [backend]}: each server's address, admin and operational state. */
    public List<ServerStateRow> showServersState(String backend) {
        String answer = execute(backend == null ? "show servers state"
                : "show servers state " + Checks.identifier("backend", backend));
        if (isError(answer.strip()) && !answer.startsWith("1")) {
            throw new RuntimeApiException("HAProxy refused 'show servers state': " + answer.strip());
        }
        return ServerStateRow.parse(answer);
    }

    /** The raw {@code show servers state} answer, the format of HAProxy's server-state file. */
    public String serversStateFile() {
        return execute("show servers state");
    }

    /** {@code set server <b>/<s> addr <host> port <port>}; host must be an IP literal. */
    public void setServerAddress(String backend, String server, String ip, int port) {
        Checks.port("port", port);
        if (!Checks.isIpv4(ip) && !Checks.isIpv6(ip)) {
            throw new IllegalArgumentException("ip must be an IPv4 or IPv6 literal: " + Checks.quote(ip));
        }
        command("set server " + target(backend, server) + " addr " + ip + " port " + port);
    }

    /** {@code set server <b>/<s> state ready|drain|maint}. */
    public void setServerState(String backend, String server, ServerState state) {
        Checks.notNull("state", state);
        command("set server " + target(backend, server) + " state " + state.word());
    }

    /** {@code set server <b>/<s> weight <w>}, 0..256. */
    public void setServerWeight(String backend, String server, int weight) {
        if (weight < 0 || weight > 256) {
            throw new IllegalArgumentException("weight must be in 0..256: " + weight);
        }
        command("set server " + target(backend, server) + " weight " + weight);
    }

    /** {@code enable server <b>/<s>}: leaves maintenance. */
    public void enableServer(String backend, String server) {
        command("enable server " + target(backend, server));
    }

    /** {@code disable server <b>/<s>}: enters maintenance. */
    public void disableServer(String backend, String server) {
        command("disable server " + target(backend, server));
    }

    /** {@code enable health <b>/<s>}. */
    public void enableHealth(String backend, String server) {
        command("enable health " + target(backend, server));
    }

    /** {@code disable health <b>/<s>}. */
    public void disableHealth(String backend, String server) {
        command("disable health " + target(backend, server));
    }

    /**
     * {@code add server <b>/<s> <ip>:<port> [args]}: a dynamic server (HAProxy 2.6: only in backends with a dynamic
     * balance algorithm). It starts in maintenance; {@link #enableServer} it.
     *
     * @param args further server keywords, e.g. {@code check inter 2000}; each one a word without control characters
     */
    public void addServer(String backend, String server, String ip, int port, List<String> args) {
        Checks.port("port", port);
        if (!Checks.isIpv4(ip) && !Checks.isIpv6(ip)) {
            throw new IllegalArgumentException("ip must be an IPv4 or IPv6 literal: " + Checks.quote(ip));
        }
        StringBuilder cmd = new StringBuilder("add server ").append(target(backend, server)).append(' ')
                .append(Checks.isIpv6(ip) ? "[" + ip + "]" : ip).append(':').append(port);
        for (String arg : args) {
            cmd.append(' ').append(Checks.word("server argument", arg, 200));
        }
        String answer = execute(cmd.toString()).strip();
        if (!answer.toLowerCase(Locale.ROOT).startsWith("new server registered")) {
            throw new RuntimeApiException("HAProxy refused '" + cmd + "': " + answer);
        }
    }

    /** {@code del server <b>/<s>}: the server must be in maintenance and without connections. */
    public void deleteServer(String backend, String server) {
        String answer = execute("del server " + target(backend, server)).strip();
        if (!answer.toLowerCase(Locale.ROOT).startsWith("server deleted")) {
            throw new RuntimeApiException("HAProxy refused 'del server " + backend + "/" + server + "': " + answer);
        }
    }

    /**
     * Drains a server: sets it to {@code drain}, so it gets no new requests, then waits until it has no session left
     * or {@code timeout} passes, and puts it into maintenance.
     *
     * @return whether it drained completely before the timeout
     */
    public boolean drain(String backend, String server, Duration timeout) throws InterruptedException {
        setServerState(backend, server, ServerState.DRAIN);
        boolean drained = awaitNoSessions(backend, server, timeout);
        setServerState(backend, server, ServerState.MAINT);
        return drained;
    }

    /** Waits until the server's current sessions are 0, polling every 20 ms; false when {@code timeout} passes. */
    public boolean awaitNoSessions(String backend, String server, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long sessions = currentSessions(backend, server);
            if (sessions == 0) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    /** The current sessions on one server ({@code scur} of {@code show stat}); -1 when it is not found. */
    public long currentSessions(String backend, String server) {
        // show stat takes a proxy name (not only an id) in 2.6: restrict to this backend's servers
        for (StatRow row : StatRow.parseCsv(execute("show stat " + Checks.identifier("backend", backend) + " 4 -1"))) {
            if (row.proxy().equals(backend) && row.name().equals(server)) {
                return row.currentSessions();
            }
        }
        return -1;
    }

    private static String target(String backend, String server) {
        return Checks.identifier("backend", backend) + "/" + Checks.identifier("server", server);
    }

    /** {@code show servers state} row: the fields Thalassa uses. */
    public record ServerStateRow(String backend, String server, String address, int port, int operationalState,
            int adminState) {
        /** Whether the server is in maintenance, set by the configuration or at run time. */
        public boolean inMaintenance() {
            return (adminState & 0x01) != 0 || (adminState & 0x02) != 0 || (adminState & 0x04) != 0
                    || (adminState & 0x20) != 0;
        }

        static List<ServerStateRow> parse(String answer) {
            List<ServerStateRow> rows = new ArrayList<>();
            for (String line : answer.split("\n")) {
                if (line.isBlank() || line.startsWith("#") || !Character.isDigit(line.charAt(0))) {
                    continue;
                }
                String[] f = line.strip().split(" +");
                // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port at index 18
                if (f.length < 19) {
                    continue;
                }
                rows.add(new ServerStateRow(f[1], f[3], f[4], parseInt(f[18]), parseInt(f[5]), parseInt(f[6])));
            }
            return rows;
        }

        private static int parseInt(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
