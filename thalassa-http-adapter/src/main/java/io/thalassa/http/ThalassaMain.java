package io.thalassa.http;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.http.internal.DaemonCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * Entry point of {@code thalassa.jar}: parses the command line ({@code --help} lists every option).
 *
 * <p>Until the HAProxy controller and the registry engine are wired in as a {@link Backplane} (then this starts a
 * {@link ThalassaServer} on it), it renders the example configuration of the original README (with loopback
 * addresses) to standard output, or to the file given with {@code --haproxyCfgPath}.
 */
public final class ThalassaMain {
    private ThalassaMain() {
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
     * @return the exit code: 0, or 2 for an invalid command line
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
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", 8081).member("127.0.0.1", 8082).build())
                .withBackend(Backend.staticBackend("staged").member("127.0.0.1", 8083).build())
                .withFrontend(Frontend.builder("myapp").bind("127.0.0.1:8080").defaultBackend("live")
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "myapp-staged.com", "staged")).build());
        String text = HaproxyConfigRenderer.defaultTemplate().render(config, HaproxySettings.defaults()).text();
        boolean toFile = Arrays.stream(args).anyMatch(a -> a.equals("--haproxyCfgPath")
                || a.startsWith("--haproxyCfgPath="));
        if (toFile) {
            Files.writeString(options.haproxyCfgPath(), text);
            out.println("wrote " + options.haproxyCfgPath());
        } else {
            out.print(text);
        }
        return 0;
    }
}
