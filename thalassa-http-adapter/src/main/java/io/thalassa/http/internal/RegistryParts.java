package io.thalassa.http.internal;

import io.thalassa.InvalidValueException;
import io.thalassa.http.DaemonOptions;
import io.thalassa.http.RegistryOptions;
import io.thalassa.spi.Registry;

/** The daemon's registry, made from its options by the one class of the adapter that names each registry module. */
final class RegistryParts {
    private RegistryParts() {
    }

    /** The registry {@code --registry} names, or null for the embedded one (the Thalassa's default). */
    static Registry registry(DaemonOptions o) {
        return switch (o.registries().kind()) {
            case "consul" -> ConsulParts.registry(o);
            case "zookeeper" -> ZookeeperParts.registry(o.registries());
            case "dns" -> DnsParts.registry(o.registries());
            default -> null;
        };
    }

    /**
     * Checks the chosen registry's options as its builder does, connecting to nothing.
     *
     * @throws IllegalArgumentException naming the option
     */
    static void check(RegistryOptions r) {
        try {
            if (r.kind().equals("zookeeper")) {
                ZookeeperParts.check(r);
            } else if (r.kind().equals("dns")) {
                DnsParts.check(r);
            }
        } catch (InvalidValueException e) {
            throw new IllegalArgumentException("--" + option(e.field()) + ": " + e.getMessage(), e);
        }
    }

    private static String option(String field) {
        return switch (field) {
            case "connect" -> "zkConnect";
            case "basePath" -> "zkBasePath";
            case "versionKey" -> "zkVersionKey";
            default -> field;
        };
    }
}
