package io.thalassa.spring;

import io.thalassa.runtime.Thalassa;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The Thalassa bean (the starter's or the application's own) in Actuator's health, with
 * {@code management.health.thalassa.enabled} (the default): the {@code thalassa} health contributor
 * ({@link ThalassaHealthContributor}) and the readiness state following HAProxy ({@link ThalassaReadinessIndicator}).
 * A class of its own so that a host without Spring Boot's health module skips it whole.
 */
@AutoConfiguration(after = ThalassaAutoConfiguration.class,
        afterName = "org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration",
        beforeName = {
            "org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration",
            "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration"})
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnBean(Thalassa.class)
@ConditionalOnEnabledHealthIndicator("thalassa")
public class ThalassaHealthAutoConfiguration {
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
