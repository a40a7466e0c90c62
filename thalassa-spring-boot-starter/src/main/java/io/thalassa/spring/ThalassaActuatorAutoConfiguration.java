package io.thalassa.spring;

import io.thalassa.micrometer.ThalassaMetrics;
import io.thalassa.runtime.Thalassa;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Thalassa bean (the starter's or the application's own) in Actuator's info and in the application's meters: the
 * {@code thalassa} info ({@link ThalassaInfoContributor}) and the daemon's meters ({@link ThalassaMetrics}, a
 * {@code MeterBinder} Spring Boot binds to the application's meter registry). Its health is
 * {@link ThalassaHealthAutoConfiguration}'s. Each part needs its module and backs off for a bean of the application's.
 */
@AutoConfiguration(after = ThalassaAutoConfiguration.class)
@ConditionalOnBean(Thalassa.class)
public class ThalassaActuatorAutoConfiguration {

    /** {@code management.info.thalassa.enabled}: versions and pids in {@code /actuator/info}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
    @ConditionalOnBooleanProperty(name = "management.info.thalassa.enabled", matchIfMissing = true)
    static class Info {
        @Bean
        @ConditionalOnMissingBean
        ThalassaInfoContributor thalassaInfoContributor(Thalassa thalassa) {
            return new ThalassaInfoContributor(thalassa);
        }
    }

    /** The daemon's meters, bound by Spring Boot to the application's meter registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        ThalassaMetrics thalassaMetrics(Thalassa thalassa) {
            return ThalassaMetrics.of(thalassa);
        }
    }
}
