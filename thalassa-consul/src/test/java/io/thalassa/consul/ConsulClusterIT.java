package io.thalassa.consul;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.ConfigStore.Item;
import io.thalassa.spi.ConfigStore.Snapshot;
import io.thalassa.spi.RegistryHealth;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real three-server Consul cluster on 127.0.0.1 loses its leader while two writers do check-and-set writes through
 * {@link ConsulConfigStore}s on the two followers. Writes resume after the election, and no acknowledged write is lost.
 *
 * <p>What "lost" means here, given that a write that answered {@link StoreUnavailableException} may or may not have
 * happened: with check-and-set only, the history of a key is one chain, each write replacing exactly the version it
 * expected. Every document names its sequence number and the version it expected, so the chain can be walked back from
 * the final document to the key's creation. That chain must contain every acknowledged write and every state a reader
 * saw (nothing acknowledged or seen was rolled back), and no write that answered a conflict (a conflict changed
 * nothing); the writes in it that were not acknowledged answered "unavailable". So the final document is the last
 * acknowledged write of its key, or a later write that answered "unavailable" and was built on top of it.
 */
class ConsulClusterIT {
    private static final List<String> IDS = List.of("backend/b0", "backend/b1", "backend/b2", "backend/b3");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(2);
    /** No store call may take longer than its timeout plus this much (scheduling, a connect). */
    private static final Duration CALL_SLACK = Duration.ofSeconds(1);
    private static final Duration RESUME_BOUND = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS_PER_WRITER = 2_000;
    private static final Duration WRITER_TIME_BOUND = Duration.ofSeconds(40);
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    enum Stop {
        SIGKILL {
            @Override
            void stop(ConsulAgent server) throws InterruptedException {
                server.kill();
            }
        },
        SIGTERM {
            @Override
            void stop(ConsulAgent server) throws InterruptedException {
                server.terminate();
            }
        };

        abstract void stop(ConsulAgent server) throws InterruptedException;
    }

    enum Outcome { ACKNOWLEDGED, CONFLICT, UNAVAILABLE }

    /** One put: its document has {@code seq}; {@code version} is what an acknowledged put answered, else -1. */
    record Attempt(long seq, int writer, String id, long expected, Outcome outcome, long version, long start,
            long end) {
    }

    private final Map<Long, Attempt> attempts = new ConcurrentHashMap<>();
    /** Version to the seq of the document it holds, from acknowledgements and from reads. */
    private final Map<Long, Long> seen = new ConcurrentHashMap<>();
    private final List<String> inconsistencies = new CopyOnWriteArrayList<>();
    private final AtomicLong seqs = new AtomicLong();
    private final AtomicLong slowestPut = new AtomicLong();
    private final AtomicLong slowestRead = new AtomicLong();
    private final AtomicLong readsUnavailable = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();

    @ParameterizedTest(name = "leader stopped by {0}")
    @EnumSource(Stop.class)
    @Timeout(60)
    void writesResumeAfterTheLeaderStopsAndNoAcknowledgedWriteIsLost(Stop how) throws Exception {
        long t0 = System.nanoTime();
        try (ConsulCluster cluster = ConsulCluster.start(Path.of("target", "consul-cluster-it"), 3,
                Duration.ofSeconds(30))) {
            ConsulAgent leader = cluster.agreedLeader().orElseThrow();
            long up = System.nanoTime();
            List<ConsulAgent> followers = cluster.others(leader);
            assertThat(followers).hasSize(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (ConsulConfigStore a = store(followers.get(0)); ConsulConfigStore b = store(followers.get(1))) {
                BlockingQueue<Snapshot> watched = new LinkedBlockingQueue<>();
                List<RegistryHealth> health = new CopyOnWriteArrayList<>();
                try (ConfigStore.Watch watch = b.watch(readAll(b).index(), watched::add, health::add)) {
                    List<Future<Void>> writers = List.of(pool.submit(() -> write(0, a, false)),
                            pool.submit(() -> write(1, b, true)));

                    awaitAcknowledged(40, Duration.ofSeconds(10));
                    long stopAt = System.nanoTime();
                    how.stop(leader);
                    long goneAt = System.nanoTime();

                    ConsulAgent next = null;
                    long electedAt = 0;
                    Attempt resumed = null;
                    while (System.nanoTime() - stopAt < RESUME_BOUND.toNanos() && (next == null || resumed == null)) {
                        if (next == null) {
                            Optional<ConsulAgent> l = cluster.agreedLeader();
                            if (l.isPresent()) {
                                next = l.get();
                                electedAt = System.nanoTime();
                            }
                        }
                        resumed = attempts.values().stream()
                                .filter(x -> x.outcome() == Outcome.ACKNOWLEDGED && x.start() >= goneAt)
                                .min((x, y) -> Long.compare(x.end(), y.end())).orElse(null);
                        Thread.sleep(20);
                    }
                    Optional<Attempt> refused = attempts.values().stream()
                            .filter(x -> x.outcome() == Outcome.UNAVAILABLE && x.end() >= stopAt)
                            .min((x, y) -> Long.compare(x.end(), y.end()));
                    if (resumed != null) {
                        Thread.sleep(Math.max(0, 2_000 - ms(System.nanoTime() - resumed.end()))); // writes go on
                    }
                    stop.set(true);
                    for (Future<Void> w : writers) {
                        w.get(REQUEST_TIMEOUT.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
                    }

                    Map<Outcome, Long> counts = attempts.values().stream()
                            .collect(Collectors.groupingBy(Attempt::outcome, TreeMap::new, Collectors.counting()));
                    System.out.printf("ConsulClusterIT %s: cluster up in %d ms; leader %s stopped (gone after %d ms);"
                            + " new leader %s elected (all servers agree) after %d ms; first refused write after %s;"
                            + " writes resumed after %s; attempts %s, unavailable reads %d; slowest put %d ms, slowest"
                            + " read %d ms; watch health %s%n",
                            how, ms(up - t0), leader.node(), ms(goneAt - stopAt), next == null ? "-" : next.node(),
                            ms(electedAt - stopAt), refused.map(x -> ms(x.end() - stopAt) + " ms").orElse("none"),
                            resumed == null ? "never" : ms(resumed.end() - stopAt) + " ms", counts,
                            readsUnavailable.get(), ms(slowestPut.get()), ms(slowestRead.get()),
                            health.stream().map(h -> h.isConnected() ? "connected" : "unavailable").toList());

                    assertThat(next).as("a new leader within %s", RESUME_BOUND).isNotNull();
                    assertThat(resumed).as("an acknowledged write within %s of stopping the leader", RESUME_BOUND)
                            .isNotNull();
                    assertThat(Duration.ofNanos(slowestPut.get())).as("slowest put")
                            .isLessThan(REQUEST_TIMEOUT.plus(CALL_SLACK));
                    assertThat(Duration.ofNanos(slowestRead.get())).as("slowest read")
                            .isLessThan(REQUEST_TIMEOUT.plus(CALL_SLACK));
                    assertThat(inconsistencies).as("a version read with two documents").isEmpty();

                    // Read everything through the server that is still a follower (the other store's agent may be
                    // the new leader), and check it against the other surviving server.
                    ConsulConfigStore follower = followers.get(0) == next ? b : a;
                    Snapshot end = readAll(follower);
                    assertThat(readAll(follower == a ? b : a).items()).isEqualTo(end.items());
                    for (String id : IDS) {
                        assertNoAcknowledgedWriteLost(id, end.items().get(id));
                    }
                    Set<Long> stored = Set.copyOf(seen.values());
                    System.out.printf("ConsulClusterIT %s: no acknowledged write lost; of %d writes that answered"
                            + " unavailable, %d turned out to have happened%n", how,
                            counts.getOrDefault(Outcome.UNAVAILABLE, 0L), attempts.values().stream()
                                    .filter(x -> x.outcome() == Outcome.UNAVAILABLE && stored.contains(x.seq()))
                                    .count());

                    // The watch on a follower did not hang through the election: it delivers the final state.
                    Map<String, Long> endVersions = versions(end);
                    Snapshot last = null;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while ((last == null || !versions(last).equals(endVersions)) && System.nanoTime() < deadline) {
                        Snapshot s = watched.poll(100, TimeUnit.MILLISECONDS);
                        last = s == null ? last : s;
                    }
                    assertThat(last).as("the watch delivered something").isNotNull();
                    assertThat(versions(last)).as("what the watch delivered last").isEqualTo(endVersions);
                    assertThat(last.items()).isEqualTo(end.items());
                    assertThat(last.index()).isGreaterThanOrEqualTo(resumed.version());
                    if (!health.isEmpty()) {
                        assertThat(health.get(health.size() - 1).isConnected()).as("watch health at the end").isTrue();
                    }
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    private static ConsulConfigStore store(ConsulAgent server) {
        return ConsulConfigStore.builder().agent("127.0.0.1", server.httpPort()).prefix("thalassa/cluster-it")
                .wait(WAIT).requestTimeout(REQUEST_TIMEOUT).build();
    }

    /**
     * One writer: CAS writes to random ids, with the version it last saw, until stopped or bounded. After a conflict
     * or an unavailable answer it reads everything again first; a {@code persistent} writer writes even when that read
     * fails, with the version it last knew (check-and-set keeps that safe), so writes keep arriving during the election.
     */
    private Void write(int writer, ConsulConfigStore store, boolean persistent) throws InterruptedException {
        Random random = new Random(writer);
        Map<String, Long> known = new HashMap<>();
        IDS.forEach(id -> known.put(id, ConfigStore.NEW));
        boolean reread = false;
        long deadline = System.nanoTime() + WRITER_TIME_BOUND.toNanos();
        for (int n = 0; n < MAX_ATTEMPTS_PER_WRITER && !stop.get() && System.nanoTime() < deadline; n++) {
            if (reread) { // after a conflict, or a write that may or may not have happened: what is there now?
                long t = System.nanoTime();
                try {
                    Snapshot s = store.readAll();
                    observe(s);
                    IDS.forEach(id -> known.put(id, Optional.ofNullable(s.items().get(id)).map(Item::version)
                            .orElse(ConfigStore.NEW)));
                    reread = false;
                } catch (StoreUnavailableException e) {
                    readsUnavailable.incrementAndGet();
                } finally {
                    slowestRead.accumulateAndGet(System.nanoTime() - t, Math::max);
                }
                if (reread && !persistent) {
                    Thread.sleep(20);
                    continue;
                }
            }
            String id = IDS.get(random.nextInt(IDS.size()));
            long expected = known.get(id);
            long seq = seqs.incrementAndGet();
            String json = "{\"id\":\"" + id + "\",\"writer\":" + writer + ",\"seq\":" + seq + ",\"expects\":"
                    + expected + "}";
            long t = System.nanoTime();
            Outcome outcome;
            long version = -1;
            try {
                version = store.put(id, json, expected);
                outcome = Outcome.ACKNOWLEDGED;
                known.put(id, version);
            } catch (StoreConflictException e) {
                outcome = Outcome.CONFLICT;
                reread = true;
            } catch (StoreUnavailableException e) {
                outcome = Outcome.UNAVAILABLE;
                reread = true;
            }
            long end = System.nanoTime();
            slowestPut.accumulateAndGet(end - t, Math::max);
            attempts.put(seq, new Attempt(seq, writer, id, expected, outcome, version, t, end));
            if (outcome == Outcome.ACKNOWLEDGED) {
                observe(version, seq);
            }
            Thread.sleep(outcome == Outcome.UNAVAILABLE ? 20 : 5);
        }
        return null;
    }

    private void observe(Snapshot s) {
        s.items().values().forEach(i -> observe(i.version(), seqOf(i)));
    }

    private void observe(long version, long seq) {
        Long before = seen.putIfAbsent(version, seq);
        if (before != null && before != seq) {
            inconsistencies.add("version " + version + " held seq " + before + " and seq " + seq);
        }
    }

    private static long seqOf(Item item) {
        Matcher m = SEQ.matcher(item.json());
        assertThat(m.find()).as("a seq in %s", item.json()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Walks the key's chain of check-and-set writes back from its final document; see the class comment. */
    private void assertNoAcknowledgedWriteLost(String id, Item last) {
        List<Attempt> acknowledged = attempts.values().stream()
                .filter(x -> x.id().equals(id) && x.outcome() == Outcome.ACKNOWLEDGED)
                .sorted((x, y) -> Long.compare(x.version(), y.version())).toList();
        assertThat(acknowledged).as("acknowledged writes of %s", id).isNotEmpty();
        assertThat(last).as("%s at the end", id).isNotNull();
        observe(last.version(), seqOf(last));

        List<Attempt> chain = new ArrayList<>();
        Set<Long> versions = new HashSet<>();
        long version = last.version();
        Long seq = seqOf(last);
        while (true) {
            Attempt at = attempts.get(seq);
            assertThat(at).as("the write of seq %d, stored in %s at version %d", seq, id, version).isNotNull();
            assertThat(at.id()).as("the id of seq %d", seq).isEqualTo(id);
            assertThat(at.outcome()).as("seq %d is in %s's history: it changed something", seq, id)
                    .isNotEqualTo(Outcome.CONFLICT);
            if (at.outcome() == Outcome.ACKNOWLEDGED) {
                assertThat(at.version()).as("the version acknowledged to seq %d", seq).isEqualTo(version);
            }
            chain.add(at);
            versions.add(version);
            if (at.expected() == ConfigStore.NEW) {
                break;
            }
            assertThat(at.expected()).as("versions grow along %s's history", id).isLessThan(version);
            version = at.expected();
            seq = seen.get(version);
            assertThat(seq).as("the document at version %d of %s, which a later write replaced, was seen", version,
                    id).isNotNull();
        }

        Set<Long> inChain = chain.stream().map(Attempt::seq).collect(Collectors.toSet());
        assertThat(inChain).as("every acknowledged write of %s is in its history", id)
                .containsAll(acknowledged.stream().map(Attempt::seq).toList());
        for (Map.Entry<Long, Long> s : seen.entrySet()) {
            if (attempts.get(s.getValue()).id().equals(id)) {
                assertThat(versions).as("%s's version %d, seen by a reader, is in its history", id, s.getKey())
                        .contains(s.getKey());
            }
        }
        Attempt lastAcknowledged = acknowledged.get(acknowledged.size() - 1);
        Attempt stored = chain.get(0);
        if (stored.seq() != lastAcknowledged.seq()) {
            assertThat(stored.outcome()).as("%s holds seq %d, not its last acknowledged seq %d", id, stored.seq(),
                    lastAcknowledged.seq()).isEqualTo(Outcome.UNAVAILABLE);
            assertThat(last.version()).isGreaterThan(lastAcknowledged.version());
        }
    }

    private static Snapshot readAll(ConsulConfigStore store) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return store.readAll();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private void awaitAcknowledged(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (attempts.values().stream().filter(x -> x.outcome() == Outcome.ACKNOWLEDGED).count() < n) {
            assertThat(System.nanoTime()).as("%d acknowledged writes within %s", n, timeout).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static Map<String, Long> versions(Snapshot s) {
        Map<String, Long> v = new TreeMap<>();
        s.items().forEach((id, item) -> v.put(id, item.version()));
        return v;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
