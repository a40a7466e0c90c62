package io.thalassa.http;

import io.thalassa.Bind;
import io.thalassa.ConfigRejectedException;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.MembershipEngine;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.consul.ConsulRegistry;
import io.thalassa.haproxy.HaproxyConfigRenderer;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.spi.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * The real stack behind the HTTP adapter: a registry (embedded, or Consul with {@code --serviceReg}), the
 * {@link MembershipEngine} that fills dynamic backends from it, and the {@link HaproxyController} that applies what
 * the engine publishes (runtime API for membership, validated reloads for structure).
 */
public final class StackBackplane implements Backplane, AutoCloseable {
    private final Registry registry;
    private final HaproxyController controller;
    private final MembershipEngine engine;
    private final List<ThalassaEvent.Listener> listeners = new CopyOnWriteArrayList<>();
    private ThalassaConfig base = ThalassaConfig.empty();

    private StackBackplane(Registry registry, HaproxyController controller) {
        this.registry = registry;
        this.controller = controller;
        ThalassaEvent.Listener dispatch = this::dispatch;
        registry.addListener(dispatch);
        controller.addListener(dispatch);
        this.engine = MembershipEngine.builder(registry, config -> {
            try {
                controller.apply(config);
            } catch (ConfigRejectedException e) {
                throw new Rejected(e);
            }
        }).listener(dispatch).build();
    }

    /**
     * Starts the stack the options describe: adopts or starts HAProxy with an empty configuration (the adapter
     * replays the persisted one), opens the registry.
     */
    public static StackBackplane start(DaemonOptions options) throws IOException {
        Files.createDirectories(options.dbPath());
        Registry registry = options.serviceReg() == null
                ? EmbeddedRegistry.builder().stateFile(options.dbPath().resolve("registrations.state")).build()
                : ConsulRegistry.builder().agent(options.serviceReg(), options.serviceRegPort())
                        .datacenter(options.datacenter()).build();
        Path cfg = options.haproxyCfgPath().toAbsolutePath();
        HaproxySettings settings = HaproxySettings.builder()
                .statsSocket(options.haproxySocketPath().toAbsolutePath())
                .pidFile(options.haproxyPidPath().toAbsolutePath())
                .serverStateFile(cfg.resolveSibling(cfg.getFileName() + ".state"))
                .statsListener(Bind.parse("127.0.0.1:" + options.statsPort()))
                .logTarget(null)
                .build();
        HaproxyController.Builder controller = HaproxyController.builder()
                .binary(options.haproxyBinary())
                .configFile(cfg)
                .settings(settings)
                .reloadWindow(options.reloadWindow());
        options.customTemplate().ifPresent(t -> controller.renderer(HaproxyConfigRenderer.fromTemplate(t)));
        if (options.sudo()) {
            controller.sudo(List.of("sudo", "-n"));
        }
        HaproxyController haproxy = controller.build();
        try {
            haproxy.start(ThalassaConfig.empty());
        } catch (ConfigRejectedException e) {
            registry.close();
            throw new IOException("HAProxy rejected the empty configuration: " + e.haproxyMessage(), e);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return new StackBackplane(registry, haproxy);
    }

    @Override
    public ThalassaConfig config() {
        return engine.current();
    }

    @Override
    public synchronized ThalassaConfig update(UnaryOperator<ThalassaConfig> change) throws ConfigRejectedException {
        ThalassaConfig before = base;
        ThalassaConfig next = change.apply(engine.current()); // the engine ignores dynamic members it is given
        try {
            base = next;
            return engine.update(next);
        } catch (Rejected e) {
            restore(before);
            throw e.rejected;
        } catch (RuntimeException e) {
            ConfigRejectedException rejected = rejectedCause(e);
            restore(before);
            if (rejected != null) {
                throw rejected;
            }
            throw e;
        }
    }

    private void restore(ThalassaConfig before) {
        base = before;
        try {
            engine.update(before);
        } catch (RuntimeException ignored) {
            // the controller still runs the previous configuration: nothing was applied
        }
    }

    private static ConfigRejectedException rejectedCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Rejected r) {
                return r.rejected;
            }
            if (t instanceof ConfigRejectedException c) {
                return c;
            }
        }
        return null;
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public String haproxyConfig() {
        return controller.configText();
    }

    @Override
    public Optional<Object> stats() {
        return controller.stats().map(s -> s);
    }

    @Override
    public void addListener(ThalassaEvent.Listener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ThalassaEvent.Listener listener) {
        listeners.remove(listener);
    }

    /** The controller, for embedding and tests. */
    public HaproxyController controller() {
        return controller;
    }

    private void dispatch(ThalassaEvent event) {
        for (ThalassaEvent.Listener l : listeners) {
            l.onEvent(event);
        }
    }

    /** Closes the engine, the registry and the controller; HAProxy keeps serving. */
    @Override
    public void close() {
        engine.close();
        registry.close();
        controller.close();
    }

    /** Carries a rejection through the engine's sink. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ConfigRejectedException rejected;

        Rejected(ConfigRejectedException rejected) {
            super(rejected.getMessage(), rejected, false, false);
            this.rejected = rejected;
        }
    }
}
