package io.thalassa.http.internal;

import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ReloadFailedException;
import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaException;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.runtime.Change;
import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.ThalassaStatus;
import io.thalassa.spi.Registration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.node.ObjectNode;

/** {@code GET /status}, {@code /fleet} and {@code /health/ready}: what the Thalassa says about itself, as JSON. */
final class StatusRoutes {
    private final Thalassa thalassa;
    private final Map<String, Object> instance;
    private final Instant startedAt = Instant.now();

    StatusRoutes(Thalassa thalassa, Map<String, Object> instance) {
        this.thalassa = thalassa;
        this.instance = new LinkedHashMap<>(instance);
    }

    ApiResponse status(ApiRequest req) {
        Map<String, Object> body = new LinkedHashMap<>(instance);
        body.put("version", version());
        body.put("startedAt", startedAt.toString());
        body.put("uptimeSeconds", java.time.Duration.between(startedAt, Instant.now()).toSeconds());
        ThalassaConfig config = thalassa.config();
        body.put("frontends", config.frontends().size());
        body.put("backends", config.backends().size());
        body.putAll(statusView(thalassa.status()));
        return ApiResponse.json(200, Json.write(body));
    }

    /** {@code haproxy}, {@code registry} and, in a fleet, {@code fleet} of {@code /status}. */
    static Map<String, Object> statusView(ThalassaStatus s) {
        Map<String, Object> haproxy = new LinkedHashMap<>();
        haproxy.put("runsDesired", s.haproxy().runsDesired());
        haproxy.put("pending", s.haproxy().pending().stream().map(ChangeView::of).toList());
        haproxy.put("failed", s.haproxy().failed().map(ChangeView::of).orElse(null));
        haproxy.put("masterPid", s.masterPid());
        haproxy.put("workerPids", s.workerPids());
        haproxy.put("reloads", s.haproxy().reloads());
        haproxy.put("failedReloads", s.haproxy().failedReloads());
        haproxy.put("servers", s.haproxy().servers());
        Map<String, Object> fds = new LinkedHashMap<>();
        fds.put("needed", s.haproxy().fileDescriptors().needed());
        fds.put("available", s.haproxy().fileDescriptors().available());
        fds.put("detail", s.haproxy().fileDescriptors().detail());
        haproxy.put("fileDescriptors", fds);
        haproxy.put("configFile", s.configFile().toString());
        haproxy.put("logFile", s.logFile().toString());
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("kind", s.registryKind());
        reg.put("health", s.registry());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("haproxy", haproxy);
        status.put("registry", reg);
        s.fleet().ifPresent(f -> status.put("fleet", f));
        return status;
    }

    /** Every node of the fleet and whether it runs the newest revision; 404 outside fleet mode. */
    ApiResponse fleet(ApiRequest req) {
        Optional<Map<String, Object>> fleet;
        try {
            fleet = thalassa.fleet();
        } catch (StoreUnavailableException e) {
            throw new ApiException(503, "store_unavailable", null, e.getMessage());
        }
        return ApiResponse.json(200, Json.write(fleet.orElseThrow(() -> ApiException.notFound(
                "this daemon is not part of a fleet: start every node with --store consul"))));
    }

    /**
     * 200 when HAProxy runs the configuration last accepted (and has a master): {@code ready}, or {@code degraded}
     * while the registry cannot be reached (the members last known are kept, so traffic flows); else 503 saying why.
     */
    ApiResponse ready(ApiRequest req) {
        Map<String, Object> body = new LinkedHashMap<>();
        ThalassaStatus s = thalassa.status();
        boolean runs = s.ready();
        body.put("status", !runs ? "not_ready" : s.registry().isConnected() ? "ready" : "degraded");
        if (!runs) {
            body.put("reason", s.masterPid() <= 0 ? "HAProxy is not running"
                    : "HAProxy does not run the configuration last accepted yet (a reload is pending or failed)");
        } else if (!s.registry().isConnected()) {
            body.put("reason", "the " + s.registryKind() + " registry cannot be reached since "
                    + s.registry().since() + " (" + s.registry().detail() + "); the members last known are kept");
        }
        return ApiResponse.json(runs ? 200 : 503, Json.write(body));
    }

    /** The version in the jar's manifest, or "dev" when run from classes. */
    static String version() {
        String v = StatusRoutes.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
