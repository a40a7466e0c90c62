package io.thalassa.zookeeper;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Records member sets and events, and waits (bounded) for one that matches. */
final class Recorder implements Consumer<Set<Member>>, ThalassaEvent.Listener {
    final List<Set<Member>> sets = new CopyOnWriteArrayList<>();
    final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Set<Member> members) {
        sets.add(members);
    }

    @Override
    public void onEvent(ThalassaEvent event) {
        events.add(event);
    }

    Set<Member> last() {
        return sets.isEmpty() ? null : sets.get(sets.size() - 1);
    }

    /** Waits until the newest set matches. */
    Set<Member> awaitSet(Predicate<Set<Member>> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Set<Member> last = last();
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching member set within " + timeout + "; sets: " + sets);
    }

    /** Waits for the first event with this verb. */
    ThalassaEvent awaitEvent(ThalassaEvent.Verb verb, Duration timeout) throws InterruptedException {
        return awaitEvent(e -> e.verb() == verb, verb.wireName(), timeout);
    }

    ThalassaEvent awaitEvent(Predicate<ThalassaEvent> condition, String what, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ThalassaEvent e : events) {
                if (condition.test(e)) {
                    return e;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + what + " event within " + timeout + "; events: " + events);
    }

    long count(ThalassaEvent.Verb verb) {
        return events.stream().filter(e -> e.verb() == verb).count();
    }

    /** Every set delivered from the {@code from}-th on that lacks one of these ports. */
    List<Set<Member>> setsWithout(int from, Integer... ports) {
        return sets.subList(from, sets.size()).stream().filter(s -> !portsOf(s).containsAll(Set.of(ports)))
                .collect(Collectors.toList());
    }

    static Set<Integer> portsOf(Set<Member> set) {
        return set.stream().map(Member::port).collect(Collectors.toSet());
    }

    /** The set's ports are exactly these. */
    static Predicate<Set<Member>> ports(Integer... ports) {
        Set<Integer> want = Set.of(ports);
        return s -> portsOf(s).equals(want);
    }
}
