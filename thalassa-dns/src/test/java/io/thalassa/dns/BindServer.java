package io.thalassa.dns;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real BIND 9 ({@code named} from Debian's bind9) serving zone {@code svc.example} on 127.0.0.1 at a free port,
 * with dynamic updates from 127.0.0.1; started by the test, ended by its pid. Records change with {@code nsupdate}.
 */
public final class BindServer implements AutoCloseable {
    public static final String ZONE = "svc.example";
    private final Path dir;
    private final int port;
    private final Process process;

    private BindServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts named in {@code dir} (created) and waits until it answers, at most 30 s. */
    public static BindServer start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        Files.writeString(dir.resolve("named.conf"), "options { directory \"" + dir + "\"; listen-on port " + port
                + " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file \"" + dir + "/named.pid\"; recursion no;"
                + " dnssec-validation no; max-records-per-type 1000; };\ncontrols { };\n"
                + "zone \"" + ZONE + "\" { type master; file \"" + dir + "/" + ZONE + ".zone\";"
                + " allow-update { 127.0.0.1; }; };\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ZONE + ".zone"), "$TTL 1\n@ IN SOA ns." + ZONE + ". admin." + ZONE
                + ". 1 60 60 600 1\n@ IN NS ns." + ZONE + ".\nns IN A 127.0.0.1\napp IN A 127.0.0.1\n",
                StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(binary("named"), "-c", dir.resolve("named.conf").toString(), "-u", "root",
                "-g").redirectErrorStream(true).redirectOutput(dir.resolve("named.log").toFile()).start();
        BindServer server = new BindServer(dir, port, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("named ended: " + Files.readString(dir.resolve("named.log")));
            }
            if (server.dig("SOA", ZONE + ".").contains("ns." + ZONE)) {
                return server;
            }
            Thread.sleep(100);
        }
        server.close();
        throw new IllegalStateException("named did not answer within 30 s: " + Files.readString(
                dir.resolve("named.log")));
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Sends one dynamic update of these {@code update ...} lines, and waits for it (at most 20 s). */
    public void update(String... lines) throws Exception {
        StringBuilder in = new StringBuilder("server 127.0.0.1 " + port + "\nzone " + ZONE + "\n");
        for (String l : lines) {
            in.append(l).append('\n');
        }
        in.append("send\n");
        Path script = Files.createTempFile(dir, "nsupdate", ".txt");
        Files.writeString(script, in);
        Process p = new ProcessBuilder(binary("nsupdate"), script.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("nsupdate did not finish within 20 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.deleteIfExists(script);
        if (p.exitValue() != 0) {
            List<String> log = Files.readAllLines(dir.resolve("named.log"));
            throw new IllegalStateException("nsupdate failed (" + p.exitValue() + "): " + out + "; named's log ends: "
                    + log.subList(Math.max(0, log.size() - 8), log.size()));
        }
    }

    /** {@code dig +short}, bounded. */
    public String dig(String type, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary("dig"), "@127.0.0.1", "-p", Integer.toString(port), "+short",
                "+time=1", "+tries=1", type, name).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Freezes named (SIGSTOP): queries time out. */
    public void freeze() throws Exception {
        signal("STOP");
    }

    public void thaw() throws Exception {
        signal("CONT");
    }

    private void signal(String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** Ends named by its pid (thawed first, so SIGTERM is heard), at most 10 s, then SIGKILL. */
    @Override
    public void close() {
        try {
            thaw();
        } catch (Exception ignored) {
            // it may be gone
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether BIND is installed (scripts/install-tools.sh installs it). */
    public static boolean installed() {
        return Files.isExecutable(Path.of(binary("named"))) && Files.isExecutable(Path.of(binary("nsupdate")));
    }

    private static String binary(String name) {
        for (String dir : new String[] {"/usr/sbin/", "/usr/bin/"}) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return dir + name;
            }
        }
        return name;
    }

    /** A port free for both TCP and UDP on 127.0.0.1. */
    static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try (DatagramSocket d = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException e) {
                // taken for UDP: try another
            }
        }
        throw new IOException("no free TCP and UDP port on 127.0.0.1 in 50 tries");
    }
}
