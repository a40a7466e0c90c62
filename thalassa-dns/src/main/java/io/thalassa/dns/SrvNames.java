package io.thalassa.dns;

import io.thalassa.InvalidValueException;
import io.thalassa.internal.Checks;

/**
 * The SRV name a backend's service and version are looked up under: a template with {@code {service}} and
 * {@code {version}}, e.g. {@code _{service}._tcp.v{version}.svc.example.}, where the version's dots become dashes
 * ({@code 1.0.0} is {@code v1-0-0}), as a DNS label holds no dot. A version is one label of letters, digits,
 * {@code -}, {@code _} and {@code .}: {@code ~} and {@code +} are refused; {@code 1.0-0} and {@code 1-0.0} meet at
 * the same name, so keep one spelling. Immutable.
 */
public final class SrvNames {
    private final String template;

    private SrvNames(String template) {
        this.template = template;
    }

    /**
     * A template, absolute (ending in a dot), with {@code {service}} and {@code {version}} once each.
     *
     * @throws IllegalArgumentException naming {@code dnsName} when it is not such a template
     */
    public static SrvNames of(String template) {
        Checks.token("dnsName", template, 253);
        if (!template.endsWith(".") || count(template, "{service}") != 1 || count(template, "{version}") != 1) {
            throw new InvalidValueException("dnsName", template, "dnsName must be an absolute name (ending in a dot)"
                    + " with {service} and {version} once each, e.g. _{service}._tcp.v{version}.svc.example.: "
                    + Checks.quote(template));
        }
        String probe = template.replace("{service}", "a").replace("{version}", "1");
        if (!probe.matches("([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\\.)+")) {
            throw new InvalidValueException("dnsName", template, "dnsName must be labels of letters, digits, - and _"
                    + " separated by dots: " + Checks.quote(template));
        }
        return new SrvNames(template);
    }

    /**
     * The SRV name of {@code service} at {@code version}.
     *
     * @throws IllegalArgumentException naming {@code name} or {@code version} when it cannot be one DNS label
     */
    public String name(String service, String version) {
        return template.replace("{service}", label("name", service)).replace("{version}", label("version", version));
    }

    /** The template. */
    public String template() {
        return template;
    }

    /** A service part as one DNS label: dots become dashes; {@code ~} and {@code +} are refused. */
    static String label(String field, String value) {
        Checks.servicePart(field, value);
        if (value.indexOf('~') >= 0 || value.indexOf('+') >= 0 || value.length() > 63) {
            throw new InvalidValueException(field, value, field + " must be at most 63 characters of [A-Za-z0-9._-]"
                    + " to be looked up in DNS (dots become dashes): " + Checks.quote(value));
        }
        return value.replace('.', '-');
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return template;
    }
}
