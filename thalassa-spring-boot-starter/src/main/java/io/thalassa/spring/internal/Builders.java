package io.thalassa.spring.internal;

import io.thalassa.Bind;
import io.thalassa.EmbeddedRegistry;
import io.thalassa.InvalidValueException;
import io.thalassa.haproxy.HaproxyController;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.runtime.FileConfigStore;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.HaproxyProperties;
import io.thalassa.spring.ThalassaProperties;
import io.thalassa.spring.ThalassaPropertyException;
import java.time.Duration;
import java.util.function.Consumer;
import org.springframework.util.ClassUtils;

/**
 * The {@code thalassa.*} properties as the library's builders: each property is one setter call, and a value the
 * setter refuses becomes a {@link ThalassaPropertyException} naming the property, with the library's reason. Nothing
 * here checks a value itself.
 */
public final class Builders {
    static final String HTTP_ADAPTER = "io.thalassa.http.ThalassaHttp";
    static final String CONSUL = "io.thalassa.consul.ConsulRegistry";
    static final String ZOOKEEPER = "io.thalassa.zookeeper.ZookeeperRegistry";

    private Builders() {
    }

    /**
     * Calls {@code setter} with {@code value} unless it is null; a refusal names {@code property}.
     *
     * @throws ThalassaPropertyException when the setter refuses the value
     */
    public static <T> void set(String property, T value, Consumer<T> setter) {
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (InvalidValueException e) {
            throw new ThalassaPropertyException(property, value, e.reason(), null, e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ThalassaPropertyException(property, value, e.getMessage(), null, e);
        }
    }

    /** The Thalassa's own settings (no registry, store or listener yet), not started. */
    public static Thalassa.Builder thalassa(ThalassaProperties p) {
        Thalassa.Builder b = Thalassa.builder();
        set("thalassa.work-dir", p.getWorkDir(), b::workDir);
        set("thalassa.state-dir", p.getStateDir(), b::stateDir);
        set("thalassa.reload-window", p.getReloadWindow(), b::reloadWindow);
        set("thalassa.bind-address", p.getBindAddress(), b::bindAddress);
        set("thalassa.activity-retention", p.getActivityRetention(), b::activityRetention);
        set("thalassa.node-name", p.getNodeName(), b::nodeName);
        set("thalassa.first-delivery-timeout", p.getFirstDeliveryTimeout(), b::firstDeliveryTimeout);
        HaproxyProperties h = p.getHaproxy();
        set("thalassa.haproxy.binary", h.getBinary(), b::haproxyBinary);
        set("thalassa.haproxy.config-file", h.getConfigFile(), b::configFile);
        set("thalassa.haproxy.user", h.getUser(), b::haproxyUser);
        set("thalassa.haproxy.file-limit", h.getFileLimit(), b::fileLimit);
        set("thalassa.haproxy.stats-page", h.getStatsPage(), page -> b.statsPage(Bind.parse(page), h.getStatsAuth()));
        Duration supervision = h.getSupervisionInterval();
        // checked now, by the controller's own setter; used when the controller is built at start
        set("thalassa.haproxy.supervision-interval", supervision,
                d -> HaproxyController.builder().supervisionInterval(d));
        if (supervision != null) {
            b.controller(c -> c.supervisionInterval(supervision));
        }
        b.haproxy(haproxySettings(h));
        return b;
    }

    /**
     * HAProxy's own settings the {@code thalassa.haproxy.*} properties set (timeouts, maxconn, forwardfor, server
     * state), as a tuning of the Thalassa's; each checked now by HAProxy's settings' own setter.
     */
    static java.util.function.UnaryOperator<HaproxySettings.Builder> haproxySettings(HaproxyProperties h) {
        setHaproxy(h, HaproxySettings.builder()); // checked now: a refusal names its property
        if (h.getMaxconn() != null && h.getDefaultMaxconn() != null && h.getDefaultMaxconn() > h.getMaxconn()) {
            throw new ThalassaPropertyException("thalassa.haproxy.default-maxconn", h.getDefaultMaxconn(),
                    "it must not exceed thalassa.haproxy.maxconn (" + h.getMaxconn() + ")",
                    "Lower thalassa.haproxy.default-maxconn, or raise thalassa.haproxy.maxconn.", null);
        }
        return settings -> setHaproxy(h, settings);
    }

    /** Sets on {@code settings} each {@code thalassa.haproxy.*} property of HAProxy's own that is given. */
    private static HaproxySettings.Builder setHaproxy(HaproxyProperties h, HaproxySettings.Builder settings) {
        set("thalassa.haproxy.timeout-connect", h.getTimeoutConnect(), settings::timeoutConnect);
        set("thalassa.haproxy.timeout-client", h.getTimeoutClient(), settings::timeoutClient);
        set("thalassa.haproxy.timeout-server", h.getTimeoutServer(), settings::timeoutServer);
        set("thalassa.haproxy.timeout-http-request", h.getTimeoutHttpRequest(), settings::timeoutHttpRequest);
        set("thalassa.haproxy.timeout-http-keep-alive", h.getTimeoutHttpKeepAlive(), settings::timeoutHttpKeepAlive);
        set("thalassa.haproxy.timeout-tunnel", h.getTimeoutTunnel(), settings::timeoutTunnel);
        set("thalassa.haproxy.maxconn", h.getMaxconn(), settings::globalMaxconn);
        set("thalassa.haproxy.default-maxconn", h.getDefaultMaxconn(), settings::defaultsMaxconn);
        set("thalassa.haproxy.forward-for", h.getForwardFor(), settings::forwardFor);
        set("thalassa.haproxy.keep-server-state", h.getKeepServerState(), settings::keepServerState);
        return settings;
    }

    /** The registry {@code thalassa.registry.*} describes, started. */
    public static Registry registry(ThalassaProperties p, ClassLoader classLoader) {
        ThalassaProperties.Registry r = p.getRegistry();
        return switch (r.getKind()) {
            case EMBEDDED -> {
                EmbeddedRegistry.Builder b = EmbeddedRegistry.builder();
                ThalassaProperties.Embedded e = r.getEmbedded();
                b.stateFile(e.getStateFile() != null ? e.getStateFile() : thalassa(p).build().registrationsFile());
                set("thalassa.registry.embedded.reaper-interval", e.getReaperInterval(), b::reaperInterval);
                yield b.build();
            }
            case CONSUL -> {
                needs(classLoader, CONSUL, "thalassa.registry.kind", "consul", "io.thalassa:thalassa-consul",
                        "thalassa.registry.kind=embedded");
                yield ConsulParts.registry(r.getConsul());
            }
            case ZOOKEEPER -> {
                needs(classLoader, ZOOKEEPER, "thalassa.registry.kind", "zookeeper", "io.thalassa:thalassa-zookeeper",
                        "thalassa.registry.kind=embedded");
                yield ZookeeperParts.registry(r.getZookeeper());
            }
        };
    }

    /** The store {@code thalassa.store.*} describes; it is read when the Thalassa starts. */
    public static ConfigStore store(ThalassaProperties p, ClassLoader classLoader) {
        ThalassaProperties.Store s = p.getStore();
        return switch (s.getKind()) {
            case FILE -> FileConfigStore.at(s.getFile() != null ? s.getFile() : thalassa(p).build().storeFile());
            case CONSUL -> {
                needs(classLoader, CONSUL, "thalassa.store.kind", "consul", "io.thalassa:thalassa-consul",
                        "thalassa.store.kind=file");
                yield ConsulParts.store(s.getConsul());
            }
        };
    }

    /**
     * Fails naming {@code property} when the module a value of it needs is not on the classpath.
     *
     * @throws ThalassaPropertyException when {@code className} cannot be loaded
     */
    static void needs(ClassLoader classLoader, String className, String property, Object value, String module,
            String otherwise) {
        if (!ClassUtils.isPresent(className, classLoader)) {
            throw new ThalassaPropertyException(property, value, "it needs " + module + ", which is not on the"
                    + " classpath", "Add the dependency " + module + " to the application, or set " + otherwise + ".",
                    null);
        }
    }

    /** Whether the HTTP adapter is on the classpath; fails naming thalassa.http.enabled when it is wanted and not. */
    static void checkHttp(ThalassaProperties p, ClassLoader classLoader) {
        if (p.getHttp().isEnabled()) {
            needs(classLoader, HTTP_ADAPTER, "thalassa.http.enabled", true, "io.thalassa:thalassa-http-adapter",
                    "thalassa.http.enabled=false");
        }
    }
}
