package io.thalassa.haproxy;

import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.internal.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A HAProxy controller on loopback with every path in one temporary directory and free ports, and the cleanup that
 * stops the HAProxy it started (by the pid in its own pid file) even when a test fails.
 */
final class ControllerFixture implements AutoCloseable {
    final Path dir;
    final HaproxySettings settings;
    final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();

    ControllerFixture(Path dir) throws IOException {
        this.dir = dir;
        this.settings = HaproxySettings.builder()
                .statsSocket(dir.resolve("stats.sock"))
                .pidFile(dir.resolve("haproxy.pid"))
                .serverStateFile(dir.resolve("server-state"))
                .statsListener(io.thalassa.Bind.parse("127.0.0.1:" + RawHttp.freePort()))
                .logTarget(null)
                .build();
    }

    HaproxyController.Builder builder() {
        return HaproxyController.builder()
                .binary(HaproxyBinary.find().toString())
                .configFile(dir.resolve("haproxy.cfg"))
                .settings(settings)
                .reloadWindow(Duration.ofMillis(100))
                .drainTimeout(Duration.ofSeconds(5))
                .statsInterval(Duration.ofMillis(200))
                .supervisionInterval(Duration.ofMillis(100))
                .listener(events::add);
    }

    long masterPid() {
        return Processes.readPid(settings.pidFile());
    }

    List<ThalassaEvent> events(ThalassaEvent.Verb verb) {
        return events.stream().filter(e -> e.verb() == verb).toList();
    }

    /** Stops the HAProxy this fixture's pid file names: our own process, by its pid. */
    @Override
    public void close() {
        long pid = masterPid();
        if (pid > 0 && Processes.isRunning(pid) && Processes.commandLine(pid).contains(dir.toString())) {
            Processes.signal(List.of(), pid, "TERM");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (Processes.isRunning(pid) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (Processes.isRunning(pid)) {
                Processes.signal(List.of(), pid, "KILL");
            }
        }
    }
}
