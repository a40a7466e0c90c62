package io.thalassa.http.internal;

import io.thalassa.Bind;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.http.DaemonOptions;
import io.thalassa.runtime.FileConfigStore;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.nio.file.Path;

/** The daemon's {@link Thalassa}, built from its command line: every option is a setting of the builder. */
public final class DaemonRuntime {
    private DaemonRuntime() {
    }

    /** The builder the options describe; {@link Thalassa.Builder#start()} starts it. */
    public static Thalassa.Builder builder(DaemonOptions o) {
        Path cfg = o.haproxyCfgPath().toAbsolutePath();
        Thalassa.Builder b = Thalassa.builder()
                .workDir(o.dbPath())
                .configFile(cfg)
                .haproxyBinary(o.haproxyBinary())
                .settings(o.haproxy().applyTo(HaproxySettings.builder())
                        .statsSocket(o.haproxySocketPath().toAbsolutePath())
                        .pidFile(o.haproxyPidPath().toAbsolutePath())
                        .serverStateFile(cfg.resolveSibling(cfg.getFileName() + ".state"))
                        .statsListener(null)
                        .logTarget(null)
                        .build())
                .statsPage(Bind.parse("127.0.0.1:" + o.statsPort()), o.statsAuth())
                .reloadWindow(o.reloadWindow())
                .activityRetention(o.activityRetention())
                .removalGuard(o.registries().maxRemovalPct(), o.registries().removalHold())
                .historySize(o.historySize());
        if (o.haproxyUser() != null) {
            b.haproxyUser(o.haproxyUser());
        }
        if (o.haproxyMaxFiles() > 0) {
            b.fileLimit(o.haproxyMaxFiles());
        }
        o.customTemplate().ifPresent(t -> b.renderer(HaproxyConfigRenderer.fromTemplate(t)));
        if (o.bindAddress() != null) {
            b.bindAddress(o.bindAddress());
        }
        if (o.fleet()) {
            b.nodeName(o.label() != null ? o.label() : defaultNodeName(o));
            b.store(ConsulParts.store(o)).registry(ConsulParts.registry(o));
        } else {
            b.store(o.persistenceFile().map(FileConfigStore::at).orElseGet(FileConfigStore::inMemory));
            io.thalassa.spi.Registry registry = RegistryParts.registry(o);
            if (registry != null) {
                b.registry(registry);
            }
        }
        return b;
    }

    private static String defaultNodeName(DaemonOptions options) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        String name = (host + "-" + options.port()).replaceAll("[^A-Za-z0-9_.-]", "-");
        return name.length() > 60 ? name.substring(0, 60) : name;
    }
}
