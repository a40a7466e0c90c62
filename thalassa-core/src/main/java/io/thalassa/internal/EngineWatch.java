package io.thalassa.internal;

import io.thalassa.Member;
import io.thalassa.spi.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of the membership engine and the member set in use for it; its fields are the engine thread's
 * but for {@link #closed} and {@link #subscription}.
 */
public final class EngineWatch {
    private static final Logger log = LoggerFactory.getLogger("io.thalassa.MembershipEngine");

    /** A watched service: name and version. */
    public record Key(String name, String version) {
    }

    public final Key key;
    /** Until when (nanoTime) the first delivery may hold publication back. */
    public final long deadline;
    public volatile Registry.Subscription subscription;
    public volatile boolean closed;
    /** The members in use, one per address, sorted by address (held removals included). */
    public List<Member> members = List.of();
    /** The removal hold of this service. */
    public final RemovalGuard.State held = new RemovalGuard.State();
    public boolean delivered;
    public boolean timedOut;

    public EngineWatch(Key key, long deadline) {
        this.key = key;
        this.deadline = deadline;
    }

    /** Stops the subscription; what it throws is logged. */
    public void close() {
        closed = true;
        Registry.Subscription s = subscription;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("membership - closing the subscription of {}@{} failed: {}", key.name, key.version,
                        e.toString());
            }
        }
    }

    /** One member per address (a registry may list an address twice), sorted by address. */
    public static List<Member> byAddress(Set<Member> set) {
        TreeMap<String, Member> unique = new TreeMap<>();
        for (Member m : set) {
            unique.putIfAbsent(m.address(), m);
        }
        List<Member> out = new ArrayList<>(unique.values());
        out.sort(Member.BY_ADDRESS);
        return List.copyOf(out);
    }
}
