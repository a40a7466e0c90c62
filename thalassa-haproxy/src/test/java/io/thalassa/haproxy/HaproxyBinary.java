package io.thalassa.haproxy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the real HAProxy for integration tests, or fails saying how to install it. */
final class HaproxyBinary {
    private HaproxyBinary() {
    }

    static Path find() {
        String env = System.getenv("THALASSA_HAPROXY_BINARY");
        if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "haproxy");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (String p : new String[] {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw new AssertionError("HAProxy 2.6 is not installed: run scripts/install-tools.sh (it runs"
                + " 'apt-get install -y haproxy'), or set THALASSA_HAPROXY_BINARY to the haproxy binary");
    }
}
