package io.thalassa.http;

import io.thalassa.Backend;
import io.thalassa.ConfigDiff;
import io.thalassa.ConfigRejectedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.haproxy.RenderedConfig;
import io.thalassa.haproxy.internal.ConfigCheck;
import io.thalassa.haproxy.internal.Processes;
import io.thalassa.spi.Registration;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A {@link Backplane} for the HTTP tests: the configuration in memory, rendered with the default template, every
 * structural change checked by the real {@code haproxy -c} (binary from {@code THALASSA_HAPROXY_BINARY}, default
 * {@code haproxy}); dynamic backends take their members from an {@link InMemoryRegistry}. No HAProxy process runs.
 */
final class ValidatingBackplane implements Backplane, AutoCloseable {

    private final Path dir;
    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
    private final HaproxySettings settings;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private ThalassaConfig config = ThalassaConfig.empty();
    private String haproxyConfig;
    private volatile Object stats;

    ValidatingBackplane(Path dir) {
        this.dir = dir;
        this.settings = HaproxySettings.builder().statsSocket(dir.resolve("haproxy.sock"))
                .pidFile(dir.resolve("haproxy.pid")).build();
        this.haproxyConfig = renderer.render(config, settings).text();
        registry.addListener(event -> {
            update(c -> c);
            emit(event);
        });
    }

    @Override
    public synchronized ThalassaConfig config() {
        return config;
    }

    @Override
    public ThalassaConfig update(UnaryOperator<ThalassaConfig> change) {
        List<ThalassaEvent> events = new ArrayList<>();
        ThalassaConfig next;
        try {
            synchronized (this) {
                next = withRegisteredMembers(change.apply(config));
                ConfigDiff diff = ConfigDiff.between(config, next);
                RenderedConfig rendered = renderer.render(next, settings);
                if (diff.isStructural()) {
                    check(rendered.text());
                    events.add(ThalassaEvent.now(ThalassaEvent.Verb.CONFIG_APPLIED, "haproxy",
                            String.join(", ", diff.structuralChanges())));
                }
                diff.membershipChanges().values().stream().filter(ConfigDiff.MembershipChange::isVersionSwitch)
                        .forEach(m -> events.add(ThalassaEvent.now(ThalassaEvent.Verb.VERSION_SWITCHED,
                                "backend/" + m.backend(), m.fromService() + " -> " + m.toService())));
                config = next;
                haproxyConfig = rendered.text();
            }
        } catch (ConfigRejectedException e) {
            emit(ThalassaEvent.now(ThalassaEvent.Verb.CONFIG_REJECTED, "haproxy", e.haproxyMessage()));
            throw e;
        }
        events.forEach(this::emit);
        return next;
    }

    private ThalassaConfig withRegisteredMembers(ThalassaConfig c) {
        ThalassaConfig out = c;
        for (Backend b : c.backends().values()) {
            if (b.isDynamic()) {
                out = out.withMembers(b.key(), registry.registrations(b.serviceName(), b.serviceVersion()).stream()
                        .map(Registration::toMember).toList());
            }
        }
        return out;
    }

    private void check(String text) {
        try {
            Path cfg = Files.createTempFile(dir, "check", ".cfg");
            try {
                Files.writeString(cfg, text);
                String binary = System.getenv().getOrDefault("THALASSA_HAPROXY_BINARY", "haproxy");
                Processes.Outcome out = Processes.run(List.of(binary, "-c", "-f", cfg.toString()),
                        Duration.ofSeconds(60));
                if (out.exitCode() != 0) {
                    throw ConfigCheck.rejected(out.output().replace(cfg.toString(), "haproxy.cfg"));
                }
            } finally {
                Files.deleteIfExists(cfg);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run haproxy -c (set THALASSA_HAPROXY_BINARY or run"
                    + " scripts/install-tools.sh)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running haproxy -c", e);
        }
    }

    private void emit(ThalassaEvent event) {
        listeners.forEach(l -> l.onEvent(event));
    }

    /** Makes {@code snapshot} the latest stats, as the stack's stats poller would. */
    void publishStats(Object snapshot) {
        stats = snapshot;
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public synchronized String haproxyConfig() {
        return haproxyConfig;
    }

    @Override
    public Optional<Object> stats() {
        return Optional.ofNullable(stats);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ThalassaEvent.Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public void close() {
        registry.close();
    }
}
