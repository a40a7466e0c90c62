package io.thalassa.spring;

import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.http.ThalassaHttp;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.internal.Builders;
import io.thalassa.spring.internal.EarlyStart;
import io.thalassa.spring.internal.HttpParts;
import io.thalassa.spring.internal.Startup;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * A started {@link Thalassa} bean from the {@code thalassa.*} properties ({@link ThalassaProperties}), with its
 * {@link Registry} and {@link ConfigStore} as beans, its {@link ThalassaLifecycle}, its events as application events
 * ({@link ThalassaEventRelay}) and, with {@code thalassa.http.enabled}, the REST API and web UI
 * ({@link ThalassaHttp}). Each bean backs off when the application has its own; a Registry, ConfigStore or
 * {@link HaproxySettings} bean of the application's is what the Thalassa is built with, and with a Thalassa bean of
 * its own nothing of this class but the HTTP server is made.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "thalassa.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ThalassaProperties.class)
public class ThalassaAutoConfiguration {

    /** The Thalassa and its parts, unless the application has a Thalassa of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(Thalassa.class)
    static class Runtime {
        /**
         * Starts the Thalassa on a thread of its own from the moment the context's beans begin to be made, when
         * every part of it is the starter's ({@link EarlyStart}); otherwise warms the start that its bean makes later
         * ({@link Thalassa#preload()}).
         */
        @Bean
        static EarlyStart thalassaEarlyStart() {
            return new EarlyStart();
        }

        @Bean
        @ConditionalOnMissingBean
        Registry thalassaRegistry(ThalassaProperties properties, ResourceLoader loader, EarlyStart early) {
            Registry made = early.takeRegistry();
            return made != null ? made : Builders.registry(properties, loader.getClassLoader());
        }

        @Bean
        @ConditionalOnMissingBean
        ConfigStore thalassaStore(ThalassaProperties properties, ResourceLoader loader, EarlyStart early) {
            ConfigStore made = early.takeStore();
            return made != null ? made : Builders.store(properties, loader.getClassLoader());
        }

        @Bean
        @ConditionalOnMissingBean
        ThalassaEventRelay thalassaEventRelay(ApplicationEventPublisher publisher, EarlyStart early) {
            ThalassaEventRelay made = early.takeRelay();
            return made != null ? made : new ThalassaEventRelay(publisher);
        }

        /**
         * Started here (or taken from {@link EarlyStart}, which started it meanwhile): HAProxy runs (started, or
         * adopted from the last run) before any bean that needs it, and so before the web server;
         * {@code thalassa.config-file} is applied. Destroyed with {@link Thalassa#abort()} when the application fails
         * to start: a HAProxy this start launched is stopped, an adopted one keeps serving.
         */
        @Bean(destroyMethod = "abort")
        Thalassa thalassa(ThalassaProperties properties, Registry registry, ConfigStore store,
                ObjectProvider<HaproxySettings> haproxySettings, ThalassaEventRelay events, ResourceLoader loader,
                EarlyStart early) {
            Thalassa made = early.claim();
            return made != null ? made
                    : Startup.start(properties, registry, store, haproxySettings.getIfAvailable(), events, loader);
        }

        @Bean
        @ConditionalOnMissingBean
        ThalassaLifecycle thalassaLifecycle(Thalassa thalassa, ThalassaEventRelay events,
                ThalassaProperties properties) {
            return new ThalassaLifecycle(thalassa, events, properties.getHaproxy().isStopOnShutdown());
        }
    }

    /** {@code thalassa.http.enabled}: the REST API, registration API and web UI on their own ports. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty("thalassa.http.enabled")
    @ConditionalOnClass(name = "io.thalassa.http.ThalassaHttp")
    static class Http {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        ThalassaHttp thalassaHttp(Thalassa thalassa, ThalassaProperties properties) {
            return HttpParts.serve(thalassa, properties);
        }

        @Bean
        SmartLifecycle thalassaHttpLifecycle(ThalassaHttp http) {
            return HttpParts.lifecycle(http);
        }
    }
}
