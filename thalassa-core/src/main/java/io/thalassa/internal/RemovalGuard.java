package io.thalassa.internal;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent.Verb;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether one registry delivery removes so many members that the removals should wait: more than
 * {@code maxRemovalPct} percent of the members in use, and at least two of them. Such removals are held for the
 * removal hold while additions go on; then the registry's newest answer decides: still so, the removals are applied
 * ({@code removalConfirmed}); members back, nothing is removed, or only what is within the limit
 * ({@code removalCancelled}). Every member back before the hold ends cancels it at once. Pure: no clock, no thread;
 * one {@link State} per watched service, used by one thread.
 */
public final class RemovalGuard {
    private final int maxRemovalPct;
    private final Duration hold;

    /**
     * @param maxRemovalPct 0..100; 100 never holds
     * @param hold          how long removals are held; zero never holds
     */
    public RemovalGuard(int maxRemovalPct, Duration hold) {
        this.maxRemovalPct = maxRemovalPct;
        this.hold = hold;
    }

    /** How long removals are held. */
    public Duration hold() {
        return hold;
    }

    /** The hold of one watched service: the members in use when it began and the newest delivery since. */
    public static final class State {
        private List<Member> before; // null: nothing held
        private List<Member> latest;

        public boolean holding() {
            return before != null;
        }
    }

    /**
     * What to do.
     *
     * @param members  the members to use now, sorted by address
     * @param verb     the event to emit, or null
     * @param detail   the event's sentence, or empty
     * @param recheck  whether to call {@link #expire} after the hold
     */
    public record Decision(List<Member> members, Verb verb, String detail, boolean recheck) {
    }

    /**
     * A delivery arrived.
     *
     * @param inUse     the members in use now (held ones included), sorted by address
     * @param delivered the registry's full set, one member per address, sorted by address
     * @param first     whether it is the watch's first delivery (never held: nothing is in use yet)
     */
    public Decision offer(State state, List<Member> inUse, List<Member> delivered, boolean first) {
        if (first || hold.isZero() || maxRemovalPct >= 100) {
            state.before = null;
            return new Decision(delivered, null, "", false);
        }
        if (state.holding()) {
            state.latest = delivered;
            if (removed(state.before, delivered) == 0) { // all back: nothing to wait for
                String detail = cancelled(state.before, delivered);
                state.before = null;
                return new Decision(delivered, Verb.REMOVAL_CANCELLED, detail, false);
            }
            return new Decision(union(state.before, delivered), null, "", false);
        }
        if (massRemoval(inUse, delivered)) {
            state.before = inUse;
            state.latest = delivered;
            int removed = removed(inUse, delivered);
            return new Decision(union(inUse, delivered), Verb.REMOVAL_HELD, "one registry update would remove "
                    + removed + " of " + inUse.size() + " members (more than " + maxRemovalPct + "%): removals held"
                    + " for " + hold.toMillis() + " ms, then the registry decides", true);
        }
        return new Decision(delivered, null, "", false);
    }

    /** The hold is over: the newest delivery decides. Null when nothing is held any more. */
    public Decision expire(State state) {
        if (!state.holding()) {
            return null;
        }
        List<Member> before = state.before;
        List<Member> latest = state.latest;
        state.before = null;
        state.latest = null;
        if (massRemoval(before, latest)) {
            return new Decision(latest, Verb.REMOVAL_CONFIRMED, "the registry still says so after " + hold.toMillis()
                    + " ms: " + removed(before, latest) + " of " + before.size() + " members removed", false);
        }
        return new Decision(latest, Verb.REMOVAL_CANCELLED, cancelled(before, latest), false);
    }

    private String cancelled(List<Member> before, List<Member> latest) {
        int removed = removed(before, latest);
        return "the members came back within the removal hold: " + (removed == 0 ? "nothing removed" : removed
                + " of " + before.size() + " removed, within " + maxRemovalPct + "%") + ", " + latest.size() + " now";
    }

    private boolean massRemoval(List<Member> inUse, List<Member> delivered) {
        int removed = removed(inUse, delivered);
        return removed >= 2 && removed * 100L > (long) maxRemovalPct * inUse.size();
    }

    private static int removed(List<Member> inUse, List<Member> delivered) {
        Set<String> now = new HashSet<>();
        for (Member m : delivered) {
            now.add(m.address());
        }
        int removed = 0;
        for (Member m : inUse) {
            if (!now.contains(m.address())) {
                removed++;
            }
        }
        return removed;
    }

    /** Both sets, one member per address (the delivered one's when both have it), sorted by address. */
    private static List<Member> union(List<Member> held, List<Member> delivered) {
        TreeMap<String, Member> out = new TreeMap<>();
        for (Member m : held) {
            out.put(m.address(), m);
        }
        for (Member m : delivered) {
            out.put(m.address(), m);
        }
        List<Member> list = new ArrayList<>(out.values());
        list.sort(Member.BY_ADDRESS);
        return List.copyOf(list);
    }
}
