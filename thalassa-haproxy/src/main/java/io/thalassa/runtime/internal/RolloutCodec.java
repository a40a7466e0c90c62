package io.thalassa.runtime.internal;

import io.thalassa.runtime.Rollout;
import io.thalassa.runtime.RolloutStatus;
import io.thalassa.runtime.RolloutStatus.Decision;
import io.thalassa.runtime.RolloutStatus.Measure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The one JSON shape of a rollout's status: what {@code GET /backends/{key}/rollout} answers, what
 * {@code rollouts.json} and a fleet's store keep.
 */
public final class RolloutCodec {
    private RolloutCodec() {
    }

    /** {@code s} as JSON-ready maps and lists. */
    public static Map<String, Object> toJson(RolloutStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("backend", s.backend());
        m.put("service", s.service());
        m.put("from", s.from());
        m.put("to", s.to());
        m.put("state", s.state().wireName());
        m.put("step", s.step());
        m.put("steps", s.steps());
        m.put("percent", s.percent());
        m.put("stepSeconds", s.stepSeconds());
        Map<String, Object> guard = new LinkedHashMap<>();
        guard.put("maxErrorRatePct", s.guard().maxErrorRatePct());
        guard.put("maxResponseTimeMs", s.guard().maxResponseTime() == null ? null
                : s.guard().maxResponseTime().toMillis());
        guard.put("minRequests", s.guard().minRequests());
        m.put("guard", guard);
        m.put("shares", new TreeMap<>(s.shares()));
        m.put("startedAt", time(s.startedAt()));
        m.put("stepStartedAt", time(s.stepStartedAt()));
        m.put("endedAt", time(s.endedAt()));
        m.put("reason", s.reason());
        m.put("measured", measures(s.measured()));
        List<Object> decisions = new ArrayList<>();
        for (Decision d : s.decisions()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("time", time(d.time()));
            one.put("step", d.step());
            one.put("action", d.action());
            one.put("detail", d.detail());
            one.put("measured", measures(d.measured()));
            decisions.add(one);
        }
        m.put("decisions", decisions);
        m.put("driver", s.driver());
        m.put("counting", s.counting());
        return m;
    }

    /** Per version {@code requests, errors, errorRatePct, responseTimeMs, members, down}. */
    public static Map<String, Object> measures(Map<String, Measure> measured) {
        Map<String, Object> out = new TreeMap<>();
        measured.forEach((v, x) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("requests", x.requests());
            one.put("errors", x.errors());
            one.put("errorRatePct", x.errorRatePct());
            one.put("responseTimeMs", x.responseTimeMs());
            one.put("members", x.members());
            one.put("down", x.down());
            out.put(v, one);
        });
        return out;
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }

    /** {@code s} as JSON text. */
    public static String text(RolloutStatus s) {
        return Documents.text(toJson(s));
    }

    /**
     * Reads what {@link #text} wrote.
     *
     * @throws UncheckedIOException when it is not such a document
     */
    public static RolloutStatus read(String json) {
        try {
            return read(Documents.mapper().readTree(json));
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("not a rollout's state: " + e.getMessage(), e));
        }
    }

    static RolloutStatus read(JsonNode n) {
        List<Integer> steps = new ArrayList<>();
        n.get("steps").forEach(x -> steps.add(x.asInt()));
        JsonNode g = n.get("guard");
        Rollout.Guard guard = Rollout.Guard.defaults().maxErrorRatePct(g.get("maxErrorRatePct").asDouble())
                .maxResponseTime(g.path("maxResponseTimeMs").isNumber()
                        ? Duration.ofMillis(g.get("maxResponseTimeMs").asLong()) : null)
                .minRequests(g.get("minRequests").asLong());
        Map<String, Integer> shares = new TreeMap<>();
        n.path("shares").properties().forEach(e -> shares.put(e.getKey(), e.getValue().asInt()));
        List<Decision> decisions = new ArrayList<>();
        for (JsonNode d : n.path("decisions")) {
            decisions.add(new Decision(instant(d.get("time")), d.get("step").asInt(), d.get("action").asText(),
                    text(d.get("detail")), measures(d.path("measured"))));
        }
        return new RolloutStatus(n.get("id").asText(), n.get("backend").asText(), n.get("service").asText(),
                n.get("from").asText(), n.get("to").asText(),
                RolloutStatus.State.valueOf(n.get("state").asText().toUpperCase(java.util.Locale.ROOT)),
                n.get("step").asInt(), steps, n.get("stepSeconds").asDouble(), guard, shares,
                instant(n.get("startedAt")), instant(n.get("stepStartedAt")), instant(n.get("endedAt")),
                text(n.get("reason")), measures(n.path("measured")), decisions, text(n.get("driver")),
                text(n.get("counting")));
    }

    private static Map<String, Measure> measures(JsonNode n) {
        Map<String, Measure> out = new TreeMap<>();
        n.properties().forEach(e -> {
            JsonNode x = e.getValue();
            out.put(e.getKey(), new Measure(x.path("requests").asLong(), x.path("errors").asLong(),
                    x.path("errorRatePct").isNumber() ? x.get("errorRatePct").asDouble() : null,
                    x.path("responseTimeMs").isNumber() ? x.get("responseTimeMs").asDouble() : null,
                    x.path("members").asInt(), x.path("down").asInt()));
        });
        return out;
    }

    private static Instant instant(JsonNode n) {
        return n == null || n.isNull() ? null : Instant.parse(n.asText());
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
