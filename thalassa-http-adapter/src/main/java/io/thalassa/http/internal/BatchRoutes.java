package io.thalassa.http.internal;

import io.thalassa.Backend;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.InvalidValueException;
import io.thalassa.ModelRefusal;
import io.thalassa.NativePolicy;
import io.thalassa.VersionSplit;
import io.thalassa.runtime.Batch;
import io.thalassa.runtime.BatchException;
import io.thalassa.runtime.Change;
import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.VersionMismatchException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /batch}: up to 100 operations ({@code put}, {@code delete}, and {@code post} a backend's version or
 * split), each with the path of the single-item route, its body and an optional {@code ifMatch} ETag, applied as one
 * change or not at all ({@link Thalassa#apply(Batch)}). A refusal names the operation ({@code index}) and the field
 * ({@code operations[2].body.members[0].port}): 400 for an invalid one, 409 for an item that does not exist, 412 for
 * an ETag that does not hold, 422 when HAProxy refuses the batch up to that operation.
 */
final class BatchRoutes {
    private static final Set<String> OP_FIELDS = Set.of("op", "path", "body", "ifMatch");

    private final Thalassa thalassa;
    private final Writes writes;
    private final Supplier<NativePolicy> natives;

    BatchRoutes(Thalassa thalassa, Writes writes, Supplier<NativePolicy> natives) {
        this.thalassa = thalassa;
        this.writes = writes;
        this.natives = natives;
    }

    void addTo(Router r) {
        r.add("POST", "/batch", this::batch);
    }

    /** {@code frontend/<key>} or {@code backend/<key>} of an item path, {@code /frontends/web}; 400 naming field. */
    static String itemId(String field, String path) {
        String p = path == null ? "" : path;
        String[] parts = p.split("/", -1);
        if (parts.length == 3 && parts[0].isEmpty() && (parts[1].equals("frontends") || parts[1].equals("backends"))) {
            String key = Router.decode(field, parts[2]);
            try {
                return parts[1].equals("frontends") ? Frontend.idOf(key) : Backend.idOf(key);
            } catch (InvalidValueException e) {
                throw new ApiException(400, "invalid_key", field, e.reason(), Map.of("value", Json.shown(key)));
            }
        }
        throw ApiException.badRequest("invalid_value", field, field + " must be the path of a frontend or backend,"
                + " /frontends/<key> or /backends/<key>: " + io.thalassa.internal.Checks.quote(Json.shown(p)));
    }

    private ApiResponse batch(ApiRequest req) {
        Duration wait = Writes.waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        body.propertyNames().forEach(f -> {
            if (!f.equals("operations")) {
                throw ApiException.badRequest("unknown_field", f, "unknown field \"" + f
                        + "\"; known fields: operations");
            }
        });
        JsonNode ops = body.get("operations");
        if (ops == null || !ops.isArray() || ops.isEmpty() || ops.size() > Batch.MAX_OPERATIONS) {
            throw ApiException.badRequest(ops == null ? "missing_field" : "invalid_value", "operations",
                    "operations must be an array of 1 to " + Batch.MAX_OPERATIONS + " operations");
        }
        Batch batch = Batch.of();
        for (int i = 0; i < ops.size(); i++) {
            batch = operation(batch, i, ops.get(i));
        }
        Batch all = batch;
        Change w = writes.run(req, () -> thalassa.apply(all));
        Map<String, Object> items = new TreeMap<>();
        for (Batch.Operation op : all.operations()) {
            items.put(path(op.id()), Preconditions.etag(w.version(op.id())));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("operations", all.operations().size());
        answer.put("etags", items);
        return writes.written(answer, null, w, wait);
    }

    private static String path(String id) {
        return id.startsWith("frontend/") ? "/frontends/" + id.substring(9) : "/backends/" + id.substring(8);
    }

    /** {@code batch} with operation {@code i} read from {@code op}; a 400 naming the field when it is wrong. */
    private Batch operation(Batch batch, int i, JsonNode op) {
        String at = "operations[" + i + "]";
        if (!op.isObject()) {
            throw ApiException.badRequest("invalid_value", at, at + " must be an object {op, path, body, ifMatch}");
        }
        op.propertyNames().forEach(f -> {
            if (!OP_FIELDS.contains(f)) {
                throw ApiException.badRequest("unknown_field", at + "." + f, "unknown field \"" + f
                        + "\" in " + at + "; known fields: body, ifMatch, op, path");
            }
        });
        String kind = text(op, at + ".op");
        String id = itemId(at + ".path", text(op, at + ".path"));
        String key = id.substring(id.indexOf('/') + 1);
        boolean frontend = id.startsWith("frontend/");
        JsonNode body = op.get("body");
        Batch next;
        try {
            next = switch (kind) {
                case "put" -> {
                    ObjectNode b = object(body, at + ".body");
                    b.put("key", key);
                    b.remove("change");
                    b.remove("split");
                    Object item = frontend ? convert(b, Frontend.class, at + ".body")
                            : convert(b, Backend.class, at + ".body");
                    checkNatives(item, at + ".body");
                    yield item instanceof Frontend f ? batch.put(f) : batch.put((Backend) item);
                }
                case "delete" -> frontend ? batch.deleteFrontend(key) : batch.deleteBackend(key);
                case "post" -> {
                    if (frontend) {
                        throw ApiException.badRequest("invalid_value", at + ".op", "post goes to a backend (a"
                                + " version switch or split), not to " + path(id));
                    }
                    yield post(batch, key, object(body, at + ".body"), at + ".body");
                }
                default -> throw ApiException.badRequest("invalid_value", at + ".op", at + ".op must be put, delete"
                        + " or post: " + io.thalassa.internal.Checks.quote(Json.shown(kind)));
            };
        } catch (InvalidValueException e) {
            throw Json.invalid(at, e);
        }
        JsonNode ifMatch = op.get("ifMatch");
        if (ifMatch != null && !ifMatch.isNull()) {
            if (!ifMatch.isTextual()) {
                throw Json.wrongType(at + ".ifMatch", "a string", ifMatch.asToken(), ifMatch);
            }
            next = next.ifMatch(Preconditions.version(at + ".ifMatch", ifMatch.textValue()));
        }
        return next;
    }

    private static Batch post(Batch batch, String key, ObjectNode body, String at) {
        body.propertyNames().forEach(f -> {
            if (!Set.of("version", "versions", "name").contains(f)) {
                throw ApiException.badRequest("unknown_field", at + "." + f, "unknown field \"" + f
                        + "\"; known fields: name, version, versions");
            }
        });
        String version = optional(body, "version", at);
        String name = optional(body, "name", at);
        JsonNode versions = body.get("versions");
        if ((version == null) == (versions == null || versions.isNull())) {
            throw ApiException.badRequest("invalid_value", at + ".version", "give version (a switch) or versions (a"
                    + " split)");
        }
        if (version != null) {
            return batch.switchVersion(key, name, version);
        }
        if (!versions.isObject()) {
            throw ApiException.badRequest("invalid_value", at + ".versions", at + ".versions must be an object of"
                    + " version to weight");
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        versions.properties().forEach(e -> {
            JsonNode v = e.getValue();
            raw.put(e.getKey(), v.isIntegralNumber() ? v.bigIntegerValue() : v.isTextual() ? v.asText()
                    : v.isNumber() ? v.numberValue() : v.toString());
        });
        try {
            return batch.split(key, name, VersionSplit.parse(raw));
        } catch (InvalidValueException e) {
            throw Json.invalid(at, e);
        }
    }

    private void checkNatives(Object item, String at) {
        try {
            if (item instanceof Frontend f) {
                natives.get().check(f);
            } else {
                natives.get().check((Backend) item);
            }
        } catch (InvalidValueException e) {
            throw Json.invalid(at, e);
        }
    }

    private static <T> T convert(ObjectNode body, Class<T> type, String at) {
        try {
            return Json.convert(body, type);
        } catch (ApiException e) {
            throw moved(e, at);
        }
    }

    /** {@code e} with its field under {@code at} ({@code operations[1].body.port}). */
    static ApiException moved(ApiException e, String at) {
        Map<String, Object> extra = new LinkedHashMap<>(e.body());
        extra.keySet().removeAll(Set.of("status", "error", "field", "reason"));
        String field = e.field() == null ? at : at + "." + e.field();
        return new ApiException(e.status(), e.error(), field, e.reason(), extra);
    }

    private static ObjectNode object(JsonNode body, String field) {
        if (body == null || body.isNull()) {
            throw ApiException.badRequest("missing_field", field, field + " is required");
        }
        if (!body.isObject()) {
            throw Json.wrongType(field, "an object", body.asToken(), null);
        }
        return ((ObjectNode) body).deepCopy();
    }

    private static String text(JsonNode op, String field) {
        JsonNode n = op.get(field.substring(field.lastIndexOf('.') + 1));
        if (n == null || n.isNull()) {
            throw ApiException.badRequest("missing_field", field, field + " is required");
        }
        if (!n.isTextual()) {
            throw Json.wrongType(field, "a string", n.asToken(), n.isValueNode() ? n : null);
        }
        return n.textValue();
    }

    private static String optional(ObjectNode body, String name, String at) {
        try {
            return Json.optionalString(body, name);
        } catch (ApiException e) {
            throw moved(e, at);
        }
    }

    /**
     * The API's answer to a refused batch: the status its reason calls for, the operation's {@code index} and the
     * field under {@code operations[i]}.
     */
    static ApiException refused(BatchException e) {
        int i = e.index();
        String at = "operations[" + i + "]";
        RuntimeException cause = e.getCause();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("index", i);
        if (cause instanceof VersionMismatchException) {
            return new ApiException(412, "precondition_failed", at + ".ifMatch", e.getMessage(), extra);
        }
        if (cause instanceof NoSuchElementException) {
            return new ApiException(409, "conflict", at + ".path", e.getMessage(), extra);
        }
        if (cause instanceof CapacityExceededException c) {
            extra.put("needed", c.needed());
            extra.put("available", c.available());
            return new ApiException(422, "capacity_exceeded", at, e.getMessage(), extra);
        }
        if (cause instanceof ConfigRejectedException c) {
            extra.put("haproxyMessage", c.haproxyMessage());
            extra.put("line", c.line());
            return new ApiException(422, "config_rejected", at, e.getMessage(), extra);
        }
        ModelRefusal refusal = Json.refusal(cause);
        if (refusal != null) {
            String field = refusal.field();
            if (refusal.value() != null) {
                extra.put("value", refusal.value() instanceof Number ? refusal.value() : Json.shown(refusal.value()));
            }
            String where = field == null || field.isEmpty() ? at : Set.of("version", "versions", "name")
                    .contains(field) ? at + ".body." + field : at + "." + field;
            return new ApiException(400, refusal.missing() ? "missing_field" : "invalid_value", where,
                    e.getMessage(), extra);
        }
        return new ApiException(400, "invalid_value", at, e.getMessage(), extra);
    }
}
