package io.thalassa.consul;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.internal.Checks;
import io.thalassa.internal.Delivery;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.kiwiproject.consul.Consul;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Watches one service name with blocking queries on its own thread; its watchdog restarts it when it goes silent. */
final class ServiceWatcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ConsulRegistry.class);
    private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builderWithJackson2Defaults()
            .build();
    private final ConsulRegistry owner;

    /** A subscription to one version; remembers what it last delivered so it only hears of changes. */
    static final class Sub {
        final String version;
        final Delivery delivery;
        Set<Member> last; // delivery thread only

        Sub(String version, Consumer<Set<Member>> consumer) {
            this.version = version;
            this.delivery = new Delivery(consumer);
        }

        /** Waits for a delivery in progress (unless called from it), so none happens after close returns. */
        void close() {
            delivery.close();
        }
    }

    final String name;
    final List<Sub> subs = new CopyOnWriteArrayList<>();
    final Thread thread;
    volatile boolean stopped;
    volatile Call inFlight;
    volatile Map<String, Set<Member>> byVersion; // null until the first answer
    final Map<String, Instant> firstSeen = new HashMap<>();
    Set<String> lastIds;
    private Set<String> rejectedBefore = Set.of(); // instances refused at the last answer, to tell each once
    io.thalassa.internal.Watchdog.Handle dog;

    ServiceWatcher(ConsulRegistry owner, String name) {
        this.owner = owner;
        this.name = name;
        this.thread = new Thread(this, "thalassa-consul-watch-" + name);
        thread.setDaemon(true);
    }

    void start() {
        dog = owner.watchdog.watch(owner.watchBound, this::restart);
        thread.start();
    }

    /** Silent past its bound: a new watcher takes its subscriptions and last answer, this one is stopped. */
    private void restart() {
        ServiceWatcher fresh = new ServiceWatcher(owner, name);
        synchronized (owner.watchers) {
            if (stopped || owner.watchers.get(name) != this) {
                return;
            }
            fresh.subs.addAll(subs);
            fresh.byVersion = byVersion;
            fresh.lastIds = lastIds;
            fresh.firstSeen.putAll(firstSeen);
            owner.watchers.put(name, fresh);
            fresh.start();
        }
        stop();
        String detail = "the watch of " + name + " neither delivered nor confirmed within "
                + owner.watchBound.toMillis() + " ms: restarted";
        log.warn("{} - {}", owner.label, detail);
        owner.emit(ThalassaEvent.now(ThalassaEvent.Verb.WATCH_RESTARTED, owner.label, detail));
        owner.unreachable(new IOException("no answer within " + owner.watchBound.toMillis() + " ms"));
    }

    void stop() {
        stopped = true;
        if (dog != null) {
            dog.close();
        }
        Call c = inFlight;
        if (c != null) {
            c.cancel();
        }
        thread.interrupt();
    }

    void join() {
        try {
            thread.join(owner.requestTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        long index = 0;
        long backoff = owner.retryMin.toMillis();
        while (!stopped) {
            try {
                long next = query(index);
                index = next < index || next < 0 ? 0 : next; // backwards: Consul's state was reset
                backoff = owner.retryMin.toMillis();
                dog.alive();
                owner.reachable();
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    break;
                }
                index = 0; // after any failure the next query reads the current state at once, never a stale index
                dog.alive();
                owner.unreachable(e);
                // full jitter over the upper half: watches that failed together retry spread out, not as a storm
                long pause = backoff / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
                log.debug("{} - watch of {} failed, retrying in {} ms: {}", owner.label, name, pause, e.toString());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    break;
                }
                backoff = Math.min(backoff * 2, owner.retryMax.toMillis());
            }
        }
    }

    /** One blocking query; returns the new index. */
    private long query(long index) throws IOException {
        HttpUrl.Builder url = new HttpUrl.Builder().scheme("http").host(owner.host).port(owner.port)
                .addPathSegments("v1/health/service").addPathSegment(name).addQueryParameter("passing", null);
        if (index > 0) {
            url.addQueryParameter("index", Long.toString(index))
                    .addQueryParameter("wait", owner.wait.toMillis() + "ms");
        }
        if (owner.datacenter != null) {
            url.addQueryParameter("dc", owner.datacenter);
        }
        Request.Builder req = new Request.Builder().url(url.build()).get();
        if (owner.aclToken != null) {
            req.header("X-Consul-Token", owner.aclToken);
        }
        Call call = owner.http.newCall(req.build());
        inFlight = call;
        if (stopped) {
            call.cancel();
        }
        try (Response response = call.execute()) {
            ResponseBody body = response.body();
            String text = body == null ? "" : body.string();
            if (!response.isSuccessful()) {
                throw new IOException("HTTP " + response.code() + " for /v1/health/service/" + name + ": "
                        + text.strip());
            }
            String header = response.header("X-Consul-Index");
            long next = header == null ? 0 : Long.parseLong(header.trim());
            if (!stopped) {
                apply(JSON.readTree(text));
            }
            return next;
        } finally {
            inFlight = null;
        }
    }

    private void apply(JsonNode entries) {
        Map<String, Set<Member>> sets = new HashMap<>();
        Set<String> ids = new TreeSet<>();
        Instant now = Instant.now();
        Set<String> rejected = new TreeSet<>();
        for (JsonNode entry : entries) {
            JsonNode service = entry.path("Service");
            if (!allPassing(entry.path("Checks"))) {
                continue;
            }
            Map<String, Object> meta = new TreeMap<>();
            service.path("Meta").properties().forEach(f -> meta.put(f.getKey(), f.getValue().asText()));
            Object version = meta.get(owner.versionKey);
            String address = service.path("Address").asText("");
            if (address.isEmpty()) {
                address = entry.path("Node").path("Address").asText("");
            }
            try {
                Member m = Member.registered(name, String.valueOf(version), address,
                        service.path("Port").asInt(), null, meta);
                String id = m.id() + "@" + service.path("ID").asText("") + "@" + entry.path("Node")
                        .path("Node").asText("");
                Instant seen = firstSeen.computeIfAbsent(id, k -> now);
                m = Member.registered(name, m.version(), m.host(), m.port(), seen, meta);
                ids.add(id);
                sets.computeIfAbsent(m.version(), v -> new java.util.HashSet<>()).add(m);
            } catch (IllegalArgumentException e) {
                log.debug("{} - ignoring an instance of {} without a usable {} / address / port: {}", owner.label, name,
                        owner.versionKey, e.getMessage());
                String id = "/" + name + "/" + version + "/" + address + "/" + service.path("Port").asText("");
                if (version != null && e instanceof io.thalassa.InvalidValueException iv
                        && (iv.field().equals("host") || iv.field().equals("port"))) {
                    rejected.add(id);
                    if (!rejectedBefore.contains(id)) {
                        owner.emit(ThalassaEvent.now(ThalassaEvent.Verb.MEMBER_REJECTED, id, "left out of "
                                + name + ", every other instance goes on: " + e.getMessage()));
                    }
                }
            }
        }
        rejectedBefore = rejected;
        firstSeen.keySet().retainAll(ids);
        Map<String, Set<Member>> frozen = new HashMap<>();
        sets.forEach((v, s) -> frozen.put(v, Set.copyOf(s)));
        if (lastIds != null) {
            for (String id : ids) {
                if (!lastIds.contains(id)) {
                    owner.emit(ThalassaEvent.now(ThalassaEvent.Verb.ONLINE, id.substring(0, id.indexOf('@')),
                            "passing in " + owner.label));
                }
            }
            for (String id : lastIds) {
                if (!ids.contains(id)) {
                    owner.emit(ThalassaEvent.now(ThalassaEvent.Verb.OFFLINE, id.substring(0, id.indexOf('@')),
                            "no longer passing in " + owner.label));
                }
            }
        }
        lastIds = ids;
        byVersion = frozen;
        for (Sub s : subs) {
            owner.execute(() -> deliver(s));
        }
    }

    private boolean allPassing(JsonNode checks) {
        for (JsonNode c : checks) {
            if (!"passing".equals(c.path("Status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** On the delivery thread: hands the newest set of the sub's version over, if it changed. */
    void deliver(Sub s) {
        Map<String, Set<Member>> current = byVersion;
        if (current == null || s.delivery.isClosed()) {
            return;
        }
        Set<Member> set = current.getOrDefault(s.version, Set.of());
        if (!set.equals(s.last)) {
            s.last = set;
            s.delivery.deliver(set, log, owner.label + " - subscriber of " + name + "@" + s.version);
        }
    }
}
