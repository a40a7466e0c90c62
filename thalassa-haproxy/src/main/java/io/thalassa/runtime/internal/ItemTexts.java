package io.thalassa.runtime.internal;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ThalassaConfig;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link Documents#itemsOf} for a configuration that changes an item or two at a time: the JSON of items that are the
 * same (immutable) objects as at the last call is reused, so a write to one of 1,000 backends serializes one.
 * Not thread-safe: one per caller, used under its lock.
 */
final class ItemTexts {
    private Map<Object, String> last = new IdentityHashMap<>();

    /** Every item of {@code config} as a store keeps it, by id, sorted. */
    Map<String, String> of(ThalassaConfig config) {
        Map<Object, String> seen = new IdentityHashMap<>();
        Map<String, String> out = new TreeMap<>();
        for (Frontend f : config.frontends().values()) {
            out.put(f.id(), text(f, f, seen));
        }
        for (Backend b : config.backends().values()) {
            out.put(b.id(), text(b, b, seen));
        }
        last = seen;
        return out;
    }

    /** The stored JSON of one item of a configuration ({@code null} when {@code item} is null). */
    String of(Object item) {
        if (item == null) {
            return null;
        }
        String json = last.get(item);
        return json != null ? json : Documents.text(item instanceof Backend b ? Documents.stored(b) : item);
    }

    private String text(Object item, Object key, Map<Object, String> seen) {
        String json = last.get(key);
        if (json == null) {
            json = Documents.text(item instanceof Backend b ? Documents.stored(b) : item);
        }
        seen.put(key, json);
        return json;
    }
}
