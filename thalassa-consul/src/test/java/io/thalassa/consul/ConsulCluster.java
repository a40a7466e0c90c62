package io.thalassa.consul;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real cluster of Consul servers on 127.0.0.1 (each its own node name, data directory and free ports, Raft timings
 * five times shorter than Consul's defaults), for tests. {@link #close()} stops every server it started by its pid and
 * deletes the data directories.
 */
final class ConsulCluster implements AutoCloseable {
    private final Path dir;
    private final List<ConsulAgent> servers;

    private ConsulCluster(Path dir, List<ConsulAgent> servers) {
        this.dir = dir;
        this.servers = servers;
    }

    /** Starts {@code n} servers under a fresh directory in {@code parent} and waits until all name one leader. */
    static ConsulCluster start(Path parent, int n, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, "cluster-");
        ConsulCluster cluster = new ConsulCluster(dir, ConsulAgent.servers(dir, n));
        try {
            for (ConsulAgent s : cluster.servers) {
                s.spawn();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsulAgent s : cluster.servers) {
                    if (!s.isAlive()) {
                        throw new IllegalStateException("consul " + s.node() + " exited; log: " + s.logFile() + "\n"
                                + Files.readString(s.logFile()));
                    }
                }
                if (cluster.agreedLeader().isPresent()) {
                    return cluster;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("no leader among " + n + " consul servers within " + timeout.toSeconds()
                    + " s; logs in " + dir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    List<ConsulAgent> servers() {
        return servers;
    }

    /** The leader, when every running server names the same one and it runs. */
    Optional<ConsulAgent> agreedLeader() {
        String leader = null;
        for (ConsulAgent s : servers) {
            if (!s.isAlive()) {
                continue;
            }
            String l = s.leader();
            if (l.isEmpty() || (leader != null && !leader.equals(l))) {
                return Optional.empty();
            }
            leader = l;
        }
        String address = leader;
        return servers.stream().filter(s -> s.isAlive() && s.serverAddress().equals(address)).findFirst();
    }

    /** The running servers other than {@code leader}. */
    List<ConsulAgent> others(ConsulAgent leader) {
        List<ConsulAgent> others = new ArrayList<>();
        for (ConsulAgent s : servers) {
            if (s != leader && s.isAlive()) {
                others.add(s);
            }
        }
        return others;
    }

    /** Stops every server by its pid and deletes the cluster's data directories (the logs stay). */
    @Override
    public void close() {
        for (ConsulAgent s : servers) {
            s.close();
        }
        for (ConsulAgent s : servers) {
            deleteTree(dir.resolve(s.node()));
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
