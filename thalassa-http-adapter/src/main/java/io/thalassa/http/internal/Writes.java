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

/**
 * Writes through the API and their answers: a change run on the Thalassa with its failures translated to the API's
 * errors, the answer naming the change that carries it ({@code ?wait} for HAProxy, and in a fleet for every node), and
 * {@code GET /changes/{id}}.
 */
final class Writes {
    private final Thalassa thalassa;
    private volatile boolean attributed;

    Writes(Thalassa thalassa) {
        this.thalassa = thalassa;
    }

    /** Whether writes are recorded in the history by the role of their token (when a tokens file is used). */
    void attributed(boolean byRole) {
        this.attributed = byRole;
    }

    /** Runs a change on the Thalassa and translates its failures. */
    Change apply(UnaryOperator<ThalassaConfig> change) {
        return run(null, () -> thalassa.update(change));
    }

    /** Runs an edit (preconditions on the items' versions) for {@code req}, and translates its failures. */
    Change apply(ApiRequest req, io.thalassa.runtime.Edit edit) {
        return run(req, () -> thalassa.update(edit));
    }

    /**
     * Runs a write of the Thalassa for {@code req} (recorded in the history by its token's role when tokens are used)
     * and translates its failures into the API's errors.
     */
    <T> T run(ApiRequest req, java.util.function.Supplier<T> write) {
        try {
            if (attributed && req != null && req.role() != null) {
                return thalassa.attributed(req.role().wireName(), write);
            }
            return write.get();
        } catch (ApiException e) {
            throw e;
        } catch (io.thalassa.runtime.BatchException e) {
            throw BatchRoutes.refused(e);
        } catch (io.thalassa.runtime.VersionMismatchException e) {
            throw new ApiException(412, "precondition_failed", null, e.getMessage());
        } catch (io.thalassa.runtime.RolloutConflictException e) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("rollout", io.thalassa.runtime.internal.RolloutCodec.toJson(e.rollout()));
            throw new ApiException(409, "rollout_conflict", null, e.getMessage(), extra);
        } catch (CapacityExceededException e) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("needed", e.needed());
            extra.put("available", e.available());
            throw new ApiException(400, "capacity_exceeded", null, e.getMessage(), extra);
        } catch (ConfigRejectedException e) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("haproxyMessage", e.haproxyMessage());
            extra.put("line", e.line());
            throw new ApiException(400, "config_rejected", null, e.getMessage(), extra);
        } catch (ReloadFailedException e) {
            throw new ApiException(500, "reload_failed", null, e.getMessage());
        } catch (RegistryUnavailableException e) {
            throw new ApiException(503, "registry_unavailable", null, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw new ApiException(503, "store_unavailable", null, e.getMessage());
        } catch (StoreConflictException e) {
            throw new ApiException(409, "conflict", null, e.getMessage());
        } catch (ThalassaException e) {
            throw new ApiException(500, "internal_error", null, e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw Json.translate(e);
        }
    }

    /**
     * The answer to a write: the item (its ETag is the item's version, as a GET gives it) with the change that
     * carries it to HAProxy in the body ({@code change}) and in {@code X-Thalassa-Change}. With {@code ?wait}: once
     * the change is applied (200), failed (409, HAProxy's message), or still pending when the wait is over (202).
     * The rollouts the write ended (it changed their backend's version or split) are in {@code abortedRollouts}.
     */
    ApiResponse written(Object item, String id, Change w, Duration wait) {
        return written(item, id, w, wait, Map.of());
    }

    /** {@link #written(Object, String, Change, Duration)} with more fields in the body. */
    ApiResponse written(Object item, String id, Change w, Duration wait, Map<String, Object> extra) {
        Map<String, Object> more = new LinkedHashMap<>(extra);
        if (!w.abortedRollouts().isEmpty()) {
            more.put("abortedRollouts", w.abortedRollouts().stream().map(
                    io.thalassa.runtime.internal.RolloutCodec::toJson).toList());
        }
        String etag = id == null ? null : Preconditions.etag(w.version(id));
        ApiResponse out = answer(item, w, wait, more);
        return etag == null ? out : out.withHeader("ETag", etag);
    }

    private ApiResponse answer(Object item, Change w, Duration wait, Map<String, Object> extra) {
        byte[] itemBytes = Json.write(item);
        ChangeStatus change = w.status().orElse(null);
        if (change == null && extra.isEmpty()) {
            return ApiResponse.json(200, itemBytes);
        }
        if (change == null) {
            ObjectNode body = Json.readObject(itemBytes);
            extra.forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
            return ApiResponse.json(200, Json.write(body));
        }
        if (wait != null && !change.isFinished()) {
            try {
                change = thalassa.awaitChange(change.id(), wait).orElse(change);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode body = Json.readObject(itemBytes);
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            body.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
        }
        body.set("change", Json.MAPPER.valueToTree(ChangeView.of(change)));
        int status = 200;
        boolean fleetPending = false;
        if (wait != null && w.revision() > 0 && change.state() == ChangeStatus.State.APPLIED) {
            // in a fleet, ?wait also waits for every live node to run the store revision that holds the write
            try {
                Optional<Map<String, Object>> fleet = thalassa.awaitFleet(w.revision(), wait);
                if (fleet.isPresent()) {
                    Map<String, Object> f = new LinkedHashMap<>(fleet.get());
                    f.put("revision", w.revision());
                    fleetPending = !everyNodeRuns(f, w.revision());
                    f.put("converged", !fleetPending);
                    body.set("fleet", Json.MAPPER.valueToTree(f));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (StoreUnavailableException e) {
                fleetPending = true;
            }
        }
        if (fleetPending) {
            status = 202;
        }
        if (wait != null && change.state() == ChangeStatus.State.FAILED) {
            status = 409;
            body = Json.MAPPER.createObjectNode();
            body.put("status", 409);
            body.put("error", "change_failed");
            body.put("reason", "HAProxy refused change " + change.id() + ": " + change.message()
                    + "; HAProxy runs what it ran before");
            body.set("change", Json.MAPPER.valueToTree(ChangeView.of(change)));
        } else if (wait != null && !change.isFinished()) {
            status = 202;
        }
        return ApiResponse.json(status, Json.write(body)).withHeader(CHANGE_HEADER, Long.toString(change.id()));
    }

    private static boolean everyNodeRuns(Map<String, Object> fleet, long revision) {
        for (Object o : (List<?>) fleet.get("nodes")) {
            Map<?, ?> n = (Map<?, ?>) o;
            if (!(n.get("revision") instanceof Number r && r.longValue() >= revision
                    && Boolean.TRUE.equals(n.get("runsDesired")) && n.get("failure") == null)) {
                return false;
            }
        }
        return true;
    }

    /** The header a write's answer names its change in. */
    public static final String CHANGE_HEADER = "X-Thalassa-Change";
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    /** {@code ?wait=<duration>}: {@code 500ms}, {@code 10s}, {@code 2m} (a bare number is milliseconds); 0..2 min. */
    static Duration waitOf(ApiRequest req) {
        String raw = req.query("wait");
        if (raw == null) {
            return null;
        }
        Duration d;
        try {
            d = DaemonCommand.duration("wait", raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", "wait", "wait must be a duration such as 500ms, 10s or"
                    + " 1m: \"" + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw ApiException.badRequest("invalid_value", "wait", "wait must be in 0..2m: \"" + raw + "\"");
        }
        return d;
    }

    ApiResponse change(ApiRequest req) {
        String raw = req.param("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_value", "id", "a change id is a number: \""
                    + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
        Duration wait = waitOf(req);
        Optional<ChangeStatus> found;
        try {
            found = wait == null ? thalassa.change(id) : thalassa.awaitChange(id, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            found = thalassa.change(id);
        }
        ChangeStatus c = found.orElseThrow(() -> ApiException.notFound("change " + id
                + " is not known (the latest 10,000 are kept)"));
        return ApiResponse.json(200, Json.write(ChangeView.of(c)));
    }
}
