package io.thalassa.runtime.internal;

import io.thalassa.ThalassaEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows HAProxy's own log file (its output, {@code <configFile>.log}) from where it ends at start: every
 * {@code [ALERT]} and {@code [WARNING]} line goes to the daemon's log at WARN and, as a {@code haproxyLog} event, to
 * the activity feed. Called from a scheduler; at most {@link #MAX_LINES} lines a call.
 */
public final class HaproxyLog implements Runnable {
    static final int MAX_LINES = 200;
    /**
     * HAProxy's routine noise, tagged WARNING by HAProxy itself, logged at debug only: reloads, and the echo of the
     * controller's own runtime commands (a slot filled, joining in drain, made ready, drained or emptied), which the
     * feed has already as {@code runtimeChange}, {@code memberCheck} and {@code drain}. A server that goes DOWN by
     * its health check is not routine.
     */
    private static final java.util.regex.Pattern ROUTINE = java.util.regex.Pattern.compile(
            "Proxy \\S+ stopped \\(cumulated|Former worker \\(?\\d+\\)? exited with code 0|Stopping (proxy|frontend|backend)"
                    + "|Exiting Master process|Reexecuting Master process|All workers exited|Proxy <HTTPCLIENT> stopped"
                    + "| CLI : |leaving forced maintenance|for maintenance|enters maintenance|enters drain state"
                    + "|remains in forced drain mode|leaving forced drain|leaving drain");
    private static final Logger LOG = LoggerFactory.getLogger(HaproxyLog.class);

    private final Path file;
    private final Consumer<ThalassaEvent> sink;
    private long position;
    private final StringBuilder partial = new StringBuilder();

    public HaproxyLog(Path file, Consumer<ThalassaEvent> sink) {
        this.file = file;
        this.sink = sink;
        this.position = size();
    }

    private long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void run() {
        try {
            for (String line : newLines()) {
                if (ROUTINE.matcher(line).find()) {
                    LOG.debug("haproxy - {}", line.strip());
                } else if (line.contains("[ALERT]") || line.contains("[WARNING]")) {
                    String text = line.strip();
                    LOG.warn("haproxy - {}", text);
                    sink.accept(ThalassaEvent.now(ThalassaEvent.Verb.HAPROXY_LOG, "haproxy", text.length() > 1000
                            ? text.substring(0, 1000) + "..." : text));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("haproxy log {} - cannot read: {}", file, e.toString());
        }
    }

    /** The complete lines appended since the last call (the file starting over when it shrank). */
    List<String> newLines() throws IOException {
        List<String> out = new ArrayList<>();
        long size = size();
        if (size < position) {
            position = 0;
            partial.setLength(0);
        }
        if (size == position) {
            return out;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(position);
            byte[] buf = new byte[(int) Math.min(size - position, 1 << 20)];
            raf.readFully(buf);
            position += buf.length;
            partial.append(new String(buf, StandardCharsets.UTF_8));
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0 && out.size() < MAX_LINES) {
            out.add(partial.substring(0, nl));
            partial.delete(0, nl + 1);
        }
        if (out.size() >= MAX_LINES) {
            partial.setLength(0); // a flood: the rest is skipped, the daemon keeps up
        }
        return out;
    }
}
