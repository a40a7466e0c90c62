package io.thalassa.http.internal;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code config} messages of {@code /ws}: the whole configuration for a new client, then only the frontends and
 * backends that changed (in their REST shapes) and the keys removed, so a client never polls and a change to one of
 * 1,000 backends sends one backend.
 */
public final class ConfigPush {
    private ConfigPush() {
    }

    /** {@code {"type":"config","full":true,"frontends":{key:..},"backends":{key:..}}}. */
    public static Map<String, Object> full(ThalassaConfig config) {
        return diff(ThalassaConfig.empty(), config, true);
    }

    /** What changed from {@code before} to {@code after}, or null when nothing did. */
    public static Map<String, Object> delta(ThalassaConfig before, ThalassaConfig after) {
        if (before.equals(after)) {
            return null;
        }
        return diff(before, after, false);
    }

    private static Map<String, Object> diff(ThalassaConfig before, ThalassaConfig after, boolean full) {
        Map<String, Object> frontends = new TreeMap<>();
        for (Frontend f : after.frontends().values()) {
            if (full || !f.equals(before.frontend(f.key()).orElse(null))) {
                frontends.put(f.key(), f);
            }
        }
        Map<String, Object> backends = new TreeMap<>();
        for (Backend b : after.backends().values()) {
            if (full || !b.equals(before.backend(b.key()).orElse(null))) {
                backends.put(b.key(), b);
            }
        }
        List<String> removedF = new ArrayList<>();
        before.frontends().keySet().forEach(k -> {
            if (after.frontend(k).isEmpty()) {
                removedF.add(k);
            }
        });
        List<String> removedB = new ArrayList<>();
        before.backends().keySet().forEach(k -> {
            if (after.backend(k).isEmpty()) {
                removedB.add(k);
            }
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "config");
        m.put("full", full);
        m.put("frontends", frontends);
        m.put("backends", backends);
        m.put("removed", Map.of("frontends", removedF, "backends", removedB));
        return m;
    }
}
