package io.thalassa.haproxy;

import io.thalassa.Member;
import io.thalassa.RuntimeApiException;
import io.thalassa.internal.Checks;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HAProxy's runtime API on a stats socket (level admin) or on the master CLI socket, over the JDK's UNIX domain
 * sockets: one connection per call (a {@link #batch} of commands shares one), every call bounded by a timeout.
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
        return exchange(command + "\n", command);
    }

    /**
     * Sends one command with a payload (HAProxy's {@code <<} syntax, e.g. {@code set ssl cert <file>} with a PEM) and
     * returns the whole answer. The payload's blank lines are left out (a blank line ends it).
     *
     * @throws IllegalArgumentException when the payload holds a control character other than a line break
     * @throws RuntimeApiException      when the socket cannot be reached or does not answer within the timeout
     */
    public String execute(String command, String payload) {
        Checks.noControl("command", command);
        StringBuilder body = new StringBuilder(command.length() + payload.length() + 8).append(command).append(" <<\n");
        for (String line : payload.split("\r?\n")) {
            if (!line.isBlank()) {
                body.append(Checks.noControl("payload", line)).append('\n');
            }
        }
        return exchange(body.append('\n').toString(), command);
    }

    /**
     * Sends {@code commands} over one connection in one write (HAProxy's interactive mode) and returns each one's
     * answer, in order; a command HAProxy refuses does not stop the ones after it. Empty list: no connection.
     *
     * @throws RuntimeApiException when the socket cannot be reached, does not answer within the timeout, or the
     *                             answers cannot be told apart
     */
    public List<String> batch(List<String> commands) {
        if (commands.isEmpty()) {
            return List.of();
        }
        StringBuilder out = new StringBuilder(32 * commands.size() + 16).append("prompt\n");
        for (String c : commands) {
            out.append(Checks.noControl("command", c)).append('\n');
        }
        out.append("quit\n");
        String what = commands.size() + " commands from '" + commands.get(0) + "'";
        String answer = exchange(out.toString(), what);
        // "\n> " ends the prompt command's (empty) answer and every answer after it
        List<String> parts = new ArrayList<>(commands.size() + 2);
        int from = 0;
        for (int i = answer.indexOf(PROMPT); i >= 0; i = answer.indexOf(PROMPT, from)) {
            parts.add(answer.substring(from, i));
            from = i + PROMPT.length();
        }
        if (parts.size() < commands.size() + 1) {
            throw new RuntimeApiException("answer to " + what + " on " + socket + " has " + (parts.size() - 1)
                    + " parts: " + answer.strip());
        }
        return List.copyOf(parts.subList(1, commands.size() + 1));
    }

    /**
     * Runs {@code commands} as one {@link #batch} and checks every answer like the single-command methods do.
     *
     * @throws RuntimeApiException naming every command HAProxy refused, with its answer; the others did run
     */
    public void run(List<String> commands) {
        List<String> answers = batch(commands);
        StringBuilder refused = new StringBuilder();
        for (int i = 0; i < answers.size(); i++) {
            String a = answers.get(i).strip();
            if (isError(a)) {
                refused.append(refused.length() == 0 ? "" : "; ").append('\'').append(commands.get(i))
                        .append("': ").append(a);
            }
        }
        if (refused.length() > 0) {
            throw new RuntimeApiException("HAProxy refused " + refused);
        }
    }

    private static final String PROMPT = "\n> ";

    private String exchange(String request, String command) {
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        // the JDK's own UNIX domain sockets (Java 16+), non-blocking under a selector: the deadline bounds the
        // connect, every write and every read, and no native bindings are generated at first use
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, 0);
            if (!channel.connect(UnixDomainSocketAddress.of(socket))) {
                await(selector, key, SelectionKey.OP_CONNECT, deadline, command);
                channel.finishConnect();
            }
            // full duplex: HAProxy answers each command as it reads it, and stops reading once its answers are not
            // read, so a long batch (15,000 commands) written whole before reading would wait for the deadline
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream(256);
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            boolean outputShut = false;
            while (true) {
                if (System.nanoTime() - deadline > 0) { // a peer that keeps trickling is bounded too
                    throw timeout(command);
                }
                int wrote = out.hasRemaining() ? channel.write(out) : 0;
                if (!out.hasRemaining() && !outputShut) {
                    channel.shutdownOutput(); // HAProxy answers and closes once it sees the end of the input
                    outputShut = true;
                }
                in.clear();
                int n = channel.read(in);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    answer.write(in.array(), 0, n);
                    if (answer.size() > MAX_ANSWER) {
                        throw new RuntimeApiException("answer to '" + command + "' on " + socket + " exceeds "
                                + MAX_ANSWER + " bytes");
                    }
                }
                if (wrote == 0 && n == 0) {
                    await(selector, key, SelectionKey.OP_READ | (out.hasRemaining() ? SelectionKey.OP_WRITE : 0),
                            deadline, command);
                }
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} - {}: {} bytes in {} us", socket.getFileName(), command, answer.size(),
                        (System.nanoTime() - begin) / 1000);
            }
            return answer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new RuntimeApiException("cannot run '" + command + "' on " + socket + ": " + msg, e);
        }
    }

    /** Waits until the channel is ready for {@code op}, or throws the timeout once the deadline has passed. */
    private void await(Selector selector, SelectionKey key, int op, long deadline, String command)
            throws IOException {
        key.interestOps(op);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timeout(command);
            }
            selector.selectedKeys().clear();
            if (selector.select(Math.max(1, (left + 999_999) / 1_000_000)) > 0) {
                return;
            }
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

    /** Whether an answer to a command that answers nothing on success (or an informational line) is a refusal. */
    public static boolean isError(String answer) {
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

    /** {@code show stat -1 3 -1}: the frontend and backend rows only, none of the servers'. */
    public List<StatRow> showProxyStats() {
        return StatRow.parseCsv(execute("show stat -1 3 -1"));
    }

    /**
     * The server rows of {@code backends}: one {@code show stat <proxy> 4 -1} each, batched on one connection (HAProxy
     * filters by proxy, so the cost is the rows asked for). Each is a proxy id (the {@code iid} of its backend row,
     * see {@link #proxyId}) or a name; HAProxy 2.6 resolves a name to the first proxy that has it, so a backend that
     * shares its name with a frontend (defined before it) must be asked by its id. An unknown one has no rows. Empty
     * list: no connection.
     */
    public List<StatRow> showServerStats(List<String> backends) {
        List<String> commands = new ArrayList<>(backends.size());
        for (String b : backends) {
            commands.add("show stat " + Checks.noControl("backend", b) + " 4 -1");
        }
        // one header for all: every answer repeats it, and rows keep theirs (a field map each)
        StringBuilder csv = new StringBuilder();
        String header = null;
        for (String answer : batch(commands)) {
            int eol = answer.indexOf('\n');
            if (answer.startsWith("# ") && eol > 0) {
                String h = answer.substring(0, eol);
                if (header == null || !header.equals(h)) {
                    header = h;
                    csv.append(h).append('\n');
                }
                csv.append(answer, eol + 1, answer.length()).append('\n');
            } else {
                csv.append(answer).append('\n');
            }
        }
        List<StatRow> rows = new ArrayList<>();
        for (StatRow r : StatRow.parseCsv(csv.toString())) {
            if (r.type() == StatRow.Type.SERVER) {
                rows.add(r);
            }
        }
        return rows;
    }

    /** What {@link #showServerStats} is to be given for a backend's row: its {@code iid}, else its name. */
    public static String proxyId(StatRow backendRow) {
        String iid = backendRow.fields().get("iid");
        return iid == null || iid.isEmpty() ? backendRow.proxy() : iid;
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

    /** {@code set server <b>/<s> addr <ip> port <port>}; ip must be an IP literal. */
    public void setServerAddress(String backend, String server, String ip, int port) {
        command(setServerAddressCommand(backend, server, ip, port));
    }

    /** {@code set server <b>/<s> state ready|drain|maint}. */
    public void setServerState(String backend, String server, ServerState state) {
        command(setServerStateCommand(backend, server, state));
    }

    /** {@code set server <b>/<s> weight <w>}, 0..256. */
    public void setServerWeight(String backend, String server, int weight) {
        command(setServerWeightCommand(backend, server, weight));
    }

    /**
     * {@code add server <b>/<s> <ip>:<port> [args]}: a dynamic server (HAProxy 2.6: only in backends with a dynamic
     * balance algorithm). It starts in maintenance, with its health check off.
     *
     * @param args further server keywords, e.g. {@code check inter 2000}; each one a word without control characters
     */
    public void addServer(String backend, String server, String ip, int port, List<String> args) {
        String cmd = addServerCommand(backend, server, ip, port, args);
        String answer = execute(cmd).strip();
        if (!isAdded(answer)) {
            throw new RuntimeApiException("HAProxy refused '" + cmd + "': " + answer);
        }
    }

    /** Whether an answer to {@code add server} says the server was added. */
    public static boolean isAdded(String answer) {
        return answer.strip().toLowerCase(Locale.ROOT).startsWith("new server registered");
    }

    /** The command text of {@link #setServerAddress}, for a {@link #batch}. */
    public static String setServerAddressCommand(String backend, String server, String ip, int port) {
        Checks.port("port", port);
        return "set server " + target(backend, server) + " addr " + ipLiteral(ip) + " port " + port;
    }

    /** The command text of {@link #setServerState}, for a {@link #batch}. */
    public static String setServerStateCommand(String backend, String server, ServerState state) {
        Checks.notNull("state", state);
        return "set server " + target(backend, server) + " state " + state.word();
    }

    /** The command text of {@link #setServerWeight}, for a {@link #batch}. */
    public static String setServerWeightCommand(String backend, String server, int weight) {
        if (weight < 0 || weight > 256) {
            throw new IllegalArgumentException("weight must be in 0..256: " + weight);
        }
        return "set server " + target(backend, server) + " weight " + weight;
    }

    /** {@code enable health <b>/<s>}, for a {@link #batch}: a dynamic server's check starts off. */
    public static String enableHealthCommand(String backend, String server) {
        return "enable health " + target(backend, server);
    }

    /** The command text of {@link #addServer}, for a {@link #batch}. */
    public static String addServerCommand(String backend, String server, String ip, int port, List<String> args) {
        Checks.port("port", port);
        StringBuilder cmd = new StringBuilder("add server ").append(target(backend, server)).append(' ')
                .append(Member.addressOf(ipLiteral(ip), port));
        for (String arg : args) {
            cmd.append(' ').append(Checks.word("server argument", arg, 200));
        }
        return cmd.toString();
    }

    private static String ipLiteral(String ip) {
        if (!Checks.isIpv4(ip) && !Checks.isIpv6(ip)) {
            throw new IllegalArgumentException("ip must be an IPv4 or IPv6 literal: " + Checks.quote(ip));
        }
        return ip;
    }

    /**
     * The rows of backend {@code backend}'s servers: {@code show stat <id> 4 -1} with the backend's id, which
     * {@code show servers state <backend>} gives (it looks up backends only; {@code show stat <name>} would take a
     * frontend of the same name defined before). Empty when there is no such backend, or it has no server.
     */
    public List<StatRow> showServerStats(String backend) {
        String state = execute("show servers state " + Checks.identifier("backend", backend));
        for (String line : state.split("\n")) {
            if (!line.isEmpty() && Character.isDigit(line.charAt(0)) && line.indexOf(' ') > 0) {
                String id = line.substring(0, line.indexOf(' '));
                return StatRow.parseCsv(execute("show stat " + id + " 4 -1"));
            }
        }
        return List.of();
    }

    private static String target(String backend, String server) {
        return Checks.identifier("backend", backend) + "/" + Checks.identifier("server", server);
    }

    /** {@code show servers state} row: the fields Thalassa uses ({@code weight}: {@code srv_uweight}, -1 if unknown). */
    public record ServerStateRow(String backend, String server, String address, int port, int operationalState,
            int adminState, int weight) {
        /**
         * Whether the server is in maintenance (HAProxy's {@code SRV_ADMF_MAINT}: forced, inherited, resolution or
         * hostname maintenance). The configuration's {@code disabled} flag alone (0x04) is not: it stays on a server
         * made ready at run time, which then serves.
         */
        public boolean inMaintenance() {
            return (adminState & 0x63) != 0;
        }

        /** Whether the server is in drain ({@code SRV_ADMF_FDRAIN} or {@code SRV_ADMF_IDRAIN}): no new requests. */
        public boolean draining() {
            return (adminState & 0x18) != 0;
        }

        /** The rows of a {@code show servers state} answer, or of a server-state file. */
        public static List<ServerStateRow> parse(String answer) {
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
                rows.add(new ServerStateRow(f[1], f[3], f[4], parseInt(f[18]), parseInt(f[5]), parseInt(f[6]),
                        parseInt(f[7])));
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
