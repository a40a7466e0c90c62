package io.thalassa.spring.internal;

import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.ThalassaEventRelay;
import io.thalassa.spring.ThalassaProperties;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Starts the starter's Thalassa as the context's beans begin to be made, on a thread of its own, so HAProxy's start
 * (its {@code haproxy -c}, master and first worker) runs while Spring makes the web server and the other beans; the
 * {@code thalassa} bean then takes the started one. Only when the Thalassa is the starter's own from end to end: the
 * {@code thalassa.*} properties bind, and the application has no {@link Registry}, {@link ConfigStore},
 * {@link HaproxySettings} or {@link ThalassaEventRelay} bean of its own (those are made with the context, so the
 * Thalassa is then started in its bean, as before). Either way, the bean is a started Thalassa before anything that
 * needs it runs, and a start that failed fails the {@code thalassa} bean with the same exception. A Thalassa started
 * here that no bean took (the context failed before) is aborted when the context closes: HAProxy stopped, as the
 * bean's own {@link Thalassa#abort()} does.
 */
public final class EarlyStart implements BeanFactoryPostProcessor, EnvironmentAware, ResourceLoaderAware,
        ApplicationEventPublisherAware, DisposableBean {
    private static final Logger LOG = LoggerFactory.getLogger(EarlyStart.class);
    /** The bean names of the starter's own parts, as its auto-configuration declares them. */
    static final String REGISTRY = "thalassaRegistry";
    static final String STORE = "thalassaStore";
    static final String RELAY = "thalassaEventRelay";

    private Environment environment;
    private ResourceLoader loader;
    private ApplicationEventPublisher publisher;

    // each completes with its part, with null when it was not made here (the bean makes it), or with the exception
    // that making it threw (the bean throws it)
    private volatile CompletableFuture<Registry> registry;
    private volatile CompletableFuture<ConfigStore> store;
    private volatile CompletableFuture<Thalassa> started;
    private volatile ThalassaEventRelay relay;
    private volatile boolean claimed;
    private volatile boolean registryTaken;
    private volatile boolean storeTaken;
    private volatile boolean relayTaken;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setResourceLoader(ResourceLoader loader) {
        this.loader = loader;
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        if (environment == null || loader == null || publisher == null || !onlyOurs(beanFactory)) {
            Thalassa.preload(); // the bean starts it later, on the main thread: warm what that start loads first
            return;
        }
        ThalassaProperties p;
        try {
            p = Binder.get(environment).bindOrCreate("thalassa", ThalassaProperties.class);
        } catch (RuntimeException e) { // the properties bean says it again, in its words
            LOG.debug("thalassa - not started early: {}", e.toString());
            Thalassa.preload();
            return;
        }
        // no preload beside the early start: both would load the same classes at once, on cores Spring needs
        CompletableFuture<Registry> r = new CompletableFuture<>();
        CompletableFuture<ConfigStore> s = new CompletableFuture<>();
        CompletableFuture<Thalassa> f = new CompletableFuture<>();
        ThalassaEventRelay events = new ThalassaEventRelay(publisher);
        Thread t = new Thread(() -> {
            boolean timed = LOG.isDebugEnabled();
            long wall = System.nanoTime();
            long cpu = timed ? cpuNanos() : 0;
            try {
                Registry madeRegistry = make(r, () -> Builders.registry(p, loader.getClassLoader()));
                ConfigStore madeStore = madeRegistry == null ? null
                        : make(s, () -> Builders.store(p, loader.getClassLoader()));
                s.complete(null); // not made: its bean makes it
                f.complete(madeStore == null ? null : Startup.start(p, madeRegistry, madeStore, null, events, loader));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
            if (timed) {
                LOG.debug("thalassa - the early start took {} ms ({} ms of CPU on its thread)",
                        (System.nanoTime() - wall) / 1_000_000, (cpuNanos() - cpu) / 1_000_000);
            }
        }, "thalassa-start");
        t.setDaemon(true);
        registry = r;
        store = s;
        started = f;
        relay = events;
        t.start();
    }

    /** The current thread's CPU time, or 0 where the JVM does not measure it. */
    private static long cpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
    }

    /** Completes {@code part} with what {@code maker} makes, or with its exception (and returns null then). */
    private static <T> T make(CompletableFuture<T> part, java.util.function.Supplier<T> maker) {
        try {
            T made = maker.get();
            part.complete(made);
            return made;
        } catch (RuntimeException | Error e) {
            part.completeExceptionally(e);
            return null;
        }
    }

    /** What {@code part} completed with: null when not made here; the exception making it threw, thrown again. */
    private static <T> T join(CompletableFuture<T> part) {
        if (part == null) {
            return null;
        }
        try {
            return part.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** Whether every part of the Thalassa is the starter's own bean (the application made none of them). */
    private static boolean onlyOurs(ConfigurableListableBeanFactory f) {
        return names(f, Registry.class).equals(List.of(REGISTRY)) && names(f, ConfigStore.class).equals(List.of(STORE))
                && names(f, ThalassaEventRelay.class).equals(List.of(RELAY))
                && names(f, HaproxySettings.class).isEmpty();
    }

    private static List<String> names(ConfigurableListableBeanFactory f, Class<?> type) {
        return Arrays.asList(f.getBeanNamesForType(type, true, false));
    }

    /** Whether the Thalassa was started here, ahead of its bean. */
    public boolean startedEarly() {
        return started != null;
    }

    /**
     * The registry made for the early start once it is made, or null when its bean makes it; the exception making it
     * threw, thrown again. Who takes it owns it.
     */
    public Registry takeRegistry() {
        registryTaken = true;
        return join(registry);
    }

    /** The store made for the early start once it is made, or null; as {@link #takeRegistry()}. */
    public ConfigStore takeStore() {
        storeTaken = true;
        return join(store);
    }

    /** The event relay the early start gave its Thalassa, or null; who takes it owns it. */
    public ThalassaEventRelay takeRelay() {
        relayTaken = true;
        return relay;
    }

    /**
     * The Thalassa started early, once its start ended, or null when there is none (its bean starts it); the start's
     * exception as it was thrown when it failed. Who takes it owns it.
     */
    public Thalassa claim() {
        claimed = true;
        long t0 = System.nanoTime();
        try {
            return join(started);
        } finally {
            LOG.debug("thalassa - its bean waited {} ms for the early start", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * A Thalassa started here that no bean took: aborted (HAProxy stopped), once its start ended; the parts no bean
     * took are closed.
     */
    @Override
    public void destroy() {
        CompletableFuture<Thalassa> f = started;
        if (f == null) {
            return;
        }
        if (!claimed) {
            try {
                Thalassa unclaimed = f.get(2, TimeUnit.MINUTES);
                if (unclaimed != null) {
                    unclaimed.abort();
                }
            } catch (TimeoutException e) {
                LOG.warn("thalassa - the early start did not end within 2 minutes; not aborted");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) { // it failed to start: nothing runs
                LOG.debug("thalassa - the early start had failed: {}", e.toString());
            }
        }
        if (!storeTaken) {
            closeQuietly(made(store));
        }
        if (!registryTaken) {
            closeQuietly(made(registry));
        }
        if (!relayTaken) {
            relay.close();
        }
    }

    /** What {@code part} was made as, or null (not made, failed, or still being made). */
    private static Object made(CompletableFuture<?> part) {
        return part.isDone() && !part.isCompletedExceptionally() ? part.getNow(null) : null;
    }

    private static void closeQuietly(Object part) {
        if (part instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("thalassa - closing {} failed: {}", part, e.toString());
            }
        }
    }
}
