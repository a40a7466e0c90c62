package io.thalassa.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The difference of two JSON documents as a list of changed fields, each {@code {"path", "before", "after"}}: the
 * path in the document's own terms ({@code members[1].port}), a field added or removed with null on the other side.
 * Objects are compared field by field, arrays element by element.
 */
final class JsonDiff {
    private JsonDiff() {
    }

    /** The changes from {@code before} to {@code after}; either may be null (an item added or removed). */
    static List<Map<String, Object>> of(JsonNode before, JsonNode after) {
        List<Map<String, Object>> out = new ArrayList<>();
        diff("", before, after, out);
        return out;
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<Map<String, Object>> out) {
        if (a != null && a.equals(b)) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            List<String> ordered = new ArrayList<>();
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                ordered.add(it.next());
            }
            b.fieldNames().forEachRemaining(n -> {
                if (!ordered.contains(n)) {
                    ordered.add(n);
                }
            });
            for (String n : ordered) {
                diff(path.isEmpty() ? n : path + "." + n, a.get(n), b.get(n), out);
            }
            return;
        }
        if (a != null && b != null && a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                diff(path + "[" + i + "]", a.get(i), b.get(i), out);
            }
            return;
        }
        if (a == null && b == null) {
            return;
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("path", path);
        change.put("before", a);
        change.put("after", b);
        out.add(change);
    }
}
