package io.thalassa.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.ThalassaEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Events published in order, kept until the start, never holding the Thalassa up, drained at close. */
class ThalassaEventRelayTest {
    private static ThalassaEvent event(String object) {
        return ThalassaEvent.now(ThalassaEvent.Verb.ONLINE, object, "");
    }

    @Test
    void eventsBeforeTheStartAreKeptAndAllArePublishedInOrderOnTheRelaysThread() {
        List<Object> published = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        ThalassaEventRelay relay = new ThalassaEventRelay(e -> {
            published.add(e);
            threads.add(Thread.currentThread().getName());
        });
        relay.onEvent(event("a"));
        relay.onEvent(event("b"));
        assertThat(published).isEmpty();
        relay.start();
        relay.onEvent(event("c"));
        relay.close(); // publishes what waits first
        assertThat(published).extracting(e -> ((ThalassaEvent) e).object()).containsExactly("a", "b", "c");
        assertThat(threads).containsOnly("thalassa-events");
        relay.close();
    }

    @Test
    void aFailingListenerDoesNotStopTheEventsAfterIt() {
        List<Object> published = new CopyOnWriteArrayList<>();
        ThalassaEventRelay relay = new ThalassaEventRelay(e -> {
            if (((ThalassaEvent) e).object().equals("bad")) {
                throw new IllegalStateException("listener bug");
            }
            published.add(e);
        });
        relay.start();
        relay.onEvent(event("bad"));
        relay.onEvent(event("good"));
        relay.close();
        assertThat(published).extracting(e -> ((ThalassaEvent) e).object()).containsExactly("good");
    }

    @Test
    void aSlowListenerNeverHoldsTheThalassaUpEventsBeyondTheCapacityAreCounted() {
        ThalassaEventRelay relay = new ThalassaEventRelay(e -> { }); // not started: nothing is taken
        long t0 = System.nanoTime();
        for (int i = 0; i < ThalassaEventRelay.CAPACITY + 5; i++) {
            relay.onEvent(event("e" + i));
        }
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(relay.dropped()).isEqualTo(5);
        relay.close();
    }
}
