package io.thalassa.runtime;

import io.thalassa.internal.Checks;
import io.thalassa.runtime.internal.JsonDiff;
import java.time.Instant;
import java.util.List;

/**
 * One accepted change of the stored frontends and backends, as the {@linkplain Thalassa#history history} keeps it:
 * its number, when, by whom, the change of HAProxy's that carried it, and every item it changed with its JSON
 * document before and after (the REST shapes, dynamic backends without members).
 *
 * @param number the revision: grows with every accepted change (in a fleet, the store's index)
 * @param time   when it was accepted
 * @param by     who wrote it (the API token's role, {@code rollout}, {@code start} for what was found at a start), or
 *               null when not known
 * @param change the id of the change of HAProxy's that carried it ({@link Thalassa#change(long)}), or 0 for none
 * @param items  the items it changed, by id
 */
public record Revision(long number, Instant time, String by, long change, List<Item> items) {
    public Revision {
        Checks.notNull("time", time);
        items = List.copyOf(items);
    }

    /**
     * One item of a revision.
     *
     * @param id     {@code frontend/<key>} or {@code backend/<key>}
     * @param before its JSON document before the revision, or null when the revision added it
     * @param after  its JSON document after the revision, or null when the revision removed it
     */
    public record Item(String id, String before, String after) {
        /** {@code added}, {@code removed} or {@code changed}. */
        public String kind() {
            return before == null ? "added" : after == null ? "removed" : "changed";
        }

        /**
         * The fields it changed, in the document's order. An added or removed item is one change of the whole
         * document (path {@code ""}); a changed one lists each field that differs.
         */
        public List<Change> changes() {
            return JsonDiff.of(before, after);
        }
    }

    /**
     * One changed field of an item.
     *
     * @param path   the field in the document's own terms: {@code balance}, {@code members[1].port},
     *               {@code health.interval}; {@code ""} for the whole document
     * @param before its value before, as JSON text ({@code "roundrobin"}, {@code 8080}, {@code {...}}), or null when
     *               the field was added
     * @param after  its value after, as JSON text, or null when the field was removed
     */
    public record Change(String path, String before, String after) {
        public Change {
            Checks.notNull("path", path);
        }
    }

    /** The ids of the items it changed. */
    public List<String> ids() {
        return items.stream().map(Item::id).toList();
    }
}
