package io.thalassa.zookeeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the member sets through an outage: when the connection is lost every watch holds its sets; after the
 * reconnect the registrations are written again (under a new session), then each watch is given a reference read of
 * its service znode and releases its hold once its cache caught up with it.
 *
 * <p>A watch still holding is given a new reference every {@link #RECHECK} (a change after the first read can make the
 * first one unreachable), and released whatever it holds at {@link #LIMIT} after the reconnect. A newer outage makes
 * the work of the older one stop.
 */
final class Resync implements Session.Handler {
    private static final Logger log = LoggerFactory.getLogger(Resync.class);

    /** How long member sets may stay held after a reconnect while a cache has not caught up. */
    static final Duration LIMIT = Duration.ofSeconds(10);
    /** How often a cache that has not caught up after a reconnect is compared with a new read. */
    static final Duration RECHECK = Duration.ofMillis(250);

    private final CuratorFramework curator;
    private final Session session;
    private final Registrar registrar;
    private final Supplier<List<ServiceWatch>> watches;
    private final BiConsumer<Runnable, Duration> later;
    private final String label;

    /**
     * @param watches the watches now
     * @param later   runs a task after a delay on the registry's background thread
     */
    Resync(CuratorFramework curator, Session session, Registrar registrar, Supplier<List<ServiceWatch>> watches,
            BiConsumer<Runnable, Duration> later, String label) {
        this.curator = curator;
        this.session = session;
        this.registrar = registrar;
        this.watches = watches;
        this.later = later;
        this.label = label;
    }

    @Override
    public void disconnected(long outage) {
        for (ServiceWatch w : watches.get()) {
            w.hold(outage);
        }
    }

    @Override
    public void reconnected(long outage, boolean newSession) {
        if (outage != 0) {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            later.accept(() -> run(outage, newSession, deadline), Duration.ZERO);
        }
    }

    /** On the background thread. */
    private void run(long outage, boolean newSession, long deadline) {
        if (session.outage() != outage || !session.isConnected()) {
            return; // a newer outage began: its own reconnect re-syncs
        }
        if (newSession) {
            registrar.rewriteNow();
        }
        List<ServiceWatch> holding = new ArrayList<>();
        for (ServiceWatch w : watches.get()) {
            if (w.isHolding(outage)) {
                holding.add(w);
            }
        }
        boolean waiting = false;
        for (ServiceWatch w : holding) {
            try {
                w.reference(outage, reference(w.path));
            } catch (Exception e) {
                log.debug("{} - could not read {} after the reconnect: {}", label, w.path, e.toString());
            }
            waiting |= w.isHolding(outage);
        }
        if (!waiting) {
            return;
        }
        if (System.nanoTime() - deadline >= 0) {
            for (ServiceWatch w : holding) {
                if (w.isHolding(outage)) {
                    log.warn("{} - the cache of {} has not caught up {} s after the reconnect; delivering what it"
                            + " holds", label, w.path, LIMIT.toSeconds());
                    w.release(outage);
                }
            }
            return;
        }
        later.accept(() -> run(outage, false, deadline), RECHECK);
    }

    private ServiceWatch.Reference reference(String path) throws Exception {
        Stat stat = new Stat();
        try {
            List<String> children = curator.getChildren().storingStatIn(stat).forPath(path);
            return new ServiceWatch.Reference(Set.copyOf(children), stat.getPzxid());
        } catch (KeeperException.NoNodeException e) {
            return ServiceWatch.Reference.absent();
        }
    }
}
