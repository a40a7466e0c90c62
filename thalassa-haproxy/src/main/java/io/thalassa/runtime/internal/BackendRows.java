package io.thalassa.runtime.internal;

import io.thalassa.haproxy.RuntimeApi;
import io.thalassa.haproxy.StatRow;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server rows of one backend in HAProxy ({@code show stat <iid> 4 -1}), asked by the backend's proxy id (a
 * frontend of the same name would answer to the name), the id looked up once and again when it no longer names the
 * backend (a reload renumbered the proxies).
 */
public final class BackendRows implements Function<String, List<StatRow>> {
    private final Supplier<RuntimeApi> api;
    private final Map<String, String> ids = new ConcurrentHashMap<>();

    public BackendRows(Supplier<RuntimeApi> api) {
        this.api = api;
    }

    @Override
    public List<StatRow> apply(String backend) {
        RuntimeApi a = api.get();
        String id = ids.get(backend);
        if (id != null) {
            List<StatRow> rows = a.showServerStats(List.of(id));
            if (!rows.isEmpty() && rows.get(0).proxy().equals(backend)) {
                return rows;
            }
        }
        for (StatRow r : a.showProxyStats()) {
            if (r.type() == StatRow.Type.BACKEND && r.proxy().equals(backend)) {
                id = RuntimeApi.proxyId(r);
                ids.put(backend, id);
                return a.showServerStats(List.of(id));
            }
        }
        return List.of();
    }
}
