package io.thalassa.http;

import io.thalassa.http.internal.DaemonCommand;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.slf4j.LoggerFactory;

/**
 * Entry point of {@code thalassa.jar}: parses the command line ({@code --help} lists every option), starts a
 * {@link Thalassa} as the options say (HAProxy under control, the registry, the store) and serves it over HTTP
 * ({@link ThalassaHttp}) until the process is stopped. Stopping leaves HAProxy serving; the next start adopts it.
 */
public final class ThalassaMain {
    private ThalassaMain() {
    }

    /** The formats of the daemon's log lines, the values of {@code THALASSA_LOG_FORMAT}. */
    static final java.util.List<String> LOG_FORMATS = java.util.List.of("text", "journal", "json");

    /**
     * The daemon's logging (logback, {@code thalassa-logback-<format>.xml}, to stdout): the format from
     * {@code THALASSA_LOG_FORMAT} ({@code text}, {@code journal} or {@code json}: one JSON object per line, logback's
     * JsonEncoder), by default {@code journal} when systemd connected the output to the journal ({@code JOURNAL_STREAM}
     * is set) and {@code text} otherwise; info, or debug for Thalassa's own loggers with {@code --debug} (every HTTP
     * request, every runtime API command). Must run before the first logger is made; a
     * {@code -Dlogback.configurationFile} or {@code -Dthalassa.log.level} given to the JVM wins.
     *
     * @throws IllegalArgumentException for a {@code THALASSA_LOG_FORMAT} that is none of the formats
     */
    static void configureLogging(boolean debug, java.util.Map<String, String> env) {
        String format = env.get("THALASSA_LOG_FORMAT");
        if (format == null || format.isEmpty()) {
            format = env.getOrDefault("JOURNAL_STREAM", "").isEmpty() ? "text" : "journal";
        } else if (!LOG_FORMATS.contains(format)) {
            throw new IllegalArgumentException("THALASSA_LOG_FORMAT must be one of " + String.join(", ", LOG_FORMATS)
                    + ": " + format);
        }
        System.getProperties().putIfAbsent("logback.configurationFile", "thalassa-logback-" + format + ".xml");
        if (debug) {
            System.getProperties().putIfAbsent("thalassa.log.level", "DEBUG");
        }
    }

    public static void main(String[] args) throws IOException {
        int code = run(args, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the command line.
     *
     * @return the exit code: 0, 2 for an invalid command line, 1 when the daemon cannot start (a port in use,
     *         HAProxy or the persistence file rejected); nothing is left running then but an adopted HAProxy
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (DaemonCommand.wantsHelp(args)) {
            out.print(DaemonOptions.usage());
            return 0;
        }
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("thalassa: " + e.getMessage());
            err.println("try --help");
            return 2;
        }
        try {
            configureLogging(options.debug(), System.getenv());
        } catch (IllegalArgumentException e) {
            err.println("thalassa: " + e.getMessage());
            return 2;
        }
        String taken = takenPort(options);
        if (taken != null) { // before HAProxy is started or adopted: a second daemon must not touch the first's
            err.println("thalassa: " + taken);
            return 1;
        }
        Thalassa thalassa;
        try {
            thalassa = options.thalassa().start();
        } catch (RuntimeException e) {
            err.println("thalassa: " + e.getMessage());
            return 1;
        }
        ThalassaHttp server;
        try {
            server = ThalassaHttp.serve(thalassa, options.http());
        } catch (IOException | RuntimeException e) {
            thalassa.abort(); // a HAProxy this start launched is stopped, an adopted one keeps serving
            err.println("thalassa: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            thalassa.close(); // HAProxy keeps serving; the next start adopts it
        }, "thalassa-shutdown"));
        LoggerFactory.getLogger(ThalassaMain.class).info("thalassa: API on {}://{}:{}, registrations on port {},"
                + " HAProxy master pid {}{}", options.tls() ? "https" : "http", options.host(), server.port(),
                server.registrationPort(), thalassa.controller().masterPid(), options.fleet() ? ", fleet node "
                        + thalassa.fleetNode().orElse("") + " of " + options.storePrefix() : "");
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Why {@code --port} or {@code --registrationPort} cannot be listened on, or null when both can. */
    private static String takenPort(DaemonOptions options) {
        int[] ports = {options.port(), options.registrationPort()};
        String[] names = {"--port", "--registrationPort"};
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] == 0) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true); // as Jetty binds: a port in TIME_WAIT is free
                probe.bind(new InetSocketAddress(options.host(), ports[i]));
            } catch (IOException e) {
                return "cannot listen on " + io.thalassa.Member.addressOf(options.host(), ports[i])
                        + " (" + names[i] + "): "
                        + e.getMessage() + "; is another thalassa running there?";
            }
        }
        return null;
    }
}
