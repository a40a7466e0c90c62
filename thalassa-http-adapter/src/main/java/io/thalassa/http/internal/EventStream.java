package io.thalassa.http.internal;

import io.thalassa.runtime.ActivityLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream of {@code /ws}: every activity entry as {@code {"type":"activity","event":{...}}} and every new
 * stats snapshot as {@code {"type":"stats","stats":{...}}}, to every connected client. A new client gets the latest
 * stats snapshot at once. For the web UI also: the {@linkplain #greeting greeting} (the whole configuration, the
 * stats history and the live view) first, then {@code config} and {@code live} messages with what changed
 * ({@link #message}). A client connecting with {@code ?stats=false} gets no {@code stats} snapshots. Messages are sent from one thread, in order; a client that cannot keep up (more than
 * {@link #MAX_QUEUED} frames queued) or whose send fails is disconnected.
 */
public final class EventStream implements AutoCloseable {
    static final int MAX_QUEUED = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "thalassa-ws-sender");
        t.setDaemon(true);
        return t;
    });
    private volatile Object lastStats;
    private volatile String lastStatsMessage;
    private final Set<Session> withoutStats = ConcurrentHashMap.newKeySet();
    private volatile java.util.function.Supplier<java.util.List<String>> greeting = java.util.List::of;

    /** What every new client gets first, before any other message; made on the sending thread. */
    public void greeting(java.util.function.Supplier<java.util.List<String>> messages) {
        this.greeting = messages;
    }

    /** A new endpoint for one client connection. */
    public Session.Listener.AutoDemanding endpoint() {
        return new Endpoint();
    }

    /** One client connection; public because Jetty calls its methods through method handles. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            s.setMaxOutgoingFrames(MAX_QUEUED);
            String query = s.getUpgradeRequest().getRequestURI().getRawQuery();
            boolean stats = query == null || !java.util.Arrays.asList(query.split("&")).contains("stats=false");
            if (!stats) {
                withoutStats.add(s);
            }
            try {
                sender.execute(() -> { // on the sender: the greeting comes before anything broadcast after it
                    for (String m : greeting.get()) {
                        send(s, m);
                    }
                    String last = lastStatsMessage;
                    if (stats && last != null) {
                        send(s, last);
                    }
                    if (s.isOpen()) {
                        sessions.add(s);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                s.close();
            }
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            sessions.remove(session);
            withoutStats.remove(session);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (session != null) {
                sessions.remove(session);
                withoutStats.remove(session);
            }
        }
    }

    /** Sends an activity entry to every client. */
    public void activity(ActivityLog.Entry entry) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "activity");
        message.put("event", entry.toJson());
        broadcast(new String(Json.write(message), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Sends a stats snapshot to every client, unless it equals the last one sent. */
    public void stats(Object snapshot) {
        if (snapshot == null || Objects.equals(snapshot, lastStats)) {
            return;
        }
        lastStats = snapshot;
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "stats");
        message.put("stats", snapshot);
        String text = new String(Json.write(message), java.nio.charset.StandardCharsets.UTF_8);
        lastStatsMessage = text;
        broadcast(text, true);
    }

    /** Sends {@code {"type":<type>, ...body}} to every client (the UI's {@code config} and {@code live} messages). */
    public void message(String type, Map<String, Object> body) {
        broadcast(text(type, body), false);
    }

    /** The text of a message {@code {"type":<type>, ...body}}. */
    public static String text(String type, Map<String, Object> body) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", type);
        message.putAll(body);
        return new String(Json.write(message), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** How many clients are connected. */
    public int clients() {
        return sessions.size();
    }

    private void broadcast(String text) {
        broadcast(text, false);
    }

    private void broadcast(String text, boolean stats) {
        if (sessions.isEmpty()) {
            return;
        }
        try {
            sender.execute(() -> {
                for (Session s : sessions) {
                    if (!stats || !withoutStats.contains(s)) {
                        send(s, text);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void send(Session s, String text) {
        if (!s.isOpen()) {
            sessions.remove(s);
            return;
        }
        s.sendText(text, Callback.from(() -> { }, failure -> {
            LOG.warn("ws {} - send failed, disconnecting: {}", s.getRemoteSocketAddress(), failure.toString());
            sessions.remove(s);
            s.disconnect();
        }));
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Session s : sessions) {
            s.close();
        }
        sessions.clear();
    }
}
