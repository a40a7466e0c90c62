package io.thalassa.haproxy.internal;

import io.thalassa.RuntimeApiException;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.RuntimeApi;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HAProxy master process in master-worker mode: launched in its own session ({@code setsid}, so it outlives the
 * JVM and a terminal's signals) with its output appended to a log file, which is where HAProxy's own words about a
 * failed start or reload are read; adopted when a previous run left it serving; reloaded on the master CLI and the
 * outcome confirmed with {@code show proc}; stopped by its pid. The controller serializes the calls that change it;
 * its pid and file limit may be read at any time.
 */
public final class HaproxyProcess {
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyProcess.class);
    private static final long LOG_ROTATE_BYTES = 4L * 1024 * 1024;
    private static final int ADOPT_ATTEMPTS = 3;

    private final String binary;
    private final List<String> sudo;
    private final Path configFile;
    private final Path masterSocket;
    private final Path pidFile;
    private final Path logFile;
    private final RuntimeApi master;
    private final RuntimeApi stats;
    private final long requestedFileLimit;
    private volatile long pid = -1; // read by supervision and status while a restart launches
    private volatile long fileLimit = -1;
    private volatile Runnable exitListener = () -> { };

    /** What a reload did. */
    public record ReloadOutcome(boolean done, String message) {
    }

    /** What {@code show proc} says: reloads and failed reloads of the master, pids of the current workers. */
    public record ProcState(long reloads, long failed, List<Long> workers) {
        /** Parses the master CLI's {@code show proc} answer. */
        public static ProcState parse(String answer) {
            long reloads = -1;
            long failed = 0;
            List<Long> workers = new ArrayList<>();
            String section = "master";
            for (String line : answer.split("\n")) {
                if (line.startsWith("# workers")) {
                    section = "workers";
                    continue;
                }
                if (line.startsWith("#")) {
                    section = line.startsWith("#<") ? "master" : "other";
                    continue;
                }
                String[] f = line.strip().split("\\s+");
                if (f.length < 3 || !f[0].chars().allMatch(Character::isDigit)) {
                    continue;
                }
                if (f[1].equals("master")) {
                    reloads = Long.parseLong(f[2]);
                    int i = line.indexOf("failed:");
                    if (i >= 0) {
                        String rest = line.substring(i + 7).strip();
                        int end = 0;
                        while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
                            end++;
                        }
                        failed = end == 0 ? 0 : Long.parseLong(rest.substring(0, end));
                    }
                } else if (section.equals("workers") && f[1].equals("worker")) {
                    workers.add(Long.parseLong(f[0]));
                }
            }
            if (reloads < 0) {
                throw new RuntimeApiException("unexpected answer to 'show proc': " + answer.strip());
            }
            return new ProcState(reloads, failed, workers);
        }
    }

    /**
     * @param requestedFileLimit the hard file-descriptor limit to launch HAProxy with; 0: as high as the system
     *                           allows (raised where the OS permits, else the limit this JVM has)
     */
    public HaproxyProcess(String binary, List<String> sudo, Path configFile, Path masterSocket, Path pidFile,
            Path logFile, RuntimeApi master, RuntimeApi stats, long requestedFileLimit) {
        this.binary = binary;
        this.sudo = List.copyOf(sudo);
        this.configFile = configFile;
        this.masterSocket = masterSocket;
        this.pidFile = pidFile;
        this.logFile = logFile;
        this.master = master;
        this.stats = stats;
        this.requestedFileLimit = requestedFileLimit;
    }

    public long pid() {
        return pid;
    }

    /** The hard file-descriptor limit of the master, which every reloaded worker gets too. */
    public long fileLimit() {
        return fileLimit;
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * Told when a master this process launched exits (through {@code Process.onExit()}, as HAProxy is its direct
     * child); an adopted master is not this process's child, and its exit is noticed by polling.
     */
    public void onExit(Runnable listener) {
        this.exitListener = listener;
    }

    /**
     * Whether the pid file names a live HAProxy whose master CLI answers; if so, it is this process from now on. A live
     * HAProxy gets {@value #ADOPT_ATTEMPTS} tries of the command timeout each: the first call of a JVM that has just
     * started loads the native socket code, which took longer than the 2 s timeout on a loaded machine, and a HAProxy
     * not adopted is then started a second time, on ports the first one holds.
     */
    public boolean adopt() {
        long p = Processes.readPid(pidFile);
        if (p <= 0 || !Processes.isRunning(p) || !Processes.commandLine(p).contains("haproxy")) {
            return false;
        }
        for (int attempt = 1; attempt <= ADOPT_ATTEMPTS; attempt++) {
            if (answers(master, "show proc")) {
                pid = p;
                fileLimit = FileDescriptors.hardLimit(Long.toString(p)).orElse(ownLimit());
                return true;
            }
            if (!Processes.isRunning(p)) {
                return false;
            }
            LOG.warn("haproxy - master pid {} did not answer on {} (try {} of {})", p, master.socket(), attempt,
                    ADOPT_ATTEMPTS);
        }
        return false;
    }

    /**
     * Starts HAProxy on the config file and waits until its master and stats sockets answer.
     *
     * @throws ThalassaException with HAProxy's own message when it does not come up
     */
    public void launch() {
        try {
            Files.deleteIfExists(pidFile);
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            long limit = launchLimit();
            List<String> cmd = new ArrayList<>(sudo);
            cmd.add("setsid");
            if (limit != ownLimit()) {
                cmd.addAll(List.of("prlimit", "--nofile=" + limit + ":" + limit));
            }
            cmd.addAll(List.of(binary, "-W", "-S", masterSocket + ",mode,600", "-f", configFile.toString()));
            long logStart = size(logFile);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new ThalassaException("HAProxy did not start (exit " + p.exitValue() + "): "
                            + ConfigCheck.alerts(readFrom(logFile, logStart)));
                }
                long found = Processes.readPid(pidFile);
                if (found > 0 && Processes.isRunning(found) && answers(master, "show proc")
                        && answers(stats, "show info")) {
                    pid = found;
                    fileLimit = FileDescriptors.hardLimit(Long.toString(found)).orElse(limit);
                    if (p.pid() == found) { // setsid and prlimit exec it: the master is our child
                        p.onExit().thenRun(() -> exitListener.run());
                    }
                    return;
                }
                Thread.sleep(10);
            }
            p.destroyForcibly();
            throw new ThalassaException("HAProxy started but its master socket " + masterSocket
                    + " and stats socket did not answer within 30 s: " + readFrom(logFile, logStart).strip());
        } catch (IOException e) {
            throw new ThalassaException("cannot start HAProxy (" + binary + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThalassaException("interrupted while starting HAProxy", e);
        }
    }

    /** The hard limit to launch with: the requested one, else raised to the system's maximum where permitted. */
    public long launchLimit() {
        long own = ownLimit();
        long wanted = requestedFileLimit > 0 ? requestedFileLimit : Math.min(FileDescriptors.systemMaximum(),
                1_048_576);
        if (wanted == own || (requestedFileLimit == 0 && wanted < own)) {
            return own;
        }
        if (wanted < own) {
            return wanted; // lowering is always allowed
        }
        try {
            List<String> probe = new ArrayList<>(sudo);
            probe.addAll(List.of("prlimit", "--nofile=" + wanted + ":" + wanted, "true"));
            if (Processes.run(probe, Duration.ofSeconds(5)).exitCode() == 0) {
                return wanted;
            }
        } catch (IOException e) {
            // no prlimit: keep our own limit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("haproxy - the file descriptor limit cannot be raised above {} here (wanted {}); HAProxy gets {}",
                own, wanted, own);
        return own;
    }

    private static long ownLimit() {
        return FileDescriptors.hardLimit("self").orElse(Long.MAX_VALUE);
    }

    public boolean isRunning() {
        return Processes.isRunning(pid);
    }

    /**
     * Whether HAProxy answers: its worker's {@code show info} within the command timeout, and a current worker in the
     * master's {@code show proc}.
     */
    public boolean answers() {
        try {
            return answers(stats, "show info") && !procState().workers().isEmpty();
        } catch (RuntimeApiException e) {
            return false;
        }
    }

    /**
     * Kills the master and its processes (SIGKILL: a hung worker would keep the listening sockets), so it can be
     * started again.
     */
    public void kill() {
        long master = pid;
        if (master <= 0) {
            return;
        }
        ProcessHandle.of(master).ifPresent(h -> h.children().forEach(c -> Processes.signal(sudo, c.pid(), "KILL")));
        Processes.signal(sudo, master, "KILL");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Processes.isRunning(master) && System.nanoTime() < deadline) {
            sleep(10);
        }
    }

    /** {@code show proc} on the master CLI. */
    public ProcState procState() {
        return ProcState.parse(master.execute("show proc"));
    }

    /**
     * Reloads on the master CLI and waits for a new worker, or for {@code show proc} to count a failed reload.
     *
     * @return done, or not with HAProxy's own message (its alerts in the log) or what went wrong
     */
    public ReloadOutcome reload(Duration timeout) {
        long logStart = size(logFile);
        ProcState before;
        try {
            before = procState();
            master.execute("reload");
        } catch (RuntimeApiException e) {
            return new ReloadOutcome(false, "the master CLI did not take the reload: " + e.getMessage());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                sleep(10);
                ProcState now;
                try {
                    now = procState();
                } catch (RuntimeApiException e) {
                    continue; // the master is re-executing
                }
                if (now.failed() > before.failed()) {
                    sleep(20); // the last lines of the failure may still be on their way to the log
                    String said = ConfigCheck.alerts(readFrom(logFile, logStart).replace("Loading failure!", ""));
                    return new ReloadOutcome(false, said.isEmpty()
                            ? "HAProxy refused the reload (failed reloads: " + now.failed() + ")" : said);
                }
                if (now.reloads() > before.reloads() && !now.workers().isEmpty()
                        && !before.workers().containsAll(now.workers()) && statsSocketOf(now.workers())) {
                    return new ReloadOutcome(true, null); // runtime commands from now on reach the new worker
                }
            }
            return new ReloadOutcome(false, "no new HAProxy worker within " + timeout.toMillis() + " ms: "
                    + ConfigCheck.alerts(readFrom(logFile, logStart)));
        } finally {
            rotateLog();
        }
    }

    /**
     * Whether the stats socket is the new worker's: right after a reload a connection may still reach the old one,
     * whose answers (and commands) would not count; its {@code show info} says whose it is.
     */
    private boolean statsSocketOf(List<Long> workers) {
        try {
            return workers.contains(infoPid(stats.execute("show info")));
        } catch (RuntimeApiException e) {
            return false;
        }
    }

    /** The {@code Pid:} of a {@code show info} answer, or -1. */
    static long infoPid(String showInfo) {
        for (String line : showInfo.split("\n")) {
            if (line.startsWith("Pid:")) {
                try {
                    return Long.parseLong(line.substring(4).strip());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The pids of the current workers (not old ones still finishing), from the master CLI. */
    public List<Long> workerPids() {
        return procState().workers();
    }

    /**
     * SIGTERM to the master, SIGKILL after 5 s; also to a master the pid file names that this one does not know yet
     * (a restart that was launching when the controller stopped).
     */
    public void stop() {
        stop(pid);
        long named = Processes.readPid(pidFile);
        if (named > 0 && named != pid && Processes.isRunning(named)
                && Processes.commandLine(named).contains(configFile.toString())) {
            stop(named);
        }
    }

    private void stop(long master) {
        if (master > 0 && Processes.isRunning(master)) {
            Processes.signal(sudo, master, "TERM");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Processes.isRunning(master) && System.nanoTime() < deadline) {
                sleep(20);
            }
            if (Processes.isRunning(master)) {
                Processes.signal(sudo, master, "KILL");
            }
        }
    }

    private void rotateLog() {
        try {
            if (size(logFile) > LOG_ROTATE_BYTES) {
                try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "rw")) {
                    f.setLength(0); // HAProxy appends (O_APPEND): it goes on at the start
                }
            }
        } catch (IOException e) {
            LOG.debug("haproxy - cannot truncate {}: {}", logFile, e.getMessage());
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readFrom(Path file, long offset) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = offset <= length ? offset : 0;
            byte[] b = new byte[(int) Math.min(64 * 1024, length - from)];
            f.seek(from);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static boolean answers(RuntimeApi socket, String command) {
        try {
            socket.execute(command);
            return true;
        } catch (RuntimeApiException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
