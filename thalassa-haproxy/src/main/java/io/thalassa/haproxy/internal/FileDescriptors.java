package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.ControllerStatus.FileDescriptorBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The file descriptors HAProxy 2.6 asks for, computed as it computes {@code maxsock} (measured against
 * {@code show info}'s {@code Maxsock} on HAProxy 2.6.12, exact for every combination tried): two per connection of
 * the global {@code maxconn}, three per thread (poller and wake-up pipe), 20 reserved, one per listener and stats
 * socket, one per server with a health check (disabled ones too), and 12 for master-worker mode with one master CLI
 * socket. With {@code strict-limits} (2.6's default) HAProxy refuses to start or reload when this exceeds the hard
 * limit of its process ({@code Cannot raise FD limit to X, limit is Y}); {@code haproxy -c} does not check it.
 */
public final class FileDescriptors {
    private FileDescriptors() {
    }

    /** HAProxy's maxsock for a master-worker process with one master socket. */
    public static FileDescriptorBudget budget(int globalMaxconn, int threads, int listeners, int statsSockets,
            long checkedServers, long available) {
        long needed = 2L * globalMaxconn + 3L * threads + 20 + listeners + statsSockets + checkedServers + 12;
        String detail = "2 x maxconn " + globalMaxconn + " + " + checkedServers + " checked servers + " + listeners
                + " listeners + " + statsSockets + " stats socket + " + (3 * threads + 32) + " for " + threads
                + " threads and the master";
        return new FileDescriptorBudget(needed, available, detail);
    }

    /** The hard {@code Max open files} limit of a process, from {@code /proc/<pid>/limits}. */
    public static OptionalLong hardLimit(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).strip().split("\\s+");
                    return f.length >= 2 && !f[1].equals("unlimited") ? OptionalLong.of(Long.parseLong(f[1]))
                            : OptionalLong.of(Long.MAX_VALUE);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return OptionalLong.empty();
    }

    /** The most a hard limit may be raised to by a privileged process ({@code /proc/sys/fs/nr_open}). */
    public static long systemMaximum() {
        try {
            return Long.parseLong(Files.readString(Path.of("/proc/sys/fs/nr_open")).strip());
        } catch (IOException | RuntimeException e) {
            return 1_048_576;
        }
    }
}
