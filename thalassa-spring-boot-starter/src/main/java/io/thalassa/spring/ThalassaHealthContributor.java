package io.thalassa.spring;

import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.haproxy.ControllerStatus;
import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.ThalassaStatus;
import io.thalassa.spi.RegistryHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code thalassa} health: {@code haproxy} is up when HAProxy runs the configuration last accepted (the daemon's
 * {@code /health/ready}, {@link ThalassaStatus#ready()}), {@code registry} while the registry can be reached,
 * {@code store} while the store can (a fleet's shared store; a file store is always up).
 */
public final class ThalassaHealthContributor implements CompositeHealthContributor {
    private final Thalassa thalassa;
    private final Map<String, HealthIndicator> parts = new LinkedHashMap<>();

    public ThalassaHealthContributor(Thalassa thalassa) {
        this.thalassa = thalassa;
        parts.put("haproxy", this::haproxy);
        parts.put("registry", this::registry);
        parts.put("store", this::store);
    }

    @Override
    public HealthContributor getContributor(String name) {
        return parts.get(name);
    }

    @Override
    public Stream<HealthContributors.Entry> stream() {
        return parts.entrySet().stream().map(e -> new HealthContributors.Entry(e.getKey(), e.getValue()));
    }

    private Health haproxy() {
        ThalassaStatus s;
        try {
            s = thalassa.status();
        } catch (RuntimeException e) {
            return Health.down(e).build();
        }
        ControllerStatus c = s.haproxy();
        Health.Builder h = s.ready() ? Health.up() : Health.down().withDetail("reason", s.masterPid() <= 0
                ? "HAProxy is not running"
                : "HAProxy does not run the configuration last accepted yet (a reload is pending or failed)");
        h.withDetail("masterPid", s.masterPid()).withDetail("workerPids", s.workerPids())
                .withDetail("configFile", s.configFile().toString()).withDetail("reloads", c.reloads())
                .withDetail("failedReloads", c.failedReloads()).withDetail("pending", c.pending().size())
                .withDetail("servers", c.servers());
        c.failed().map(ChangeStatus::message).ifPresent(m -> h.withDetail("failed", m));
        return h.build();
    }

    private Health registry() {
        RegistryHealth r = thalassa.registry().health();
        Health.Builder h = r.isConnected() ? Health.up() : Health.down().withDetail("reason", r.detail());
        return h.withDetail("kind", thalassa.registry().kind()).withDetail("since", r.since().toString()).build();
    }

    private Health store() {
        Map<String, Object> fleet = thalassa.status().fleet().orElse(null);
        Health.Builder h = Health.up();
        if (fleet != null && fleet.get("store") instanceof Map<?, ?> store
                && store.get("health") instanceof RegistryHealth r) {
            h = r.isConnected() ? Health.up() : Health.down().withDetail("reason", r.detail());
            h.withDetail("since", r.since().toString()).withDetail("node", String.valueOf(fleet.get("node")))
                    .withDetail("revision", fleet.get("revision")).withDetail("stale", fleet.get("stale"));
        }
        return h.withDetail("name", thalassa.store().name()).build();
    }
}
