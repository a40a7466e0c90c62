package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent.Verb;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registered members the controller left out of their backends because they cannot be planned (a host that
 * does not resolve): a {@code memberRejected} event when one is first left out, none again while it stays out, and
 * a count. Used under the controller's lock.
 */
public final class MemberRejections {
    private final EventSink events;
    private final Map<String, Map<String, String>> byBackend = new HashMap<>(); // backend -> member id -> reason
    private final AtomicLong total = new AtomicLong();

    public MemberRejections(EventSink events) {
        this.events = events;
    }

    /** Takes what an accepted change resolved: new rejections become events; backends gone are forgotten. */
    public void accepted(ThalassaConfig next, Endpoints endpoints) {
        for (Map.Entry<String, List<SlotPlanner.Rejected>> e : endpoints.rejected().entrySet()) {
            Map<String, String> before = byBackend.getOrDefault(e.getKey(), Map.of());
            Map<String, String> now = new TreeMap<>();
            for (SlotPlanner.Rejected r : e.getValue()) {
                now.put(r.member(), r.reason());
                if (!r.reason().equals(before.get(r.member()))) {
                    total.incrementAndGet();
                    events.emit(Verb.MEMBER_REJECTED, r.member(), "left out of backend " + r.backend()
                            + ", every other member goes on: " + r.reason());
                }
            }
            if (now.isEmpty()) {
                byBackend.remove(e.getKey());
            } else {
                byBackend.put(e.getKey(), now);
            }
        }
        byBackend.keySet().retainAll(next.backends().keySet());
    }

    /** The members left out now: backend -> member id -> reason, sorted. */
    public Map<String, Map<String, String>> current() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        byBackend.forEach((k, v) -> out.put(k, Map.copyOf(v)));
        return out;
    }

    /** How many times a member was left out since the controller started. */
    public long total() {
        return total.get();
    }
}
