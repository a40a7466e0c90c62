package io.thalassa.spring.internal;

import io.thalassa.ThalassaException;
import io.thalassa.haproxy.HaproxySettings;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spi.ConfigStore;
import io.thalassa.spi.Registry;
import io.thalassa.spring.ThalassaEventRelay;
import io.thalassa.spring.ThalassaProperties;
import io.thalassa.spring.ThalassaPropertyException;
import org.springframework.core.io.ResourceLoader;

/** The starter's Thalassa: every property checked and the config file read, then started with the file's items. */
public final class Startup {
    private Startup() {
    }

    /**
     * Starts the Thalassa the properties describe, with these parts.
     *
     * @param haproxySettings the application's HAProxy settings, or null for the library's
     * @throws ThalassaPropertyException naming the property at fault; nothing runs then
     */
    public static Thalassa start(ThalassaProperties p, Registry registry, ConfigStore store,
            HaproxySettings haproxySettings, ThalassaEventRelay events, ResourceLoader loader) {
        Builders.checkHttp(p, loader.getClassLoader());
        ConfigFile file = p.getConfigFile() == null ? null : ConfigFile.read(p.getConfigFile(), loader);
        Thalassa.Builder b = Builders.thalassa(p).registry(registry).store(store).listener(events);
        if (haproxySettings != null) {
            b.settings(haproxySettings);
        }
        if (file != null) {
            b.startWith(file.change());
        }
        Thalassa thalassa;
        try {
            thalassa = b.start();
        } catch (java.io.UncheckedIOException e) {
            throw new ThalassaPropertyException("thalassa.work-dir", p.getWorkDir(), "cannot be written: "
                    + e.getMessage(), "Make thalassa.work-dir (and thalassa.state-dir) a directory this process may"
                    + " write.", e);
        } catch (RuntimeException e) {
            if (file != null && fromTheFile(e)) {
                throw file.refused(e);
            }
            if (!(e instanceof ThalassaException)) {
                throw e;
            }
            String binary = p.getHaproxy().getBinary() != null ? p.getHaproxy().getBinary() : "haproxy";
            throw new ThalassaPropertyException("thalassa.haproxy.binary", binary, "HAProxy did not start: "
                    + e.getMessage(), "Install HAProxy 2.6 or later, or name it with thalassa.haproxy.binary; check"
                    + " that the frontends' ports are free and thalassa.work-dir is writable.", e);
        }
        return thalassa;
    }

    /**
     * Whether a failed start refused what the config file brought: HAProxy rejected the configuration to start with,
     * or, in a fleet, the first write did not run.
     */
    private static boolean fromTheFile(RuntimeException e) {
        if (e instanceof io.thalassa.ReloadFailedException || e instanceof io.thalassa.ChangeTimeoutException) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.thalassa.ConfigRejectedException) {
                return true;
            }
        }
        return false;
    }
}
