package io.thalassa.spring;

import io.thalassa.micrometer.ThalassaMetrics;
import io.thalassa.runtime.Thalassa;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Thalassa bean (the starter's or the application's own) in Actuator: the {@code thalassa} health contributor
 * ({@link ThalassaHealthContributor}), the readiness state following it ({@link ThalassaReadinessIndicator}), the
 * {@code thalassa} info ({@link ThalassaInfoContributor}) and the daemon's meters in the application's meter registry
 * ({@link ThalassaMetrics}, a {@code MeterBinder}). Each part needs its Actuator module and backs off for a bean of
 * the application's.
 */
@AutoConfiguration(after = ThalassaAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration",
        beforeName = {
            "org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration",
            "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration"})
@ConditionalOnBean(Thalassa.class)
public class ThalassaActuatorAutoConfiguration {

    /** {@code management.health.thalassa.enabled}: the health contributor and the readiness state. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("thalassa")
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "thalassaHealthContributor")
        ThalassaHealthContributor thalassaHealthContributor(Thalassa thalassa) {
            return new ThalassaHealthContributor(thalassa);
        }

        /** Replaces Spring Boot's own readiness state indicator (same name), which backs off for it. */
        @Bean
        @ConditionalOnMissingBean(name = "readinessStateHealthIndicator")
        @ConditionalOnBean(ApplicationAvailability.class)
        @ConditionalOnBooleanProperty(name = "thalassa.health.readiness", matchIfMissing = true)
        @ConditionalOnBooleanProperty(name = "management.endpoint.health.probes.enabled", matchIfMissing = true)
        ThalassaReadinessIndicator readinessStateHealthIndicator(ApplicationAvailability availability,
                Thalassa thalassa) {
            return new ThalassaReadinessIndicator(availability, thalassa);
        }
    }

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
