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

/** The registration API (both ports): register, refresh, deregister and list instances in the Thalassa's registry. */
final class RegistrationRoutes {
    private final Thalassa thalassa;

    RegistrationRoutes(Thalassa thalassa) {
        this.thalassa = thalassa;
    }

    ApiResponse list(String name, String version) {
        List<Member> out = new ArrayList<>();
        for (Registration r : registry(() -> thalassa.registry().registrations(name, version))) {
            out.add(r.toMember());
        }
        return ApiResponse.json(200, Json.write(out));
    }

    ApiResponse register(ApiRequest req) {
        writable();
        int port = port(req.param("port"));
        ObjectNode body = Json.readObjectOrEmpty(req.body());
        Map<String, Object> meta = Json.MAPPER.convertValue(body, new TypeReference<LinkedHashMap<String, Object>>() {
        });
        Registration registration;
        try {
            registration = Registration.of(req.param("name"), req.param("version"), req.param("host"), port, meta,
                    Registration.parseSecondsToExpire(meta.get("secondsToExpire")));
        } catch (IllegalArgumentException e) {
            throw Json.translate(e);
        }
        registry(() -> {
            thalassa.registry().register(registration);
            return null;
        });
        return ApiResponse.json(200, Json.write(registration.toMember()));
    }

    ApiResponse deregister(ApiRequest req) {
        writable();
        int port = port(req.param("port"));
        boolean removed;
        try {
            removed = registry(() -> thalassa.registry().deregister(req.param("name"), req.param("version"),
                    req.param("host"), port));
        } catch (IllegalArgumentException e) {
            throw Json.translate(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", io.thalassa.Member.idOf(req.param("name"), req.param("version"), req.param("host"), port));
        body.put("removed", removed);
        return ApiResponse.json(200, Json.write(body));
    }

    /** 405 when the registry only reads a source kept by others (DNS): it says where instances register. */
    private void writable() {
        if (!thalassa.registry().acceptsRegistrations()) {
            throw new ApiException(405, "registry_read_only", null, "the " + thalassa.registry().kind()
                    + " registry is read-only (" + thalassa.registry() + "): instances are registered in its own"
                    + " source (DNS: SRV records added and removed there), not through this API");
        }
    }

    private static int port(String value) {
        return (int) RestApi.number("port", value, 1, 65535);
    }

    private static <T> T registry(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RegistryUnavailableException e) {
            throw new ApiException(503, "registry_unavailable", null, e.getMessage());
        }
    }
}
