package io.thalassa.runtime.internal;

import io.thalassa.runtime.Revision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The difference of two JSON documents as the fields that changed ({@link Revision.Change}): the path in the
 * document's own terms ({@code members[1].port}), a field added or removed with null on the other side. Objects are
 * compared field by field (in the order the first one has them, then the second's new ones), arrays element by
 * element.
 */
public final class JsonDiff {
    private JsonDiff() {
    }

    /** The changes from {@code before} to {@code after}, JSON texts; either may be null (an item added or removed). */
    public static List<Revision.Change> of(String before, String after) {
        List<Revision.Change> out = new ArrayList<>();
        diff("", tree(before), tree(after), out);
        return List.copyOf(out);
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Documents.mapper().readTree(json);
        } catch (tools.jackson.core.JacksonException e) { // not JSON: compared as one text
            return Documents.mapper().getNodeFactory().textNode(json);
        }
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<Revision.Change> out) {
        if (a == null && b == null || a != null && a.equals(b)) {
            return;
        }
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.propertyNames().forEach(names::add);
            b.propertyNames().forEach(names::add);
            for (String n : names) {
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
        out.add(new Revision.Change(path, a == null ? null : a.toString(), b == null ? null : b.toString()));
    }
}
