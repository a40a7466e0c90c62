package io.thalassa.haproxy.internal;

import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaEvent.Verb;
import io.thalassa.internal.Events;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the controller's parts report what happened: the log (refusals and failed reloads at WARN) and every
 * listener of the controller's events. Thread-safe.
 */
public final class EventSink {
    private static final Logger LOG = LoggerFactory.getLogger("io.thalassa.haproxy.HaproxyController");
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();

    public EventSink(List<ThalassaEvent.Listener> listeners) {
        this.listeners.addAll(listeners);
    }

    public void add(ThalassaEvent.Listener listener) {
        listeners.add(listener);
    }

    public void emit(Verb verb, String object, String detail) {
        ThalassaEvent event = ThalassaEvent.now(verb, object, detail);
        if (verb == Verb.RELOAD_FAILED || verb == Verb.CONFIG_REJECTED) {
            LOG.warn("{} {} {}", verb.wireName(), object, detail);
        } else {
            LOG.info("{} {} {}", verb.wireName(), object, detail);
        }
        Events.deliver(listeners, event, LOG, "haproxy");
    }
}
