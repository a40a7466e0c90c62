package io.thalassa.haproxy.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running commands with a bound, reading pids, telling a live process from a zombie, writing files atomically. */
public final class Processes {
    private Processes() {
    }

    /** What a finished command printed (stdout and stderr merged) and its exit code. */
    public record Outcome(int exitCode, String output) {
    }

    /**
     * Runs {@code command} and waits at most {@code timeout}; a command still running then is killed.
     *
     * @throws IOException when it cannot start or does not finish in time
     */
    public static Outcome run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("thalassa-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toMillis()
                        + " ms");
            }
            return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Whether {@code pid} is a running process (not a zombie that nobody reaped yet). */
    public static boolean isRunning(long pid) {
        if (pid <= 0) {
            return false;
        }
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (Files.isDirectory(Path.of("/proc/self"))) {
            try {
                String s = Files.readString(stat, StandardCharsets.UTF_8);
                int close = s.lastIndexOf(')');
                char state = close >= 0 && close + 2 < s.length() ? s.charAt(close + 2) : '?';
                return state != 'Z' && state != 'X';
            } catch (IOException e) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The command line of {@code pid}, words joined by spaces; empty when unknown. */
    public static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
        }
    }

    /** The first number in a pid file, or -1 when the file is missing or holds none. */
    public static long readPid(Path pidFile) {
        try {
            String s = Files.readString(pidFile, StandardCharsets.UTF_8).strip();
            int end = 0;
            while (end < s.length() && Character.isDigit(s.charAt(end))) {
                end++;
            }
            return end == 0 ? -1 : Long.parseLong(s.substring(0, end));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Writes {@code text} to a temporary file beside {@code target} and renames it over {@code target}. */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code prefix} followed by {@code command}. */
    public static List<String> prefixed(List<String> prefix, String... command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(command));
        return all;
    }

    /** Sends a signal ({@code TERM}, {@code KILL}, {@code USR1}...) through {@code kill}, with the prefix (sudo). */
    public static boolean signal(List<String> prefix, long pid, String signal) {
        try {
            return run(prefixed(prefix, "kill", "-" + signal, Long.toString(pid)), Duration.ofSeconds(5))
                    .exitCode() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
