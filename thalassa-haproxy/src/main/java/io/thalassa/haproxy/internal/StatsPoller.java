package io.thalassa.haproxy.internal;

import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
import io.thalassa.haproxy.StatsSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code show stat} every stats interval, keeps the latest snapshot (empty slots left out) and hands it to its
 * listeners; reports once when stats cannot be read and once when they can again.
 */
public final class StatsPoller {
    private static final Logger LOG = LoggerFactory.getLogger(StatsPoller.class);
    private static final String PLACEHOLDER = SlotTable.PLACEHOLDER_IP + ":" + SlotTable.PLACEHOLDER_PORT;

    /** Told when reading stats starts failing ({@code ok == false}) and when it works again. */
    @FunctionalInterface
    public interface HealthListener {
        void changed(boolean ok, String detail);
    }

    private final RuntimeApi api;
    private final HealthListener health;
    private final List<Consumer<StatsSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile StatsSnapshot last;
    private volatile boolean failing;

    public StatsPoller(RuntimeApi api, HealthListener health) {
        this.api = api;
        this.health = health;
    }

    public void addListener(Consumer<StatsSnapshot> listener) {
        listeners.add(listener);
    }

    public Optional<StatsSnapshot> last() {
        return Optional.ofNullable(last);
    }

    /** One poll; never throws. */
    public void poll() {
        try {
            List<StatRow> rows = api.showStat();
            StatsSnapshot snapshot = StatsSnapshot.of(Instant.now(), rows,
                    r -> PLACEHOLDER.equals(r.fields().get("addr")));
            last = snapshot;
            if (failing) {
                failing = false;
                health.changed(true, "stats readable again");
            }
            for (Consumer<StatsSnapshot> l : listeners) {
                try {
                    l.accept(snapshot);
                } catch (RuntimeException e) {
                    LOG.warn("haproxy - stats listener failed", e);
                }
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                health.changed(false, "cannot read stats: " + e.getMessage());
            }
        }
    }
}
