package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Mode;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.SlotPlanner;
import io.thalassa.haproxy.internal.SlotTable;
import io.thalassa.haproxy.internal.SlotTable.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random configurations and a random next step from each: member changes, version switches, version splits
 * (weights only, or with other members), health interval, balance, natives, backends and frontends added or removed,
 * and a backend outgrowing its slots (5 to 7 members where it has at most 4 slots): with a balance that takes servers
 * at run time ({@code roundrobin}, {@code leastconn}) it grows with {@code add server}, with {@code source} it needs
 * a reload, though {@link io.thalassa.ConfigDiff} sees members joining either way.
 */
final class RandomConfigs {
    static final List<String> BACKENDS = List.of("api", "live", "web");
    private final Random random;
    private final int[] ports;

    /** @param ports distinct free loopback ports for frontends to bind */
    RandomConfigs(long seed, int[] ports) {
        this.random = new Random(seed);
        this.ports = ports;
    }

    ThalassaConfig config() {
        ThalassaConfig c = ThalassaConfig.empty();
        for (String key : BACKENDS) {
            if (random.nextInt(4) > 0) {
                c = c.withBackend(backend(key));
            }
        }
        int frontends = 1 + random.nextInt(2);
        for (int i = 0; i < frontends; i++) {
            c = c.withFrontend(frontend("fe" + i, ports[i]));
        }
        return c;
    }

    /** A next configuration: one random kind of change (or none). */
    ThalassaConfig next(ThalassaConfig c) {
        List<Backend> backends = new ArrayList<>(c.backends().values());
        Backend b = backends.isEmpty() ? null : backends.get(random.nextInt(backends.size()));
        switch (random.nextInt(11)) {
            case 0:
                return c;
            case 1: // members: some leave, some join
            case 2:
                return b == null ? c : c.withBackend(b.withMembers(members(b.members().size())));
            case 3: // a version switch with the members of the new version
                return b == null || !b.isDynamic() ? c : c.withBackend(b.withService(b.serviceName(), "2." + random
                        .nextInt(3)).withMembers(members(b.members().size())));
            case 4: // check interval only
                return b == null ? c : c.withBackend(b.toBuilder().health(h -> h.interval(Duration.ofMillis(
                        b.health() != null && b.health().intervalMillis() == 2000 ? 5000 : 2000))).build()
                        .withMembers(b.members()));
            case 5:
                return b == null ? c : c.withBackend(b.toBuilder().balance(b.balance().equals(Balance.ROUNDROBIN)
                        ? Balance.LEASTCONN : Balance.ROUNDROBIN).build().withMembers(b.members()));
            case 6:
                return b == null ? c : c.withBackend(b.toBuilder().nativeLine("timeout server " + (1000 + random
                        .nextInt(3)) + "ms").build().withMembers(b.members()));
            case 8: // more members than slots
                return b == null ? c : c.withBackend(b.withMembers(many()));
            case 9: { // a version split: new weights, with the same members or others of both versions
                if (b == null || !b.isDynamic() || !b.balance().honoursRuntimeWeights()) {
                    return c;
                }
                int w = 25 * random.nextInt(5);
                Backend split = b.withSplit(Map.of("1.0", w, "2.0", 100 - w));
                return c.withBackend(random.nextBoolean() ? split : split.withMembers(versioned(b.serviceName())));
            }
            case 7: {
                String key = BACKENDS.get(random.nextInt(BACKENDS.size()));
                return c.backends().containsKey(key) ? c.withoutBackend(key) : c.withBackend(backend(key));
            }
            default:
                return c.withFrontend(frontend("fe0", ports[2 + random.nextInt(ports.length - 2)]));
        }
    }

    private Backend backend(String key) {
        Backend.Builder builder = random.nextBoolean() ? Backend.dynamic(key).service("svc" + key, "1.0")
                : Backend.staticBackend(key);
        int balance = random.nextInt(4);
        builder.balance(balance == 0 ? Balance.LEASTCONN : balance == 1 ? Balance.SOURCE : Balance.ROUNDROBIN);
        if (random.nextBoolean()) {
            builder.health(h -> h.uri("/health").interval(Duration.ofMillis(random.nextBoolean() ? 2000 : 5000)));
        }
        return builder.build().withMembers(members(0));
    }

    /** 0..2 members from a pool of 3; with 2 slots of headroom at least, any next set fits beside the drains. */
    private List<Member> members(int ignored) {
        List<Member> list = new ArrayList<>();
        for (int port = 1; port <= 3; port++) {
            if (list.size() < 2 && random.nextBoolean()) {
                list.add(Member.of("127.0.0.1", 20_000 + port));
            }
        }
        return list;
    }

    /** 5..7 members from a pool of 9: more than the slots of any backend that had at most 2. */
    private List<Member> many() {
        List<Member> list = new ArrayList<>();
        int n = 5 + random.nextInt(3);
        for (int port = 1; list.size() < n; port++) {
            list.add(Member.of("127.0.0.1", 20_000 + port));
        }
        return list;
    }

    /** 0..2 registered members from a pool of 3, each of version 1.0 or 2.0. */
    private List<Member> versioned(String service) {
        List<Member> list = new ArrayList<>();
        for (int port = 1; port <= 3; port++) {
            if (list.size() < 2 && random.nextBoolean()) {
                list.add(Member.registered(service, random.nextBoolean() ? "1.0" : "2.0", "127.0.0.1", 20_000 + port,
                        null, null));
            }
        }
        return list;
    }

    private Frontend frontend(String key, int port) {
        String target = BACKENDS.get(random.nextInt(BACKENDS.size()));
        Frontend.Builder f = Frontend.builder(key).bind("127.0.0.1:" + port).defaultBackend(target)
                .mode(Mode.HTTP);
        if (random.nextBoolean()) {
            f.rule(Rule.path(Rule.Operation.PATH_BEG, "/" + target, target));
        }
        return f.build();
    }

    /** Slot tables as the controller plans them: {@code next} planned on the tables of {@code before}. */
    static Map<String, SlotTable> plan(ThalassaConfig config, Map<String, SlotTable> before) {
        Map<String, SlotTable> out = new HashMap<>();
        for (Backend b : config.backends().values()) {
            List<Endpoint> wanted = SlotPlanner.endpoints(b);
            out.put(b.key(), SlotPlanner.plan(b.key(), before.get(b.key()), wanted, io.thalassa.haproxy.internal.DefaultServer.growsAtRunTime(b)).table());
        }
        return out;
    }

    static ServerLayout layout(Map<String, SlotTable> tables) {
        return b -> tables.containsKey(b.key()) ? tables.get(b.key()).lines() : List.of();
    }
}
