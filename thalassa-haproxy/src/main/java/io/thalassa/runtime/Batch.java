package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaConfig;
import io.thalassa.VersionSplit;
import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Writes to frontends and backends applied together or not at all ({@link Thalassa#apply(Batch)}): one change, one
 * validation, at most one reload. Each operation may expect its item at a version ({@link #ifMatch}), as read before
 * the batch. Immutable: every method answers a new batch.
 *
 * <pre>{@code
 * thalassa.apply(Batch.of()
 *         .put(Backend.dynamic("web").service("myapp", "2.0.0").build()).ifMatch(thalassa.version("backend/web"))
 *         .deleteFrontend("old")
 *         .split("live", Map.of("1.0.0", 90, "2.0.0", 10)))
 *     .await(Duration.ofSeconds(10));
 * }</pre>
 *
 * A refusal is a {@link BatchException} naming the operation (its index from 0) with the reason as its cause:
 * {@link InvalidValueException} for an invalid value, {@link VersionMismatchException} for a version that does not
 * hold, {@link NoSuchElementException} for an item that does not exist, {@link io.thalassa.ConfigRejectedException}
 * when HAProxy refuses the batch up to that operation.
 */
public final class Batch {
    /** The most operations a batch may hold. */
    public static final int MAX_OPERATIONS = 100;
    /** {@link Operation#ifMatch()} of an operation without a precondition. */
    public static final long ANY = -1;
    /** {@link Operation#ifMatch()} of an operation whose item must exist, at any version. */
    public static final long EXISTS = -3;

    /** What an operation does. */
    public enum Kind {
        /** Puts a frontend or backend (creates or replaces it). */
        PUT,
        /** Deletes a frontend or backend. */
        DELETE,
        /** Switches a dynamic backend to one version (ends a split). */
        SWITCH,
        /** Splits a dynamic backend's traffic between versions by weight. */
        SPLIT
    }

    /**
     * One operation.
     *
     * @param kind    what it does
     * @param id      the item, {@code frontend/<key>} or {@code backend/<key>}
     * @param item    the {@link Frontend} or {@link Backend} of a put, else null
     * @param name    the service name of a switch or split (null: the backend's own), else null
     * @param version the version of a switch, else null
     * @param split   the weights of a split, else null
     * @param ifMatch the version the item must have before the batch: a version, {@link ItemVersions#ABSENT} (it must
     *                not exist), {@link #EXISTS} or {@link #ANY}
     */
    public record Operation(Kind kind, String id, Object item, String name, String version, VersionSplit split,
            long ifMatch) {
        /** {@code put backend/web}, {@code split backend/live 1.0.0:90,2.0.0:10}. */
        public String describe() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + id + (version != null ? " " + version
                    : split != null ? " " + split : "");
        }

        Operation ifMatch(long expected) {
            return new Operation(kind, id, item, name, version, split, expected);
        }
    }

    private final List<Operation> operations;

    private Batch(List<Operation> operations) {
        this.operations = List.copyOf(operations);
    }

    /** An empty batch, to add operations to. */
    public static Batch of() {
        return new Batch(List.of());
    }

    /** The operations, in order. */
    public List<Operation> operations() {
        return operations;
    }

    private Batch with(Operation op) {
        if (operations.size() >= MAX_OPERATIONS) {
            throw new InvalidValueException("operations", operations.size() + 1, "a batch holds at most "
                    + MAX_OPERATIONS + " operations");
        }
        List<Operation> next = new ArrayList<>(operations);
        next.add(op);
        return new Batch(next);
    }

    /** Puts (creates or replaces) a frontend. */
    public Batch put(Frontend frontend) {
        Checks.notNull("frontend", frontend);
        return with(new Operation(Kind.PUT, frontend.id(), frontend, null, null, null, ANY));
    }

    /** Puts (creates or replaces) a backend; a dynamic one gets its members from the registry. */
    public Batch put(Backend backend) {
        Checks.notNull("backend", backend);
        return with(new Operation(Kind.PUT, backend.id(), backend, null, null, null, ANY));
    }

    /** Deletes frontend {@code key}, which must exist. */
    public Batch deleteFrontend(String key) {
        return with(new Operation(Kind.DELETE, Frontend.idOf(key), null, null, null, null, ANY));
    }

    /** Deletes backend {@code key}, which must exist. */
    public Batch deleteBackend(String key) {
        return with(new Operation(Kind.DELETE, Backend.idOf(key), null, null, null, null, ANY));
    }

    /** Switches dynamic backend {@code key} to {@code version} of its service (ends a split). */
    public Batch switchVersion(String key, String version) {
        return switchVersion(key, null, version);
    }

    /** Switches dynamic backend {@code key} to {@code version} of service {@code name} (null: its own). */
    public Batch switchVersion(String key, String name, String version) {
        Checks.notNull("version", version);
        return with(new Operation(Kind.SWITCH, Backend.idOf(key), null, name, version, null, ANY));
    }

    /**
     * Splits dynamic backend {@code key}'s traffic between versions by weight.
     *
     * @throws InvalidValueException naming {@code versions} when the weights are invalid
     */
    public Batch split(String key, Map<String, Integer> weights) {
        return split(key, null, VersionSplit.of(weights));
    }

    /** {@link #split(String, Map)} with the split given, of service {@code name} (null: the backend's own). */
    public Batch split(String key, String name, VersionSplit split) {
        Checks.notNull("versions", split);
        return with(new Operation(Kind.SPLIT, Backend.idOf(key), null, name, null, split, ANY));
    }

    /**
     * The last operation applies only when its item has {@code version} before the batch: a version as
     * {@link Thalassa#version} gives it, {@link ItemVersions#ABSENT} for an item that must not exist, or
     * {@link #EXISTS}.
     *
     * @throws IllegalStateException when the batch has no operation yet
     */
    public Batch ifMatch(long version) {
        if (operations.isEmpty()) {
            throw new IllegalStateException("ifMatch follows the operation it is for");
        }
        if (version < 0 && version != EXISTS && version != ANY) {
            throw new InvalidValueException("ifMatch", version, "ifMatch must be a version, 0 (absent), EXISTS or"
                    + " ANY: " + version);
        }
        List<Operation> next = new ArrayList<>(operations);
        next.set(next.size() - 1, next.get(next.size() - 1).ifMatch(version));
        return new Batch(next);
    }

    /**
     * Every operation applied to {@code config} in order, each precondition checked against {@code versions} (the
     * state before the batch).
     *
     * @throws BatchException naming the first operation refused
     */
    ThalassaConfig applyTo(ThalassaConfig config, ItemVersions versions) {
        return applyTo(config, versions, operations.size());
    }

    /**
     * The first {@code count} operations applied, as {@link #applyTo(ThalassaConfig, ItemVersions)}; with
     * {@code versions} null, no precondition is checked.
     */
    ThalassaConfig applyTo(ThalassaConfig config, ItemVersions versions, int count) {
        if (operations.isEmpty()) {
            throw new InvalidValueException("operations", 0, "a batch needs 1 to " + MAX_OPERATIONS
                    + " operations");
        }
        ThalassaConfig c = config;
        for (int i = 0; i < count; i++) {
            Operation op = operations.get(i);
            try {
                if (versions != null) {
                    check(op, versions.of(op.id()));
                }
                c = apply(c, op);
            } catch (VersionMismatchException | IllegalArgumentException | IllegalStateException
                    | NoSuchElementException e) {
                throw new BatchException(i, op.describe(), e);
            }
        }
        return c;
    }

    /**
     * Checks that the batch writes at most {@code max} items, what a fleet's store commits in one transaction.
     *
     * @throws BatchException naming the operation of the first item over it, with {@code operations} as the field
     */
    void fitsOneCommit(int max) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (int i = 0; i < operations.size(); i++) {
            if (ids.add(operations.get(i).id()) && ids.size() > max) {
                throw new BatchException(i, operations.get(i).describe(), new InvalidValueException("operations",
                        operations.size(), "a batch in a fleet is one transaction of the store: at most " + max
                        + " items (Consul's limit)"));
            }
        }
    }

    /**
     * The first operation whose prefix of the batch {@code validate} refuses on {@code config} (the last when none is
     * refused now): a binary search, for the answer to a batch HAProxy refused as a whole.
     */
    int rejectedAt(ThalassaConfig config, java.util.function.Consumer<ThalassaConfig> validate) {
        int lo = 1;
        int hi = operations.size();
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            try {
                validate.accept(applyTo(config, null, mid));
                lo = mid + 1;
            } catch (io.thalassa.ConfigRejectedException e) {
                hi = mid;
            } catch (RuntimeException e) {
                lo = mid + 1;
            }
        }
        return lo - 1;
    }

    private static void check(Operation op, long actual) {
        long expected = op.ifMatch();
        boolean ok = expected == ANY || (expected == EXISTS ? actual != ItemVersions.ABSENT : actual == expected);
        if (!ok) {
            throw new VersionMismatchException(op.id(), expected, actual);
        }
    }

    private static ThalassaConfig apply(ThalassaConfig c, Operation op) {
        String key = op.id().substring(op.id().indexOf('/') + 1);
        boolean frontend = op.id().startsWith("frontend/");
        return switch (op.kind()) {
            case PUT -> op.item() instanceof Frontend f ? c.withFrontend(f) : c.withBackend((Backend) op.item());
            case DELETE -> {
                if (frontend ? c.frontend(key).isEmpty() : c.backend(key).isEmpty()) {
                    throw new NoSuchElementException((frontend ? "frontend " : "backend ") + key
                            + " does not exist");
                }
                yield frontend ? c.withoutFrontend(key) : c.withoutBackend(key);
            }
            case SWITCH, SPLIT -> {
                if (c.backend(key).isEmpty()) {
                    throw new NoSuchElementException("backend " + key + " does not exist");
                }
                Backend b = dynamic(c, key);
                String service = op.name() == null ? b.serviceName() : op.name();
                yield c.withBackend(op.kind() == Kind.SWITCH ? b.withService(service, op.version())
                        : b.toBuilder().service(service, op.split().primaryVersion()).split(op.split()).build());
            }
        };
    }

    /** Dynamic backend {@code key} of {@code c}, refused naming the field when it is missing or static. */
    static Backend dynamic(ThalassaConfig c, String key) {
        Backend b = c.backend(key).orElseThrow(() -> new InvalidValueException("backend", key, "backend " + key
                + " does not exist"));
        if (!b.isDynamic()) {
            throw new InvalidValueException("type", "static", "backend " + key
                    + " is static; only dynamic backends switch versions");
        }
        return b;
    }
}
