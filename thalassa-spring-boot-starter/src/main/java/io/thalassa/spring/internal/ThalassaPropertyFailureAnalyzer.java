package io.thalassa.spring.internal;

import io.thalassa.spring.ThalassaPropertyException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * Says which {@code thalassa.*} property stopped the start, the value as written and where ({@code application.yml}
 * line, an environment variable...), the library's reason, and what to do.
 */
public final class ThalassaPropertyFailureAnalyzer extends AbstractFailureAnalyzer<ThalassaPropertyException> {
    private final Environment environment;

    public ThalassaPropertyFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ThalassaPropertyException cause) {
        StringBuilder d = new StringBuilder("Thalassa could not start: property ").append(cause.property())
                .append(" is not usable.\n\n");
        ConfigurationProperty given = given(cause.property());
        Object value = given != null ? given.getValue() : cause.value();
        d.append("    Property: ").append(cause.property()).append('\n');
        d.append("    Value:    \"").append(value).append("\"\n");
        if (given != null && given.getOrigin() != null) {
            d.append("    Origin:   ").append(given.getOrigin()).append('\n');
        }
        d.append("    Reason:   ").append(cause.reason());
        return new FailureAnalysis(d.toString(), cause.action(), cause);
    }

    /** The property as the environment holds it (the first source that has it), or null. */
    private ConfigurationProperty given(String property) {
        if (environment == null || !ConfigurationPropertyName.isValid(property)) {
            return null;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty p = source.getConfigurationProperty(name);
            if (p != null) {
                return p;
            }
        }
        return null;
    }
}
