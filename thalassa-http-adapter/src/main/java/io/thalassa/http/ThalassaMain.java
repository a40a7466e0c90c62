package io.thalassa.http;

import io.thalassa.ConfigRejectedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.http.internal.DaemonCommand;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Entry point of {@code thalassa.jar}: parses the command line ({@code --help} lists every option), starts the stack
 * ({@link StackBackplane}: HAProxy under control, the registry, the membership engine) and serves the API on it until
 * the process is stopped. Stopping leaves HAProxy serving; the next start adopts it.
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
     * @return the exit code: 0, 1 when the stack cannot start (the reason goes to {@code err}), or 2 for an invalid
     *         command line
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
        StackBackplane stack;
        try {
            // the persisted configuration goes in at the start: a running HAProxy is adopted with it, unchanged
            ThalassaConfig initial = options.persistenceFile().flatMap(f -> ConfigStore.at(f).load())
                    .orElse(ThalassaConfig.empty());
            stack = StackBackplane.start(options, initial);
        } catch (ConfigRejectedException e) {
            err.println("thalassa: HAProxy rejects the configuration in " + options.persistence() + " ("
                    + e.getMessage() + "); fix or move the file, it is left untouched");
            return 1;
        } catch (RuntimeException e) {
            err.println("thalassa: " + e.getMessage());
            return 1;
        }
        ThalassaServer server;
        try {
            server = ThalassaServer.start(stack, options);
        } catch (IOException | RuntimeException e) {
            stack.close();
            err.println("thalassa: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stack.close(); // HAProxy keeps serving; the next start adopts it
        }, "thalassa-shutdown"));
        out.println("thalassa: API on http://" + options.host() + ":" + server.port() + ", registrations on port "
                + server.registrationPort() + ", HAProxy master pid " + stack.controller().masterPid());
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
