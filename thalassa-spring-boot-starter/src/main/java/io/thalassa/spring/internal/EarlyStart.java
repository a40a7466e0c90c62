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

    private volatile Registry registry;
    private volatile ConfigStore store;
    private volatile ThalassaEventRelay relay;
    private volatile CompletableFuture<Thalassa> started;
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
        Thalassa.preload();
        if (environment == null || loader == null || publisher == null || !onlyOurs(beanFactory)) {
            return;
        }
        ThalassaProperties p;
        Registry r;
        ConfigStore s;
        try {
            p = Binder.get(environment).bindOrCreate("thalassa", ThalassaProperties.class);
            r = Builders.registry(p, loader.getClassLoader());
        } catch (RuntimeException e) { // the beans say it again, in their words
            LOG.debug("thalassa - not started early: {}", e.toString());
            return;
        }
        try {
            s = Builders.store(p, loader.getClassLoader());
        } catch (RuntimeException e) {
            closeQuietly(r);
            LOG.debug("thalassa - not started early: {}", e.toString());
            return;
        }
        ThalassaEventRelay events = new ThalassaEventRelay(publisher);
        CompletableFuture<Thalassa> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(Startup.start(p, r, s, null, events, loader));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "thalassa-start");
        t.setDaemon(true);
        registry = r;
        store = s;
        relay = events;
        started = f;
        t.start();
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

    /** The registry made for the early start, or null when the Thalassa starts in its bean; who takes it owns it. */
    public Registry takeRegistry() {
        registryTaken = true;
        return registry;
    }

    /** The store made for the early start, or null; who takes it owns it. */
    public ConfigStore takeStore() {
        storeTaken = true;
        return store;
    }

    /** The event relay the early start gave its Thalassa, or null; who takes it owns it. */
    public ThalassaEventRelay takeRelay() {
        relayTaken = true;
        return relay;
    }

    /**
     * The Thalassa started early, once its start ended, or null when there is none; the start's exception as it was
     * thrown when it failed. Who takes it owns it.
     */
    public Thalassa claim() {
        CompletableFuture<Thalassa> f = started;
        if (f == null) {
            return null;
        }
        claimed = true;
        try {
            return f.join();
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
                f.get(2, TimeUnit.MINUTES).abort();
            } catch (TimeoutException e) {
                LOG.warn("thalassa - the early start did not end within 2 minutes; not aborted");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) { // it failed to start: nothing runs
                LOG.debug("thalassa - the early start had failed: {}", e.toString());
            }
        }
        if (!storeTaken) {
            closeQuietly(store);
        }
        if (!registryTaken) {
            closeQuietly(registry);
        }
        if (!relayTaken) {
            relay.close();
        }
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
