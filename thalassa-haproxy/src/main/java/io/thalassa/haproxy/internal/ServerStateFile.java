package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.ServerLine;
import io.thalassa.internal.Checks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HAProxy's server-state file ({@code show servers state}), kept to what agrees with the configuration about to be
 * loaded. HAProxy applies a row's address and port over the file's (haproxy#985, #1412), so a slot freed since the
 * dump would come back on its old member, in drain: every row whose address, port or administrative state differs
 * from what the configuration renders for that server is dropped, and so is a row of a server it does not have. What
 * remains restores what only the worker knew: a member found DOWN stays DOWN in the new worker, with its check's
 * state, until its checks say otherwise. Pure but for the file helpers.
 */
public final class ServerStateFile {
    /** {@code SRV_ADMF_FMAINT | SRV_ADMF_IMAINT | SRV_ADMF_RMAINT | SRV_ADMF_HMAINT}: in maintenance at run time. */
    private static final int MAINT = 0x63;
    /** {@code SRV_ADMF_FDRAIN | SRV_ADMF_IDRAIN}: draining, which no configuration line says. */
    private static final int DRAIN = 0x18;

    private ServerStateFile() {
    }

    /**
     * The rows of {@code dump} (the answer to {@code show servers state}, version line and header kept) that agree with
     * {@code servers}, the server lines of each backend as the configuration to load renders them.
     */
    public static String consistent(String dump, Map<String, List<ServerLine>> servers) {
        Map<String, Map<String, ServerLine>> byName = new HashMap<>();
        servers.forEach((backend, lines) -> {
            Map<String, ServerLine> m = new HashMap<>();
            for (ServerLine l : lines) {
                m.put(l.name(), l);
            }
            byName.put(backend, m);
        });
        StringBuilder out = new StringBuilder(dump.length());
        for (String line : dump.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#") || !line.contains(" ")) { // "1" (the format's version) and the header
                out.append(line).append('\n');
                continue;
            }
            String[] f = line.strip().split(" +");
            // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ... srv_port (19th)
            if (f.length < 19) {
                continue;
            }
            ServerLine rendered = byName.getOrDefault(f[1], Map.of()).get(f[3]);
            if (rendered != null && agrees(rendered, f[4], number(f[18]), number(f[6]))) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Whether a row's address, port and administrative state are what {@code rendered} says. */
    static boolean agrees(ServerLine rendered, String address, int port, int admin) {
        if (admin < 0 || (admin & DRAIN) != 0 || ((admin & MAINT) != 0) != rendered.disabled()) {
            return false;
        }
        return port == rendered.port() && sameAddress(address, rendered.host());
    }

    private static boolean sameAddress(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if (!(Checks.isIpv4(a) || Checks.isIpv6(a)) || !(Checks.isIpv4(b) || Checks.isIpv6(b))) {
            return false;
        }
        try { // literals only: no name is looked up
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Rewrites {@code file} (when it exists) to the rows that agree with {@code servers}; a failure is the caller's. */
    public static void keepConsistent(Path file, Map<String, List<ServerLine>> servers) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        Processes.writeAtomically(file, consistent(Files.readString(file, StandardCharsets.UTF_8), servers));
    }
}
