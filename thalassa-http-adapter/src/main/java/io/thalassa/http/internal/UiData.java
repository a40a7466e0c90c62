package io.thalassa.http.internal;

import io.thalassa.Member;
import io.thalassa.runtime.LiveStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The REST answers that carry live data: members with their status, and the stats history. */
final class UiData {
    private UiData() {
    }

    /** The members in their REST shape, each with {@code "status"}: its live status, or null when not known yet. */
    static ArrayNode membersWithStatus(List<Member> members, Map<String, Map<String, Object>> status) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Member m : members) {
            ObjectNode node = Json.MAPPER.valueToTree(m);
            Map<String, Object> s = status.get(m.id());
            node.set("status", s == null ? null : Json.MAPPER.valueToTree(s));
            out.add(node);
        }
        return out;
    }

    /** {@code GET /stats?since=}: the samples after {@code since} (epoch ms) as columns, with the poll interval. */
    static Map<String, Object> history(LiveStats live, long since) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intervalMs", io.thalassa.runtime.Thalassa.LIVE_POLL.toMillis());
        out.putAll(live.history().columns(since));
        return out;
    }
}
