package io.thalassa.http;

import io.thalassa.http.internal.DaemonCommand;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Entry point of {@code thalassa.jar}: parses the command line ({@code --help} lists every option), starts a
 * {@link Thalassa} as the options say (HAProxy under control, the registry, the store) and serves it over HTTP
 * ({@link ThalassaHttp}) until the process is stopped. Stopping leaves HAProxy serving; the next start adopts it.
 */
public final class ThalassaMain {
    private ThalassaMain() {
    }

    /**
     * Log levels of the daemon (slf4j-simple, to stderr): info, or debug for Thalassa's own loggers with
     * {@code --debug} (every HTTP request, every runtime API command); Jetty stays at info. Must run before the first
     * logger is made; a level set with {@code -Dorg.slf4j.simpleLogger...} on the command line wins.
     */
    static void configureLogging(boolean debug) {
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        System.getProperties().putIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        if (debug) {
            System.getProperties().putIfAbsent("org.slf4j.simpleLogger.log.io.thalassa", "debug");
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
        configureLogging(options.debug());
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
        out.println("thalassa: API on " + (options.tls() ? "https" : "http") + "://" + options.host() + ":"
                + server.port() + ", registrations on port "
                + server.registrationPort() + ", HAProxy master pid " + thalassa.controller().masterPid()
                + (options.fleet() ? ", fleet node " + thalassa.fleetNode().orElse("") + " of "
                        + options.storePrefix() : ""));
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
