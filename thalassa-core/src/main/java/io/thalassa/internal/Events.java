package io.thalassa.internal;

import io.thalassa.ThalassaEvent;
import org.slf4j.Logger;

/** Delivers events to listeners the same way everywhere: one that throws is logged, the others still get it. */
public final class Events {
    private Events() {
    }

    /** Gives {@code event} to every listener in turn; a failure of one is logged on {@code log} as {@code label}'s. */
    public static void deliver(Iterable<? extends ThalassaEvent.Listener> listeners, ThalassaEvent event, Logger log,
            String label) {
        for (ThalassaEvent.Listener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException ex) {
                log.warn("{} - event listener failed on {}", label, event, ex);
            }
        }
    }
}
