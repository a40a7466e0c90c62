package io.thalassa.spring;

import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.ThalassaStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * {@code thalassa} in {@code /actuator/info}: the library's version, HAProxy's version and its master's and workers'
 * pids, the registry, the store, the work directory and, in a fleet, this node's name.
 */
public final class ThalassaInfoContributor implements InfoContributor {
    private final Thalassa thalassa;

    public ThalassaInfoContributor(Thalassa thalassa) {
        this.thalassa = thalassa;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> info = new LinkedHashMap<>();
        String version = Thalassa.class.getPackage().getImplementationVersion();
        info.put("version", version != null ? version : "dev");
        ThalassaStatus s = thalassa.status();
        Map<String, Object> haproxy = new LinkedHashMap<>();
        haproxy.put("version", haproxyVersion());
        haproxy.put("masterPid", s.masterPid());
        haproxy.put("workerPids", s.workerPids());
        haproxy.put("configFile", s.configFile().toString());
        info.put("haproxy", haproxy);
        info.put("registry", s.registryKind());
        info.put("store", thalassa.store().name());
        info.put("workDir", thalassa.workDir().toString());
        thalassa.fleetNode().ifPresent(n -> info.put("fleetNode", n));
        builder.withDetail("thalassa", info);
    }

    /** What HAProxy's {@code show info} says its version is, or null while it cannot be asked. */
    private String haproxyVersion() {
        try {
            return thalassa.controller().runtimeApi().showInfo().get("Version");
        } catch (RuntimeException e) {
            return null;
        }
    }
}
