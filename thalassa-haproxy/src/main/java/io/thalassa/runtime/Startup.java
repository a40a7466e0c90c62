package io.thalassa.runtime;

import io.thalassa.EmbeddedRegistry;
import io.thalassa.ThalassaConfig;
import io.thalassa.internal.Checks;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.runtime.internal.FleetNode;
import io.thalassa.runtime.internal.HaproxyUser;
import io.thalassa.runtime.internal.LocalNode;
import io.thalassa.runtime.internal.Revisions;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns {@link ThalassaSettings} into a started {@link Thalassa}: the parts made, wired and started in order. */
final class Startup {
    private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

    private Startup() {
    }

    static Thalassa start(ThalassaSettings s) {
        ActivityLog activity = null;
        Registry registry = s.registry();
        ConfigStore store = s.store();
        try {
            Files.createDirectories(s.workDir());
            Files.createDirectories(s.stateDir());
            Files.createDirectories(s.configFile().getParent());
            activity = ActivityLog.open(s.stateDir(), s.activityRetention());
            if (registry == null) {
                registry = EmbeddedRegistry.builder().stateFile(s.registrationsFile()).build();
            }
            if (store == null) {
                store = FileConfigStore.at(s.storeFile());
            }
            HaproxySettings haproxy = haproxySettings(s);
            Supplier<HaproxyController> controllers = () -> controller(s, haproxy);
            Registry r = registry;
            ConfigStore st = store;
            Thalassa thalassa = Thalassa.create(s, registry, store, activity, s.listeners(), events -> {
                Revisions history = st instanceof FileConfigStore f && f.file() == null
                        ? Revisions.inMemory(s.historySize()) : Revisions.open(s.stateDir(), s.historySize());
                try {
                    if (st instanceof FileConfigStore file) {
                        Optional<ThalassaConfig> saved = file.load();
                        if (saved.isEmpty() && file.file() != null) {
                            LOG.info("{} - does not exist yet; it is written on the first change", file.file());
                        }
                        ThalassaConfig stored = saved.orElse(ThalassaConfig.empty());
                        ThalassaConfig initial = Checks.notNull("startWith's result", s.startWith().apply(stored));
                        boolean changed = !initial.equals(stored);
                        return LocalNode.start(r, controllers, file, s.bindAddress(), events, engine(s), initial,
                                changed ? "the configuration to start with (" + file.name() + " and the start's change)"
                                        : "persistence file " + file.file(), changed, history);
                    }
                    return FleetNode.start(st, r, controllers, events, nodeName(s), null, s.stateDir(),
                            s.bindAddress(), engine(s), s.reloadWindow().plusSeconds(30), history);
                } catch (IOException | RuntimeException e) {
                    history.close();
                    throw e;
                }
            });
            if (!(store instanceof FileConfigStore) && s.startWith() != UnaryOperator.<ThalassaConfig>identity()) {
                try { // a fleet: the first write of this node
                    thalassa.update(s.startWith()).await(s.reloadWindow().plusSeconds(30));
                } catch (RuntimeException e) {
                    thalassa.abort();
                    throw e;
                }
            }
            return thalassa;
        } catch (IOException | RuntimeException e) {
            if (activity != null) {
                activity.close();
            }
            if (registry != null) {
                registry.close();
            }
            if (store != null) {
                store.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    private static java.util.function.UnaryOperator<io.thalassa.MembershipEngine.Builder> engine(ThalassaSettings s) {
        return b -> b.firstDeliveryTimeout(s.firstDeliveryTimeout()).removalGuard(s.maxRemovalPct(), s.removalHold());
    }

    private static HaproxyController controller(ThalassaSettings s, HaproxySettings haproxy) {
        HaproxyController.Builder b = HaproxyController.builder()
                .binary(s.haproxyBinary())
                .configFile(s.configFile())
                .settings(haproxy)
                .reloadWindow(s.reloadWindow());
        if (s.fileLimit() > 0) {
            b.fileLimit(s.fileLimit());
        }
        if (s.renderer() != null) {
            b.renderer(s.renderer());
        }
        return s.controller().apply(b).build();
    }

    /**
     * HAProxy's settings: those given, or every file in the work directory; TLS certificates in
     * {@code <stateDir>/certificates}; workers drop to the HAProxy user when this process is root; the stats page with
     * its password.
     */
    static HaproxySettings haproxySettings(ThalassaSettings s) throws IOException {
        Path cfg = s.configFile();
        HaproxySettings given = s.haproxySettings() != null ? s.haproxySettings() : HaproxySettings.builder()
                .statsSocket(s.workDir().resolve("haproxy.sock"))
                .pidFile(s.workDir().resolve("haproxy.pid"))
                .serverStateFile(cfg.resolveSibling(cfg.getFileName() + ".state"))
                .statsListener(null)
                .logTarget(null)
                .build();
        HaproxySettings.Builder tuning = s.haproxy().apply(given.toBuilder());
        if (tuning == null) {
            throw new IllegalStateException("the haproxy tuning returned null; return the builder it was given");
        }
        HaproxySettings tuned = tuning.build();
        HaproxySettings.Builder b = tuned.toBuilder();
        if (tuned.certificateDir() == null) {
            b.certificateDir(s.stateDir().resolve("certificates"));
        }
        if (tuned.user() == null) {
            boolean root = HaproxyUser.daemonIsRoot();
            Optional<HaproxyUser.Account> account = HaproxyUser.account(s.haproxyUser(), root, Path.of("/etc/passwd"),
                    Path.of("/etc/group"));
            account.ifPresentOrElse(a -> LOG.info("haproxy - workers run as user {} group {} (the master stays root"
                    + " and keeps the sockets)", a.user(), a.group()), () -> {
                        if (root) {
                            LOG.warn("haproxy - runs as root: no user {} and no haproxyUser", HaproxyUser.DEFAULT_USER);
                        }
                    });
            account.ifPresent(a -> b.runAs(a.user(), a.group()));
        }
        if (s.statsPage() != null) {
            b.statsListener(s.statsPage()).statsAuth(HaproxyUser.statsAuth(s.statsAuth(),
                    s.stateDir().resolve("stats-auth")));
        }
        return b.build();
    }

    private static String nodeName(ThalassaSettings s) {
        if (s.nodeName() != null) {
            return s.nodeName();
        }
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        String name = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9_.-]", "-");
        return name.length() > 60 ? name.substring(0, 60) : name;
    }
}
