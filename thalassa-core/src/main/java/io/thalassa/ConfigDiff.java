package io.thalassa;

import io.thalassa.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A description of what changes between two configuration snapshots, in the model's terms: which sections and
 * settings change, and which members join and leave which backend.
 *
 * <ul>
 *   <li><b>Structural</b> changes: frontends, backends added or removed, any setting of a section;
 *       {@link #structuralChanges()} says what they are.</li>
 *   <li><b>Membership</b> changes: members joining or leaving an existing backend, a dynamic backend switching its
 *       service version or its version split; {@link #membershipChanges()} lists them by backend.</li>
 * </ul>
 * Members compare by address ({@code host:port}): a registry refreshing {@code lastKnown} or meta is no change.
 *
 * <p>It describes; it does not decide what HAProxy must do. Whether a change needs a reload is decided by the HAProxy
 * controller alone ({@code HaproxyController.needsReload}), which also knows what the model does not: a backend
 * that outgrows its server slots where the balance algorithm takes no servers at run time needs a reload, though
 * here it is members joining. A structural change here is always one there.
 */
public final class ConfigDiff {
    private final List<String> structuralChanges;
    private final Map<String, MembershipChange> membershipChanges;

    private ConfigDiff(List<String> structuralChanges, Map<String, MembershipChange> membershipChanges) {
        this.structuralChanges = List.copyOf(structuralChanges);
        this.membershipChanges = Collections.unmodifiableMap(membershipChanges);
    }

    /** The changes that lead from {@code from} to {@code to}. */
    public static ConfigDiff between(ThalassaConfig from, ThalassaConfig to) {
        Checks.notNull("from", from);
        Checks.notNull("to", to);
        List<String> structural = new ArrayList<>();
        Map<String, MembershipChange> membership = new LinkedHashMap<>();
        Set<String> frontendKeys = new TreeSet<>(from.frontends().keySet());
        frontendKeys.addAll(to.frontends().keySet());
        for (String key : frontendKeys) {
            Frontend a = from.frontends().get(key);
            Frontend b = to.frontends().get(key);
            if (a == null) {
                structural.add("frontend " + key + " added");
            } else if (b == null) {
                structural.add("frontend " + key + " removed");
            } else if (!a.equals(b)) {
                structural.add("frontend " + key + " changed");
            }
        }
        Set<String> backendKeys = new TreeSet<>(from.backends().keySet());
        backendKeys.addAll(to.backends().keySet());
        for (String key : backendKeys) {
            Backend a = from.backends().get(key);
            Backend b = to.backends().get(key);
            if (a == null) {
                structural.add("backend " + key + " added");
            } else if (b == null) {
                structural.add("backend " + key + " removed");
            } else if (!a.sameStructure(b)) {
                structural.add("backend " + key + " changed");
            } else {
                MembershipChange change = MembershipChange.of(a, b);
                if (!change.isEmpty()) {
                    membership.put(key, change);
                }
            }
        }
        return new ConfigDiff(structural, membership);
    }

    /** Whether nothing HAProxy sees changes. */
    public boolean isEmpty() {
        return structuralChanges.isEmpty() && membershipChanges.isEmpty();
    }

    /** Whether a section or a setting changes (the controller reloads for it; it may also for membership). */
    public boolean isStructural() {
        return !structuralChanges.isEmpty();
    }

    /**
     * Whether only members (and, for dynamic backends, the service version or split) change; the controller applies
     * such a change through the runtime API unless a backend outgrows its slots ({@code HaproxyController.needsReload}).
     */
    public boolean isMembershipOnly() {
        return structuralChanges.isEmpty() && !membershipChanges.isEmpty();
    }

    /** Human-readable structural changes, e.g. {@code backend live changed}; sorted by section. */
    public List<String> structuralChanges() {
        return structuralChanges;
    }

    /** Membership changes of backends that exist before and after with the same structure, by backend key. */
    public Map<String, MembershipChange> membershipChanges() {
        return membershipChanges;
    }

    @Override
    public String toString() {
        return "ConfigDiff{structural=" + structuralChanges + ", membership=" + membershipChanges.values() + "}";
    }

    /**
     * Members that join and leave one backend, and the service switch that caused it, if any.
     *
     * @param backend     the backend key
     * @param fromService {@code name@version} (with a split {@code name@1.0.0:95,2.0.0:5}) before, or null for a
     *                    static backend
     * @param toService   the same after
     * @param added       members whose address is new, sorted by address
     * @param removed     members whose address is gone, sorted by address
     */
    public record MembershipChange(String backend, String fromService, String toService, List<Member> added,
            List<Member> removed) {
        public MembershipChange {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }

        static MembershipChange of(Backend a, Backend b) {
            Map<String, Member> before = byAddress(a.members());
            Map<String, Member> after = byAddress(b.members());
            List<Member> added = new ArrayList<>();
            List<Member> removed = new ArrayList<>();
            after.forEach((address, m) -> {
                if (!before.containsKey(address)) {
                    added.add(m);
                }
            });
            before.forEach((address, m) -> {
                if (!after.containsKey(address)) {
                    removed.add(m);
                }
            });
            return new MembershipChange(a.key(), service(a), service(b), added, removed);
        }

        /** Whether the dynamic backend now subscribes to another service name, version or version split. */
        public boolean isVersionSwitch() {
            return !Objects.equals(fromService, toService);
        }

        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty() && !isVersionSwitch();
        }

        private static String service(Backend b) {
            return b.serviceDescription();
        }

        private static Map<String, Member> byAddress(List<Member> members) {
            Map<String, Member> map = new TreeMap<>();
            for (Member m : members) {
                map.put(m.address(), m);
            }
            return map;
        }
    }
}
