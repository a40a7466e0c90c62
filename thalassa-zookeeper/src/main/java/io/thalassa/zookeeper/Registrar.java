package io.thalassa.zookeeper;

import io.thalassa.RegistryUnavailableException;
import io.thalassa.spi.Registration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances registered through the registry: writes each as an ephemeral znode of the registry's session, keeps
 * it while its TTL lasts (a refresh that changes nothing writes nothing), writes it again under a new session, and
 * deletes it when its TTL runs out.
 *
 * <p>Every ZooKeeper call runs under one lock, so a registration, a refresh, a deregistration, an expiry and a
 * re-creation of the same instance never interleave.
 */
final class Registrar {
    private static final Logger log = LoggerFactory.getLogger(Registrar.class);
    private static final int WRITE_ATTEMPTS = 3;
    /** How long the mark of a znode deleted here is believed (see {@link #deletedHere}). */
    private static final long DELETED_MARK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** One instance registered through the registry, written under session {@code sessionId} (0: not written). */
    private record Own(Registration registration, String path, byte[] data, long registrationTimeUtc,
            long sessionId) {
    }

    private final CuratorFramework curator;
    private final String basePath;
    private final String versionKey;
    private final String label;
    private final Session session;

    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<String, Own> own = new TreeMap<>();          // by registration id
    private final Map<String, Long> expired = new HashMap<>();         // path -> session it was written in
    private final Map<String, Long> deleted = new java.util.concurrent.ConcurrentHashMap<>(); // path -> nanoTime

    Registrar(CuratorFramework curator, String basePath, String versionKey, String label, Session session) {
        this.curator = curator;
        this.basePath = basePath;
        this.versionKey = versionKey;
        this.label = label;
        this.session = session;
    }

    /** The znode of an instance registered through a registry on {@code basePath}. */
    static String pathOf(String basePath, String name, String version, String host, int port) {
        return ZKPaths.makePath(basePath, name, ZookeeperRegistry.instanceId(name, version, host, port));
    }

    /**
     * Whether this registrar deleted the znode at {@code path} in the last seconds (a deregistration or an expiry,
     * which take the member out at once); asking forgets the mark.
     */
    boolean deletedHere(String path) {
        Long at = deleted.remove(path);
        return at != null && System.nanoTime() - at < DELETED_MARK_NANOS;
    }

    void register(Registration registration) {
        lock.lock();
        try {
            long sid = requireConnected("register " + registration.id());
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Registration fresh = new Registration(registration.name(), registration.version(), registration.host(),
                    registration.port(), registration.meta(), registration.ttl(), now);
            String id = fresh.id();
            Own previous = own.get(id);
            boolean sameMeta = previous != null && previous.registration.meta().equals(fresh.meta());
            try {
                if (sameMeta && previous.sessionId == sid) {
                    Stat stat = curator.checkExists().forPath(previous.path);
                    if (stat != null && stat.getEphemeralOwner() == sid) {
                        own.put(id, new Own(fresh, previous.path, previous.data, previous.registrationTimeUtc, sid));
                        return; // a refresh: the znode is as it should be
                    }
                }
                String path = pathOf(basePath, fresh.name(), fresh.version(), fresh.host(), fresh.port());
                long time = sameMeta ? previous.registrationTimeUtc : now.toEpochMilli();
                byte[] data = ServiceInstanceJson.write(fresh, ZKPaths.getNodeFromPath(path), versionKey, time);
                write(path, data, sid);
                own.put(id, new Own(fresh, path, data, time, sid));
                expired.remove(path);
                if (previous == null) {
                    log.info("{} - registered {} as {} with a TTL of {} s", label, id, path, fresh.ttl().toSeconds());
                }
            } catch (Exception e) {
                throw unavailable("register " + id, e);
            }
        } finally {
            lock.unlock();
        }
    }

    boolean deregister(String name, String version, String host, int port) {
        String id = io.thalassa.Member.idOf(name, version, host, port);
        String path = pathOf(basePath, name, version, host, port);
        lock.lock();
        try {
            requireConnected("deregister " + id);
            Own known = own.remove(id);
            try {
                boolean existed;
                deleted.put(path, System.nanoTime());
                try {
                    curator.delete().forPath(path);
                    existed = true;
                } catch (KeeperException.NoNodeException e) {
                    existed = false;
                } catch (Exception e) {
                    deleted.remove(path);
                    throw e;
                }
                expired.remove(path);
                log.info("{} - deregistered {} ({})", label, id, existed ? "deleted " + path : "no znode " + path);
                return known != null || existed;
            } catch (Exception e) {
                if (known != null) {
                    own.put(id, known);
                }
                throw unavailable("deregister " + id, e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The registrations, sorted by id; {@code name} and {@code version} filter when not null. */
    List<Registration> registrations(String name, String version) {
        lock.lock();
        try {
            List<Registration> out = new ArrayList<>();
            for (Own o : own.values()) {
                Registration r = o.registration;
                if ((name == null || name.equals(r.name())) && (version == null || version.equals(r.version()))) {
                    out.add(r);
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs every reaper interval: forgets the registrations whose TTL ran out and deletes their znodes, and writes
     * again the ones not written under the current session. Skips a turn while a registration call holds the lock.
     */
    void reap() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            long nanos = System.nanoTime();
            deleted.values().removeIf(at -> nanos - at >= DELETED_MARK_NANOS);
            Instant now = Instant.now();
            for (Iterator<Own> it = own.values().iterator(); it.hasNext(); ) {
                Own o = it.next();
                if (!o.registration.expiresAt().isAfter(now)) {
                    it.remove();
                    expired.put(o.path, o.sessionId);
                    log.info("{} - {} expired: no refresh within {} s", label, o.registration.id(),
                            o.registration.ttl().toSeconds());
                }
            }
            if (session.isConnected()) {
                deleteExpired();
                rewrite();
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a reconnect with a new session: writes again every registration whose TTL still runs. */
    void rewriteNow() {
        lock.lock();
        try {
            if (session.isConnected()) {
                rewrite();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. */
    private void deleteExpired() {
        long sid = session.id();
        for (Iterator<Map.Entry<String, Long>> it = expired.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() != sid) {
                it.remove(); // written under an older session: gone with it, or going when the server expires it
                continue;
            }
            try {
                Stat stat = curator.checkExists().forPath(e.getKey());
                if (stat != null && stat.getEphemeralOwner() == sid) {
                    deleted.put(e.getKey(), System.nanoTime());
                    curator.delete().withVersion(stat.getVersion()).forPath(e.getKey());
                }
                it.remove();
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException ex) {
                it.remove(); // gone, or written again by a registration since
            } catch (Exception ex) {
                deleted.remove(e.getKey());
                log.debug("{} - could not delete the expired {} yet: {}", label, e.getKey(), ex.toString());
                return;
            }
        }
    }

    /** Lock held. */
    private void rewrite() {
        long sid = session.id();
        for (Map.Entry<String, Own> e : own.entrySet()) {
            Own o = e.getValue();
            if (o.sessionId == sid) {
                continue;
            }
            try {
                write(o.path, o.data, sid);
                e.setValue(new Own(o.registration, o.path, o.data, o.registrationTimeUtc, sid));
                log.info("{} - wrote {} again under session {}", label, o.path, Session.hex(sid));
            } catch (Exception ex) {
                log.debug("{} - could not write {} again yet: {}", label, o.path, ex.toString());
                return;
            }
        }
    }

    /**
     * Creates the ephemeral znode, or replaces it: its data when this session owns it, the znode itself when another
     * session does (an older session of this registry, or another client that registered the same instance).
     */
    private void write(String path, byte[] data, long sid) throws Exception {
        KeeperException last = null;
        for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
            try {
                curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(path, data);
                return;
            } catch (KeeperException.NodeExistsException exists) {
                last = exists;
            }
            try {
                Stat stat = curator.checkExists().forPath(path);
                if (stat == null) {
                    continue;
                }
                if (stat.getEphemeralOwner() == sid) {
                    curator.setData().withVersion(stat.getVersion()).forPath(path, data);
                    return;
                }
                log.info("{} - replacing {}, written by session {}", label, path,
                        Session.hex(stat.getEphemeralOwner()));
                curator.delete().withVersion(stat.getVersion()).forPath(path);
            } catch (KeeperException.NoNodeException | KeeperException.BadVersionException raced) {
                last = raced; // changed under us: try again
            }
        }
        throw last;
    }

    private long requireConnected(String what) {
        if (!session.isConnected()) {
            throw new RegistryUnavailableException(label + " - could not " + what + ": " + session.health().detail());
        }
        return session.id();
    }

    private RuntimeException unavailable(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String why = e instanceof KeeperException ke ? ke.code().name() : e.toString();
        return new RegistryUnavailableException(label + " - could not " + what + ": " + why, e);
    }
}
