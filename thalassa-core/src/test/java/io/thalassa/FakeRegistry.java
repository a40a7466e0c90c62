package io.thalassa;

import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import io.thalassa.spi.RegistryHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A registry the test drives by hand: it records subscriptions and delivers only when told to. */
final class FakeRegistry implements Registry {
    final List<String> log = new CopyOnWriteArrayList<>();
    final Map<String, Consumer<Set<Member>>> open = new ConcurrentHashMap<>();

    @Override
    public Subscription subscribe(String name, String version, Consumer<Set<Member>> members) {
        String key = name + "@" + version;
        log.add("subscribe " + key);
        open.put(key, members);
        return () -> {
            if (open.remove(key, members)) {
                log.add("unsubscribe " + key);
            }
        };
    }

    /** Delivers a set as the registry would, from the calling thread. */
    void deliver(String name, String version, Member... members) {
        Consumer<Set<Member>> c = open.get(name + "@" + version);
        if (c == null) {
            throw new IllegalStateException("no subscription for " + name + "@" + version);
        }
        c.accept(Set.of(members));
    }

    static Member member(String name, String version, int port) {
        return Member.registered(name, version, "127.0.0.1", port, Instant.ofEpochMilli(1), Map.of());
    }

    @Override
    public void register(Registration registration) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deregister(String name, String version, String host, int port) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Registration> registrations(String name, String version) {
        return new ArrayList<>();
    }

    @Override
    public RegistryHealth health() {
        return RegistryHealth.connected(Instant.EPOCH);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
    }

    @Override
    public void close() {
    }
}
