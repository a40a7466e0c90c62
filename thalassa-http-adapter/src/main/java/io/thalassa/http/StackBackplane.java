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
    private volatile boolean haproxyStarted;

    private StackBackplane(Registry registry, HaproxyController controller) {
        this.registry = registry;
        this.controller = controller;
        ThalassaEvent.Listener dispatch = this::dispatch;
        registry.addListener(dispatch);
        controller.addListener(dispatch);
        this.engine = MembershipEngine.builder(registry, this::toHaproxy).listener(dispatch).build();
    }

    /** The engine's sink: the first configuration starts (or adopts) HAProxy, every later one is applied. */
    private void toHaproxy(ThalassaConfig config) {
        try {
            if (haproxyStarted) {
                controller.apply(config);
            } else {
                controller.start(config);
                haproxyStarted = true;
            }
        } catch (ConfigRejectedException e) {
            throw new Rejected(e);
        }
    }

    /**
     * Starts the stack the options describe: opens the registry, and starts HAProxy, or adopts the one a previous run
     * left serving (pid file and master socket), with the configuration of the {@code --persistence} file and the
     * registry's members of its dynamic backends as the first thing it gets. An adopted HAProxy that runs that
     * configuration already is not reloaded: a restart of the daemon drops no connection. Without a persistence file
     * (or with an empty one) HAProxy gets the empty configuration.
     *
     * @throws IllegalStateException naming the file when the persistence file cannot be read or HAProxy rejects what
     *                               it holds (the file is left untouched, an adopted HAProxy keeps serving)
     */
    public static StackBackplane start(DaemonOptions options) throws IOException {
        // read first: a file that cannot be read must not reach a running HAProxy
        ThalassaConfig saved = options.persistenceFile().flatMap(f -> ConfigStore.at(f).load())
                .orElse(ThalassaConfig.empty());
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
        StackBackplane stack = new StackBackplane(registry, controller.build());
        try {
            stack.base = saved;
            stack.engine.update(saved); // its first publication (members included) starts or adopts HAProxy
            if (!stack.haproxyStarted) {
                stack.toHaproxy(ThalassaConfig.empty()); // nothing was published: the empty configuration
            }
        } catch (RuntimeException e) {
            stack.abort();
            ConfigRejectedException rejected = rejectedCause(e);
            if (rejected == null) {
                throw e;
            }
            if (saved.equals(ThalassaConfig.empty())) {
                throw new IOException("HAProxy rejected the empty configuration: " + rejected.haproxyMessage(), e);
            }
            throw new IllegalStateException("persistence file " + options.persistence().toAbsolutePath()
                    + " cannot be applied (" + rejected.getMessage() + "); fix or move it, it is left untouched", e);
        }
        return stack;
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

    /**
     * Closes the stack after a daemon start that failed: a HAProxy this stack started is stopped, an adopted one
     * keeps serving.
     */
    public void abort() {
        close();
        if (haproxyStarted && !controller.adopted()) {
            controller.stopHaproxy();
        }
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
