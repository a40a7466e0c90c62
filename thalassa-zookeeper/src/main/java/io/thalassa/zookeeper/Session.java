package io.thalassa.zookeeper;

import io.thalassa.ThalassaEvent;
import io.thalassa.spi.RegistryHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the registry's ZooKeeper connection and session, as Curator reports them: what {@code health()} says, the
 * session id, the outage counter (one more per disconnection), and the {@code registryUnavailable} and
 * {@code registryRecovered} events.
 *
 * <p>Curator reports {@code SUSPENDED} when the connection is lost (the session may still live on the server),
 * {@code LOST} when the session expired or stayed unreachable for a whole session timeout, then {@code RECONNECTED}
 * (with the same session, or a new one after {@code LOST}). One {@code registryUnavailable} event is sent per outage,
 * and one {@code registryRecovered} when it ends; a session expiry during an outage changes the health's detail and is
 * named in the recovery event.
 */
final class Session implements ConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /** What the registry does on the session's changes; called on Curator's connection-state thread. */
    interface Handler {
        /** The connection was lost: keep the member sets as they are. */
        void disconnected(long outage);

        /** Connected again after {@code outage}; {@code newSession} when the session is not the one before. */
        void reconnected(long outage, boolean newSession);
    }

    private final String label;
    private final String connect;
    private final Consumer<ThalassaEvent> events;
    private Handler handler;

    private final Object lock = new Object();
    private volatile RegistryHealth health;
    private volatile long sessionId;
    private volatile long outage;
    private boolean everConnected;
    private boolean expired;
    private boolean unavailableSent;

    Session(String label, String connect, Consumer<ThalassaEvent> events) {
        this.label = label;
        this.connect = connect;
        this.events = events;
        this.health = RegistryHealth.unavailable(Instant.now(), "connecting to " + connect);
    }

    void handler(Handler handler) {
        this.handler = handler;
    }

    RegistryHealth health() {
        return health;
    }

    boolean isConnected() {
        return health.isConnected();
    }

    /** Waits until the registry has seen its connection (Curator tells it on its own thread), at most {@code timeout}. */
    boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!health.isConnected()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** The id of the session last connected, 0 before the first connection. */
    long id() {
        return sessionId;
    }

    /** How many times the connection was lost; a reconnect keeps the number. */
    long outage() {
        return outage;
    }

    @Override
    public void stateChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case CONNECTED, RECONNECTED, READ_ONLY -> connected(client);
            case SUSPENDED -> down(client, false);
            case LOST -> down(client, true);
            default -> log.debug("{} - connection state {}", label, state);
        }
    }

    private void connected(CuratorFramework client) {
        long id = currentSessionId(client);
        ThalassaEvent event = null;
        boolean newSession;
        long current;
        synchronized (lock) {
            newSession = everConnected && id != sessionId;
            Instant now = Instant.now();
            if (unavailableSent) {
                String detail = "connected again after " + Duration.between(health.since(), now).toMillis() + " ms, "
                        + (newSession ? "with a new session " + hex(id) + (expired ? " (the old one " + hex(sessionId)
                        + " expired)" : "") : "with the same session " + hex(id));
                event = ThalassaEvent.now(ThalassaEvent.Verb.REGISTRY_RECOVERED, label, detail);
                log.info("{} - {}", label, detail);
            } else if (!everConnected) {
                log.info("{} - connected, session {}", label, hex(id));
            }
            everConnected = true;
            expired = false;
            unavailableSent = false;
            sessionId = id;
            health = RegistryHealth.connected(now);
            current = outage;
            lock.notifyAll();
        }
        if (event != null) {
            events.accept(event);
        }
        handler.reconnected(current, newSession);
    }

    private void down(CuratorFramework client, boolean lost) {
        ThalassaEvent event = null;
        long current;
        synchronized (lock) {
            Instant now = Instant.now();
            String detail;
            if (lost) {
                expired = true;
                detail = "session " + hex(sessionId) + " expired or was lost; connecting to " + connect
                        + " with a new session";
            } else {
                detail = "connection to " + connect + " lost; session " + hex(sessionId)
                        + " lives on the server for up to " + negotiatedTimeout(client).toMillis() + " ms";
            }
            boolean wasConnected = health.isConnected();
            if (wasConnected) {
                outage++;
            }
            health = RegistryHealth.unavailable(wasConnected ? now : health.since(), detail);
            if (everConnected && !unavailableSent) {
                unavailableSent = true;
                event = ThalassaEvent.now(ThalassaEvent.Verb.REGISTRY_UNAVAILABLE, label, detail
                        + "; keeping the last member sets");
                log.warn("{} - unavailable, keeping the last member sets: {}", label, detail);
            } else {
                log.warn("{} - {}", label, detail);
            }
            current = outage;
        }
        if (event != null) {
            events.accept(event);
        }
        handler.disconnected(current);
    }

    private static long currentSessionId(CuratorFramework client) {
        try {
            return client.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    private static Duration negotiatedTimeout(CuratorFramework client) {
        return Duration.ofMillis(client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs());
    }

    static String hex(long sessionId) {
        return "0x" + Long.toHexString(sessionId);
    }
}
