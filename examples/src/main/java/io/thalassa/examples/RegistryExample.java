package io.thalassa.examples;

import io.thalassa.EmbeddedRegistry;
import java.nio.file.Path;

/**
 * A dynamic backend fed by the embedded registry, in front of a real HAProxy: an instance registers, HAProxy routes
 * to it without a reload, a blue/green version switch moves the traffic. Everything on 127.0.0.1.
 *
 * <p>Usage: {@code RegistryExample <work dir> <frontend port> [haproxy binary]}; prints what HAProxy answered.
 */
public final class RegistryExample {
    private RegistryExample() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String haproxy = args.length > 2 ? args[2] : "haproxy";
        // The embedded registry: TTL registrations in this process, no other process needed.
        BlueGreen.run(EmbeddedRegistry.create(), dir, port, haproxy); // Thalassa closes the registry it is given
    }
}
