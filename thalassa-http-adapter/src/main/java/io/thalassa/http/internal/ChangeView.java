package io.thalassa.http.internal;

import io.thalassa.haproxy.ChangeStatus;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A change as the REST API shows it: {@code {id, state, kind, changes, message, submitted, finished, url}}. */
public final class ChangeView {
    private ChangeView() {
    }

    public static Map<String, Object> of(ChangeStatus c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("state", c.state().wireName());
        m.put("kind", c.kind().name().toLowerCase(Locale.ROOT));
        m.put("changes", c.changes());
        m.put("message", c.message());
        m.put("submitted", c.submitted().toString());
        m.put("finished", c.finished() == null ? null : c.finished().toString());
        m.put("url", "/changes/" + c.id());
        return m;
    }
}
