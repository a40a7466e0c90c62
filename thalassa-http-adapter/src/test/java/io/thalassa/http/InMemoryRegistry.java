package io.thalassa.http;

import io.thalassa.Member;
import io.thalassa.ThalassaEvent;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Stands in for the embedded registry until it lands: registrations in a map, expiry checked when read (no reaper),
 * subscribers told on every register and deregister. Deliberately tiny.
 */
final class InMemoryRegistry implements Registry {
    private final TreeMap<String, Registration> byId = new TreeMap<>();
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> subscribers = new CopyOnWriteArrayList<>();
    private final Instant since = Instant.now();

    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        Runnable deliver = () -> members.accept(registrations(name, version).stream().map(Registration::toMember)
                .collect(Collectors.toSet()));
        subscribers.add(deliver);
        deliver.run();
        return () -> subscribers.remove(deliver);
    }

    @Override
    public void register(Registration registration) {
        boolean added;
        synchronized (this) {
            added = byId.put(registration.id(), registration) == null;
        }
        changed(added ? ThalassaEvent.now(ThalassaEvent.Verb.ONLINE, registration.id(), "registered") : null);
    }

    @Override
    public boolean deregister(String name, String version, String host, int port) {
        String id = "/" + name + "/" + version + "/" + host + "/" + port;
        boolean removed;
        synchronized (this) {
            removed = byId.remove(id) != null;
        }
        changed(removed ? ThalassaEvent.now(ThalassaEvent.Verb.OFFLINE, id, "deregistered") : null);
        return removed;
    }

    private void changed(ThalassaEvent event) {
        subscribers.forEach(Runnable::run);
        if (event != null) {
            listeners.forEach(l -> l.onEvent(event));
        }
    }

    @Override
    public synchronized List<Registration> registrations(String name, String version) {
        Instant now = Instant.now();
        List<Registration> out = new ArrayList<>();
        for (Registration r : byId.values()) {
            if ((name == null || r.name().equals(name)) && (version == null || r.version().equals(version))
                    && r.expiresAt().isAfter(now)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public RegistryHealth health() {
        return RegistryHealth.connected(since);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        subscribers.clear();
    }
}
