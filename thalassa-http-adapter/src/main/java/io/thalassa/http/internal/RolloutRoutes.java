package io.thalassa.http.internal;

import io.thalassa.InvalidValueException;
import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.internal.RolloutCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A backend's rollout ({@link Thalassa#rollout(String, Rollout)}): {@code POST /backends/{key}/rollout} starts it,
 * {@code GET} shows it (step, shares, each version's numbers, every decision), {@code DELETE} aborts it (back to the
 * old version), {@code POST .../pause} and {@code .../resume}; {@code GET /rollouts} lists every backend's.
 */
final class RolloutRoutes {
    private static final Set<String> FIELDS = Set.of("version", "steps", "stepSeconds", "guard");
    private static final Set<String> GUARD = Set.of("maxErrorRatePct", "maxResponseTimeMs", "minRequests");

    private final Thalassa thalassa;
    private final Writes writes;

    RolloutRoutes(Thalassa thalassa, Writes writes) {
        this.thalassa = thalassa;
        this.writes = writes;
    }

    void addTo(Router r) {
        r.add("GET", "/rollouts", this::list)
                .add("GET", "/backends/{key}/rollout", this::get)
                .add("POST", "/backends/{key}/rollout", this::start)
                .add("DELETE", "/backends/{key}/rollout", req -> control(req, () -> thalassa.abortRollout(key(req))))
                .add("POST", "/backends/{key}/rollout/pause",
                        req -> control(req, () -> thalassa.pauseRollout(key(req))))
                .add("POST", "/backends/{key}/rollout/resume",
                        req -> control(req, () -> thalassa.resumeRollout(key(req))));
    }

    private ApiResponse list(ApiRequest req) {
        List<Object> all = new ArrayList<>();
        thalassa.rollouts().forEach(s -> all.add(RolloutCodec.toJson(s)));
        return ApiResponse.json(200, Json.write(Map.of("rollouts", all)));
    }

    /** The backend's key, 404 when there is no such backend. */
    private String key(ApiRequest req) {
        String key = req.param("key");
        if (thalassa.config().backend(key).isEmpty() && thalassa.rollout(key).isEmpty()) {
            throw ApiException.notFound("backend " + key + " does not exist");
        }
        return key;
    }

    private ApiResponse get(ApiRequest req) {
        String key = key(req);
        RolloutStatus s = thalassa.rollout(key).orElseThrow(() -> ApiException.notFound("backend " + key
                + " has no rollout: POST /backends/" + key + "/rollout starts one"));
        return ApiResponse.json(200, Json.write(RolloutCodec.toJson(s)));
    }

    private ApiResponse control(ApiRequest req, Supplier<RolloutStatus> action) {
        String key = key(req);
        try {
            return ApiResponse.json(200, Json.write(RolloutCodec.toJson(writes.run(req, action))));
        } catch (NoSuchElementException e) {
            throw ApiException.notFound("backend " + key + " has no rollout");
        }
    }

    private ApiResponse start(ApiRequest req) {
        String key = key(req);
        Rollout plan = plan(Json.readObject(req.body()));
        RolloutStatus s = writes.run(req, () -> thalassa.rollout(key, plan));
        return ApiResponse.json(201, Json.write(RolloutCodec.toJson(s)))
                .withHeader("Location", "/backends/" + key + "/rollout");
    }

    /**
     * {@code {"version":"2.0.0","steps":[5,25,50,100],"stepSeconds":30,"guard":{"maxErrorRatePct":1,
     * "maxResponseTimeMs":800,"minRequests":20}}}: version required, the rest with {@link Rollout}'s defaults.
     */
    static Rollout plan(ObjectNode body) {
        known(body, FIELDS, "");
        Rollout plan;
        try {
            String version = Json.optionalString(body, "version");
            if (version == null) {
                throw ApiException.badRequest("missing_field", "version", "version is required: the version to roll"
                        + " out to");
            }
            plan = Rollout.to(version);
            JsonNode steps = body.get("steps");
            if (steps != null && !steps.isNull()) {
                if (!steps.isArray()) {
                    throw Json.wrongType("steps", "an array of percentages", steps.asToken(), null);
                }
                int[] p = new int[steps.size()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = (int) whole(steps.get(i), "steps[" + i + "]", 1, 100);
                }
                plan = plan.steps(p);
            }
            JsonNode seconds = body.get("stepSeconds");
            if (seconds != null && !seconds.isNull()) {
                if (!seconds.isNumber()) {
                    throw Json.wrongType("stepSeconds", "a number", seconds.asToken(), seconds);
                }
                plan = plan.every(Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)));
            }
            JsonNode g = body.get("guard");
            if (g != null && !g.isNull()) {
                if (!g.isObject()) {
                    throw Json.wrongType("guard", "an object", g.asToken(), null);
                }
                known((ObjectNode) g, GUARD, "guard.");
                Rollout.Guard guard = Rollout.Guard.defaults();
                JsonNode rate = g.get("maxErrorRatePct");
                if (rate != null && !rate.isNull()) {
                    if (!rate.isNumber()) {
                        throw Json.wrongType("guard.maxErrorRatePct", "a number", rate.asToken(), rate);
                    }
                    guard = guard.maxErrorRatePct(rate.doubleValue());
                }
                JsonNode rt = g.get("maxResponseTimeMs");
                if (rt != null && !rt.isNull()) {
                    guard = guard.maxResponseTime(Duration.ofMillis(whole(rt, "guard.maxResponseTimeMs", 1,
                            600_000)));
                }
                JsonNode min = g.get("minRequests");
                if (min != null && !min.isNull()) {
                    guard = guard.minRequests(whole(min, "guard.minRequests", 1, 1_000_000));
                }
                plan = plan.guard(guard);
            }
        } catch (InvalidValueException e) {
            throw Json.invalid("", e);
        }
        return plan;
    }

    private static void known(ObjectNode body, Set<String> fields, String prefix) {
        body.propertyNames().forEach(f -> {
            if (!fields.contains(f)) {
                throw ApiException.badRequest("unknown_field", prefix + f, "unknown field \"" + f
                        + "\"; known fields: " + String.join(", ", new java.util.TreeSet<>(fields)));
            }
        });
    }

    private static long whole(JsonNode n, String field, long min, long max) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw Json.wrongType(field, "a whole number", n == null ? null : n.asToken(),
                    n != null && n.isValueNode() ? n : null);
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw new ApiException(400, "invalid_value", field, field + " must be in " + min + ".." + max + ": " + v,
                    Map.of("value", v));
        }
        return v;
    }
}
