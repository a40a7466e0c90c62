package io.thalassa.runtime.internal;

import io.thalassa.runtime.RolloutStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Where rollouts are kept between restarts, and who drives them: on one node a file ({@link #file}); in a fleet the
 * shared store, with one driver per rollout holding a lock ({@link FleetRolloutBook}).
 */
public interface RolloutBook {
    /** Every rollout kept: the active ones and the last that ended per backend. */
    List<RolloutStatus> load();

    /** Keeps {@code s}, replacing the backend's previous rollout. */
    void save(RolloutStatus s);

    /** Whether another node changed the backend's rollout since this node wrote or took it in last. */
    default boolean changedElsewhere(String backend) {
        return false;
    }

    /** Marks the backend's rollout as last read as taken in by this node. */
    default void accept(String backend) {
    }

    /** Whether this node drives the rollout of {@code backend} now (in a fleet: it holds or took its lock). */
    default boolean drives(String backend) {
        return true;
    }

    /** Lets another node drive the rollout of {@code backend} (it ended, or this node stops). */
    default void release(String backend) {
    }

    /**
     * The numbers other nodes published for step {@code step} of rollout {@code id}, by node, then by version; empty
     * on one node.
     */
    default Map<String, Map<String, RolloutCounters.Totals>> peers(String id, int step) {
        return Map.of();
    }

    /** Publishes this node's numbers of step {@code step} of rollout {@code id} for its driver; one node: nothing. */
    default void publish(String id, int step, Map<String, RolloutCounters.Totals> numbers) {
    }

    /** This node's name in a fleet, or null on one node. */
    default String node() {
        return null;
    }

    /** How the numbers are counted, for the status. */
    default String counting() {
        return "this node's HAProxy: the counters of every member since the step began";
    }

    /** Whether rollouts are shared with other nodes, which may change them between two looks. */
    default boolean shared() {
        return false;
    }

    /** The book of one node: {@code rollouts.json} in its state directory, rewritten atomically at every change. */
    static RolloutBook file(Path file) {
        return new FileBook(file);
    }

    /** {@link RolloutBook#file}. */
    final class FileBook implements RolloutBook {
        private static final Logger LOG = LoggerFactory.getLogger(FileBook.class);
        private final Path file; // null: memory
        private final Map<String, RolloutStatus> kept = new TreeMap<>();

        FileBook(Path file) {
            this.file = file;
        }

        @Override
        public synchronized List<RolloutStatus> load() {
            if (file != null && Files.exists(file) && kept.isEmpty()) {
                try {
                    JsonNode doc = Documents.mapper().readTree(Files.readAllBytes(file));
                    for (JsonNode n : doc.path("rollouts")) {
                        try {
                            RolloutStatus s = RolloutCodec.read(n);
                            kept.put(s.backend(), s);
                        } catch (RuntimeException e) {
                            LOG.warn("{} - skipped a rollout that cannot be read: {}", file, e.toString());
                        }
                    }
                } catch (IOException | tools.jackson.core.JacksonException e) {
                    LOG.warn("{} - cannot be read, rollouts start empty: {}", file, e.toString());
                }
            }
            return new ArrayList<>(kept.values());
        }

        @Override
        public synchronized void save(RolloutStatus s) {
            kept.put(s.backend(), s);
            if (file == null) {
                return;
            }
            List<Object> all = new ArrayList<>();
            kept.values().forEach(r -> all.add(RolloutCodec.toJson(r)));
            try {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
                try {
                    Files.write(tmp, Documents.write(Map.of("rollouts", all)));
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("{} - cannot write rollout {} ({}): a restart would not find it", file, s.id(), e.toString());
            }
        }
    }
}
