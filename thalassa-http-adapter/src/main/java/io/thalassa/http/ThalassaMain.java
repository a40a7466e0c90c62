package io.thalassa.http;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Entry point of {@code thalassa.jar}. Until the daemon lands it renders the example configuration of the original
 * README (with loopback addresses) to standard output, or to the file given with {@code --haproxyCfgPath}.
 */
public final class ThalassaMain {
    private ThalassaMain() {
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("usage: java -jar thalassa.jar [--haproxyCfgPath <file>]");
                System.out.println("Renders the example haproxy.cfg of the original Thalassa README.");
                return;
            } else if (args[i].equals("--haproxyCfgPath") && i + 1 < args.length) {
                out = Path.of(args[++i]);
            } else {
                System.err.println("unknown option: " + args[i] + " (try --help)");
                System.exit(2);
            }
        }
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("live").member("127.0.0.1", 8081).member("127.0.0.1", 8082).build())
                .withBackend(Backend.staticBackend("staged").member("127.0.0.1", 8083).build())
                .withFrontend(Frontend.builder("myapp").bind("127.0.0.1:8080").defaultBackend("live")
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "myapp-staged.com", "staged")).build());
        String text = HaproxyConfigRenderer.defaultTemplate().render(config, HaproxySettings.defaults()).text();
        if (out == null) {
            System.out.print(text);
        } else {
            Files.writeString(out, text);
            System.out.println("wrote " + out);
        }
    }
}
