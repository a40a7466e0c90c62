package io.thalassa.examples;

import io.thalassa.haproxy.NamedHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** What the example ITs share: running a program and keeping the lines it printed, a free port, the HAProxy binary. */
final class ExampleRun {
    private ExampleRun() {
    }

    interface Program {
        void run() throws Exception;
    }

    /** Runs {@code program} and returns the lines it printed to {@code System.out}. */
    static List<String> printedLines(Program program) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** A free port on 127.0.0.1. */
    static int freePort() {
        return NamedHttpServer.freePort();
    }

    /** The HAProxy 2.6 binary; fails saying how to install it. */
    static String haproxy() {
        return NamedHttpServer.haproxyBinary();
    }
}
