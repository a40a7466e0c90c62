package io.thalassa.http.internal;

import io.thalassa.runtime.Change;
import io.thalassa.runtime.Revision;
import io.thalassa.runtime.Thalassa;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /history}, {@code GET /history/{rev}} (the change as a diff of the items' JSON) and
 * {@code POST /history/{rev}/revert}: the revisions of the frontends and backends, as the Thalassa keeps them.
 */
final class HistoryRoutes {
    private final Thalassa thalassa;
    private final Writes writes;

    HistoryRoutes(Thalassa thalassa, Writes writes) {
        this.thalassa = thalassa;
        this.writes = writes;
    }

    void addTo(Router r) {
        r.add("GET", "/history", this::list)
                .add("GET", "/history/{rev}", this::revision)
                .add("POST", "/history/{rev}/revert", this::revert);
    }

    private ApiResponse list(ApiRequest req) {
        int limit = req.query("limit") == null ? 50 : (int) RestApi.number("limit", req.query("limit"), 1, 1000);
        long before = req.query("before") == null ? 0
                : RestApi.number("before", req.query("before"), 1, Long.MAX_VALUE);
        List<Revision> page = thalassa.history(limit + 1, before);
        List<Object> revisions = new ArrayList<>();
        for (Revision r : page.subList(0, Math.min(limit, page.size()))) {
            Map<String, Object> one = head(r);
            List<Object> items = new ArrayList<>();
            r.items().forEach(i -> items.add(Map.of("id", i.id(), "kind", i.kind())));
            one.put("items", items);
            revisions.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revisions", revisions);
        body.put("nextBefore", page.size() > limit ? page.get(limit - 1).number() : null);
        List<Revision> latest = thalassa.history(1, 0);
        body.put("latest", latest.isEmpty() ? thalassa.oldestRevision() : latest.get(0).number());
        body.put("oldest", thalassa.oldestRevision());
        return RestApi.read(req, body);
    }

    private static Map<String, Object> head(Revision r) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("revision", r.number());
        one.put("time", r.time().toString());
        one.put("by", r.by());
        one.put("change", r.change() == 0 ? null : r.change());
        return one;
    }

    private long number(ApiRequest req) {
        return RestApi.number("rev", req.param("rev"), 0, Long.MAX_VALUE);
    }

    private ApiResponse revision(ApiRequest req) {
        long n = number(req);
        Revision r = thalassa.revision(n).orElseThrow(() -> ApiException.notFound("revision " + n
                + " is not in the history (it keeps the latest; the oldest one to go back to is "
                + thalassa.oldestRevision() + ")"));
        Map<String, Object> body = head(r);
        List<Object> items = new ArrayList<>();
        for (Revision.Item i : r.items()) {
            JsonNode before = tree(i.before());
            JsonNode after = tree(i.after());
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("id", i.id());
            one.put("kind", i.kind());
            List<Object> diff = new ArrayList<>();
            for (Revision.Change c : i.changes()) {
                Map<String, Object> field = new LinkedHashMap<>();
                field.put("path", c.path());
                field.put("before", tree(c.before()));
                field.put("after", tree(c.after()));
                diff.add(field);
            }
            one.put("diff", diff);
            one.put("before", before);
            one.put("after", after);
            items.add(one);
        }
        body.put("items", items);
        return RestApi.read(req, body);
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (tools.jackson.core.JacksonException e) {
            return Json.MAPPER.getNodeFactory().textNode(json);
        }
    }

    /**
     * Puts the frontends and backends back as they were right after the revision, as one new change; 404 when the
     * revision is older than the history (or not there yet). An optional body {@code {"ifMatch": {"/backends/web":
     * "\"12\""}}} holds items to their ETags (412 when one moved).
     */
    private ApiResponse revert(ApiRequest req) {
        long n = number(req);
        Duration wait = Writes.waitOf(req);
        Map<String, Long> expected = ifMatch(req);
        List<Revision> latest = thalassa.history(1, 0);
        long newest = latest.isEmpty() ? thalassa.oldestRevision() : latest.get(0).number();
        if (n < thalassa.oldestRevision() || n > newest) {
            throw ApiException.notFound("revision " + n + " is not in the history: revisions "
                    + thalassa.oldestRevision() + " to " + newest + " can be gone back to");
        }
        Change w = writes.run(req, () -> thalassa.revert(n, expected));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("revertedTo", n);
        List<Revision> after = thalassa.history(1, 0);
        boolean changed = !after.isEmpty() && after.get(0).number() > newest;
        body.put("revision", changed ? after.get(0).number() : null);
        body.put("items", changed ? after.get(0).ids() : List.of());
        return writes.written(body, null, w, wait);
    }

    /** {@code ifMatch} of a revert's body: item path to ETag. */
    private static Map<String, Long> ifMatch(ApiRequest req) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (req.body().length == 0) {
            return out;
        }
        ObjectNode body = Json.readObjectOrEmpty(req.body());
        body.propertyNames().forEach(f -> {
            if (!f.equals("ifMatch")) {
                throw ApiException.badRequest("unknown_field", f, "unknown field \"" + f + "\"; known fields: ifMatch");
            }
        });
        JsonNode m = body.get("ifMatch");
        if (m == null || m.isNull()) {
            return out;
        }
        if (!m.isObject()) {
            throw ApiException.badRequest("invalid_value", "ifMatch", "ifMatch must be an object of item path to"
                    + " ETag, e.g. {\"/backends/web\": \"\\\"12\\\"\"}");
        }
        m.properties().forEach(e -> {
            String field = "ifMatch." + e.getKey();
            String id = BatchRoutes.itemId(field, e.getKey());
            if (!e.getValue().isTextual()) {
                throw ApiException.badRequest("invalid_value", field, field + " must be an ETag string");
            }
            out.put(id, Preconditions.version(field, e.getValue().textValue()));
        });
        return out;
    }
}
