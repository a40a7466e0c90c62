package io.thalassa.runtime;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.StatRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The live view of the configured frontends and backends that the web UI and {@code ?status=true} show, made from
 * HAProxy's {@code show stat} rows and the configuration: a server row is tied to its member by address (its
 * {@code addr} is the member's ip:port), placeholder slots (on 127.0.0.1:1) are hidden, a server whose address is no
 * longer a member is shown as draining, and HAProxy's own stats listener is left out (only configured frontends are
 * shown). Every poll also adds a sample to the {@link StatsHistory}. A backend with a version split also gets
 * {@code split}: the requested weights and the share of requests each version served since the previous poll, from
 * its servers' total sessions.
 *
 * <p>Bounded reads (the controller's stats poller does the same for its snapshots): up to {@value #ALL_AT_ONCE}
 * servers, every poll reads the whole {@code show stat}, as before. Above that, each poll reads every frontend and
 * backend row ({@code show stat -1 3 -1}) and the servers of about {@value #SERVERS_PER_POLL} of them: first the
 * backends whose configuration changed in the last {@link #HOT} (a registered member shows its check result within a
 * poll or two, a removed one shows as draining) and those with a version split (their served shares are deltas
 * between two polls), then the next backends in turn; the other backends keep the server rows last read (at 15,000
 * servers, at most 16 polls old). One full dump at that size is about 3.5 MB read and parsed every poll.
 */
public final class LiveStats {
    /** The address of HAProxy server slots that hold no member. */
    static final String PLACEHOLDER = "127.0.0.1:1";

    /** Up to this many servers, every poll reads the whole {@code show stat}. */
    static final int ALL_AT_ONCE = 5_000;
    /** Above {@link #ALL_AT_ONCE}, about this many servers are read per poll. */
    static final int SERVERS_PER_POLL = 1_000;
    /** How long a backend whose configuration changed has its servers read at every poll. */
    static final java.time.Duration HOT = java.time.Duration.ofSeconds(10);

    /**
     * Where the rows come from: the whole {@code show stat}, and for large configurations the frontend and backend
     * rows alone and the server rows of some backends (the defaults filter the whole dump, for tests).
     */
    @FunctionalInterface
    public interface Source {
        /** Every row (frontends, backends, servers). */
        List<StatRow> all();

        /** The frontend and backend rows, no server's. */
        default List<StatRow> proxies() {
            return proxiesOf(all());
        }

        /** The server rows of {@code backends}, given by their rows from {@link #proxies()}. */
        default List<StatRow> servers(List<StatRow> backends) {
            return serversOf(all(), backends);
        }

        /** The frontend and backend rows of a whole dump. */
        static List<StatRow> proxiesOf(List<StatRow> all) {
            return all.stream().filter(r -> r.type() != StatRow.Type.SERVER).toList();
        }

        /** The server rows of {@code backends} (their rows) in a whole dump. */
        static List<StatRow> serversOf(List<StatRow> all, List<StatRow> backends) {
            java.util.Set<String> wanted = new java.util.HashSet<>();
            backends.forEach(b -> wanted.add(b.proxy()));
            return all.stream().filter(r -> r.type() == StatRow.Type.SERVER && wanted.contains(r.proxy())).toList();
        }
    }

    private final Source source;
    private final Supplier<ThalassaConfig> config;
    private final int allAtOnce;
    private final int serversPerPoll;
    // the bounded reads' state; only the polling thread touches it
    private long knownServers;
    private final Map<String, List<StatRow>> serverRows = new HashMap<>();
    /** Backends to read at every poll until their time (ms): changed lately; in the order they are to be read. */
    private final LinkedHashMap<String, Long> hot = new LinkedHashMap<>();
    private ThalassaConfig lastConfig;
    private int cursor;
    private final StatsHistory history;
    private volatile View view = new View(0, Map.of(), Map.of());
    private final long sampleSpacingMs;
    private long lastSample;
    /** Total sessions per server of split backends at the polls of the last minute, oldest first. */
    private final java.util.ArrayDeque<Totals> splitWindow = new java.util.ArrayDeque<>();
    /** Requests and errors per backend at the last poll, for the rates of the next. */
    private Map<String, long[]> lastRequests = Map.of();

    /** The servers' total sessions of split backends at one poll. */
    private record Totals(long time, Map<String, Long> sessions) {
    }

    /** How far back a split's served shares look: a window a person can read. */
    public static final java.time.Duration SPLIT_WINDOW = java.time.Duration.ofMinutes(1);

    /** The rows of HAProxy's runtime API {@code api}: the source of a live view of the HAProxy it talks to. */
    static Source sourceOf(io.thalassa.haproxy.RuntimeApi api) {
        return new Source() {
            @Override
            public List<StatRow> all() {
                return api.showStat();
            }

            @Override
            public List<StatRow> proxies() {
                return api.showProxyStats();
            }

            @Override
            public List<StatRow> servers(List<StatRow> backends) {
                return api.showServerStats(backends.stream().map(io.thalassa.haproxy.RuntimeApi::proxyId).toList());
            }
        };
    }

    /** What the last poll saw: JSON-ready maps by frontend and backend key. */
    record View(long time, Map<String, Map<String, Object>> frontends, Map<String, Map<String, Object>> backends) {
    }

    /**
     * @param rows    reads HAProxy's stat rows (may throw when HAProxy is not reachable)
     * @param config  the configuration in use
     * @param samples how many samples the history keeps
     * @param spacing the least time between two samples of the history: polls closer together (after a change)
     *                update the view but add no sample, so the history keeps its span
     */
    public LiveStats(Source rows, Supplier<ThalassaConfig> config, int samples, java.time.Duration spacing) {
        this(rows, config, samples, spacing, ALL_AT_ONCE, SERVERS_PER_POLL);
    }

    LiveStats(Source rows, Supplier<ThalassaConfig> config, int samples, java.time.Duration spacing, int allAtOnce,
            int serversPerPoll) {
        this.sampleSpacingMs = spacing.toMillis();
        this.source = rows;
        this.config = config;
        this.history = new StatsHistory(samples);
        this.allAtOnce = allAtOnce;
        this.serversPerPoll = serversPerPoll;
    }

    public StatsHistory history() {
        return history;
    }

    /**
     * Reads the rows, updates the view and the history, and returns what changed since the last poll as a
     * {@code live} message body (items whose values changed, keys removed), or null when nothing changed.
     */
    public Map<String, Object> poll() {
        ThalassaConfig c = config.get();
        long now = System.currentTimeMillis();
        List<StatRow> list = read(c, now);
        View next = build(now, list, c);
        Map<String, Long> base = new HashMap<>(); // each server's oldest total in the window (a split may be newer)
        splitWindow.forEach(t -> t.sessions().forEach(base::putIfAbsent));
        Map<String, Long> totals = addSplits(next, list, c, base, splitWindow.isEmpty() ? 0
                : now - splitWindow.peekFirst().time());
        splitWindow.addLast(new Totals(now, totals));
        while (splitWindow.size() > 2 && now - splitWindow.peekFirst().time() > SPLIT_WINDOW.toMillis()) {
            splitWindow.removeFirst();
        }
        lastRequests = addRates(next, list, lastRequests);
        View before = view;
        view = next;
        if (now - lastSample >= sampleSpacingMs) {
            lastSample = now;
            addSample(next);
        }
        return message(next, before);
    }

    /** The rows for this poll: all of them, or (above {@link #allAtOnce} servers) the bounded read. */
    private List<StatRow> read(ThalassaConfig c, long now) {
        markChanged(c, now);
        if (knownServers <= allAtOnce) {
            List<StatRow> list = source.all();
            long servers = 0;
            for (StatRow r : list) {
                if (r.type() == StatRow.Type.SERVER) {
                    servers++;
                }
            }
            knownServers = servers;
            serverRows.clear();
            if (servers > allAtOnce) { // the next polls are bounded and start from these rows
                for (StatRow r : list) {
                    if (r.type() == StatRow.Type.SERVER) {
                        serverRows.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(r);
                    }
                }
            }
            return list;
        }
        List<StatRow> head = source.proxies();
        List<String> backends = new ArrayList<>();
        Map<String, StatRow> backendRows = new HashMap<>();
        for (StatRow r : head) {
            if (r.type() == StatRow.Type.BACKEND) {
                backends.add(r.proxy());
                backendRows.put(r.proxy(), r);
            }
        }
        java.util.Set<String> present = backendRows.keySet();
        serverRows.keySet().retainAll(present);
        java.util.Set<String> chosen = new java.util.LinkedHashSet<>();
        long budget = 0;
        List<String> urgent = new ArrayList<>(hot.keySet());
        for (Backend b : c.backends().values()) {
            if (b.split().isPresent()) {
                urgent.add(b.key());
            }
        }
        for (String b : urgent) {
            if (budget >= serversPerPoll) {
                break;
            }
            if (present.contains(b) && chosen.add(b)) {
                budget += expected(b);
                Long until = hot.remove(b); // read: to the end of the line
                if (until != null) {
                    hot.put(b, until);
                }
            }
        }
        int turned = 0;
        for (; turned < backends.size() && budget < serversPerPoll; turned++) {
            String b = backends.get((cursor + turned) % backends.size());
            if (chosen.add(b)) {
                budget += expected(b);
            }
        }
        cursor = backends.isEmpty() ? 0 : (cursor + turned) % backends.size();
        List<String> asked = new ArrayList<>(chosen);
        Map<String, List<StatRow>> fresh = new HashMap<>();
        for (StatRow r : source.servers(asked.stream().map(backendRows::get).toList())) {
            fresh.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(r);
        }
        for (String b : asked) {
            serverRows.put(b, fresh.getOrDefault(b, List.of()));
        }
        List<StatRow> rows = new ArrayList<>(head);
        long servers = 0;
        for (List<StatRow> l : serverRows.values()) {
            rows.addAll(l);
            servers += l.size();
        }
        knownServers = servers;
        return rows;
    }

    /** How many server rows a read of {@code backend} is expected to bring. */
    private long expected(String backend) {
        List<StatRow> known = serverRows.get(backend);
        return known == null ? 32 : Math.max(1, known.size());
    }

    /** Marks the backends whose configuration changed since the last poll as hot (read at every poll for a while). */
    private void markChanged(ThalassaConfig c, long now) {
        hot.values().removeIf(until -> until < now);
        ThalassaConfig before = lastConfig;
        lastConfig = c;
        if (before == null || before == c || knownServers <= allAtOnce) {
            return;
        }
        for (Backend b : c.backends().values()) {
            if (!b.equals(before.backends().get(b.key()))) {
                hot.remove(b.key());
                hot.put(b.key(), now + HOT.toMillis());
            }
        }
    }

    /** The whole view as a {@code live} message body ({@code "full":true}). */
    public Map<String, Object> full() {
        View v = view;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("full", true);
        m.put("time", v.time());
        m.put("frontends", v.frontends());
        m.put("backends", v.backends());
        return m;
    }

    /** The live status of the members of {@code backend} by member id; empty before the first poll. */
    public Map<String, Map<String, Object>> memberStatus(String backend) {
        Map<String, Object> b = view.backends().get(backend);
        Map<String, Map<String, Object>> out = new HashMap<>();
        if (b != null && b.get("members") instanceof List<?> members) {
            for (Object o : members) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) o;
                if (m.get("member") instanceof String id) {
                    out.put(id, m);
                }
            }
        }
        return out;
    }

    private void addSample(View v) {
        String[] fNames = v.frontends().keySet().toArray(String[]::new);
        int[] fCur = new int[fNames.length];
        int[] fMax = new int[fNames.length];
        for (int i = 0; i < fNames.length; i++) {
            Map<String, Object> f = v.frontends().get(fNames[i]);
            fCur[i] = ((Number) f.get("cur")).intValue();
            fMax[i] = ((Number) f.get("max")).intValue();
        }
        String[] bNames = v.backends().keySet().toArray(String[]::new);
        int[] bCur = new int[bNames.length];
        for (int i = 0; i < bNames.length; i++) {
            bCur[i] = ((Number) v.backends().get(bNames[i]).get("cur")).intValue();
        }
        history.add(v.time(), fNames, fCur, fMax, bNames, bCur);
    }

    private static Map<String, Object> message(View next, View before) {
        Map<String, Object> frontends = changed(next.frontends(), before.frontends());
        Map<String, Object> backends = changed(next.backends(), before.backends());
        List<String> removedF = removed(next.frontends(), before.frontends());
        List<String> removedB = removed(next.backends(), before.backends());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("full", false);
        m.put("time", next.time());
        m.put("frontends", frontends);
        m.put("backends", backends);
        if (!removedF.isEmpty() || !removedB.isEmpty()) {
            m.put("removed", Map.of("frontends", removedF, "backends", removedB));
        }
        return m;
    }

    private static Map<String, Object> changed(Map<String, Map<String, Object>> next,
            Map<String, Map<String, Object>> before) {
        Map<String, Object> out = new TreeMap<>();
        next.forEach((k, v) -> {
            if (!Objects.equals(v, before.get(k))) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static List<String> removed(Map<String, ?> next, Map<String, ?> before) {
        List<String> out = new ArrayList<>();
        before.keySet().forEach(k -> {
            if (!next.containsKey(k)) {
                out.add(k);
            }
        });
        return out;
    }

    static View build(long time, List<StatRow> list, ThalassaConfig c) {
        Map<String, StatRow> frontendRows = new HashMap<>();
        Map<String, StatRow> backendRows = new HashMap<>();
        Map<String, List<StatRow>> serverRows = new HashMap<>();
        for (StatRow r : list) {
            switch (r.type()) {
                case FRONTEND -> frontendRows.put(r.proxy(), r);
                case BACKEND -> backendRows.put(r.proxy(), r);
                case SERVER -> {
                    if (!PLACEHOLDER.equals(r.fields().get("addr"))) {
                        serverRows.computeIfAbsent(r.proxy(), k -> new ArrayList<>()).add(r);
                    }
                }
                default -> {
                }
            }
        }
        Map<String, Map<String, Object>> frontends = new TreeMap<>();
        for (Frontend f : c.frontends().values()) {
            StatRow r = frontendRows.get(f.key());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", r == null ? "PENDING" : r.status());
            m.put("cur", r == null ? 0 : r.currentSessions());
            m.put("max", r == null ? 0 : r.maxSessions());
            m.put("limit", r == null ? 0 : number(r, "slim"));
            m.put("rate", r == null ? 0 : r.sessionRate());
            m.put("requestRate", r == null ? 0 : r.requestRate());
            frontends.put(f.key(), m);
        }
        Map<String, Map<String, Object>> backends = new TreeMap<>();
        for (Backend b : c.backends().values()) {
            StatRow r = backendRows.get(b.key());
            long limit = r == null ? 0 : number(r, "slim");
            Map<String, Member> byAddress = new HashMap<>();
            for (Member m : b.members()) {
                byAddress.put(m.address(), m);
            }
            List<Map<String, Object>> members = new ArrayList<>();
            int healthy = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (StatRow s : serverRows.getOrDefault(b.key(), List.of())) {
                String addr = s.fields().get("addr");
                Member member = byAddress.get(addr);
                String status = status(s.status());
                if (member == null && "MAINT".equals(status)) {
                    continue; // a freed slot not yet moved to the placeholder
                }
                if (member != null) {
                    seen.add(addr);
                }
                Map<String, Object> m = memberJson(addr, member, status, s, limit);
                if (member != null && ("UP".equals(status) || "DRAIN".equals(status) || "NOLB".equals(status))) {
                    healthy++;
                }
                members.add(m);
            }
            for (Member m : b.members()) { // members HAProxy does not show yet (e.g. before the reload)
                String addr = m.address();
                if (!seen.contains(addr)) {
                    members.add(memberJson(addr, m, "PENDING", null, limit));
                }
            }
            members.sort((x, y) -> String.valueOf(x.get("addr")).compareTo(String.valueOf(y.get("addr"))));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", r == null ? "PENDING" : status(r.status()));
            m.put("cur", r == null ? 0 : r.currentSessions());
            m.put("max", r == null ? 0 : r.maxSessions());
            m.put("limit", limit);
            m.put("healthy", healthy);
            m.put("total", b.members().size());
            m.put("members", members);
            backends.put(b.key(), m);
        }
        return new View(time, frontends, backends);
    }

    /**
     * Puts {@code requestRate} (requests per second: {@code req_tot}, {@code stot} in TCP mode) and
     * {@code errorRatePct} (5xx, response and connection errors over requests; null without requests) since the
     * previous poll into every backend's view; returns the counters for the next poll.
     */
    static Map<String, long[]> addRates(View view, List<StatRow> rows, Map<String, long[]> last) {
        Map<String, long[]> now = new HashMap<>();
        for (StatRow r : rows) {
            Map<String, Object> backendView = r.type() == StatRow.Type.BACKEND ? view.backends().get(r.proxy()) : null;
            if (backendView == null) {
                continue;
            }
            String reqTot = r.fields().get("req_tot");
            long requests = reqTot == null || reqTot.isEmpty() ? r.totalSessions() : number(r, "req_tot");
            long errors = number(r, "hrsp_5xx") + number(r, "eresp") + number(r, "econ");
            long[] mine = {requests, errors, view.time()};
            now.put(r.proxy(), mine);
            long[] before = last.get(r.proxy());
            if (before == null || mine[2] <= before[2] || requests < before[0]) {
                backendView.put("requestRate", 0.0);
                backendView.put("errorRatePct", null);
                continue;
            }
            long n = requests - before[0];
            backendView.put("requestRate", Math.round(n * 10_000.0 / (mine[2] - before[2])) / 10.0);
            backendView.put("errorRatePct", n == 0 ? null : Math.round(Math.max(0, errors - before[1]) * 1000.0 / n)
                    / 10.0);
        }
        return now;
    }

    /**
     * Puts {@code split} into the view of every backend with a version split: {@code requested} (the weights),
     * {@code served} (per version the share in percent of the requests its servers served since {@code last} was
     * read, at most {@link #SPLIT_WINDOW} ago; null without requests), {@code requests} and {@code windowSeconds};
     * returns the servers' totals now.
     */
    static Map<String, Long> addSplits(View view, List<StatRow> rows, ThalassaConfig c, Map<String, Long> last,
            long windowMs) {
        Map<String, Long> totals = new HashMap<>();
        Map<String, Map<String, Long>> served = new HashMap<>();
        Map<String, Map<String, String>> versionOf = new HashMap<>();
        for (Backend b : c.backends().values()) {
            if (b.split().isEmpty()) {
                continue;
            }
            Map<String, String> byAddress = new HashMap<>();
            b.members().forEach(m -> byAddress.put(m.address(), m.version()));
            versionOf.put(b.key(), byAddress);
            Map<String, Long> perVersion = new TreeMap<>();
            b.split().get().weights().keySet().forEach(v -> perVersion.put(v, 0L));
            served.put(b.key(), perVersion);
        }
        if (served.isEmpty()) {
            return totals;
        }
        for (StatRow r : rows) {
            Map<String, String> byAddress = versionOf.get(r.proxy());
            if (r.type() != StatRow.Type.SERVER || byAddress == null) {
                continue;
            }
            String addr = r.fields().get("addr");
            String id = r.proxy() + "/" + r.name() + "@" + addr;
            totals.put(id, r.totalSessions());
            Long before = last.get(id);
            String version = byAddress.get(addr);
            if (before != null && version != null) {
                served.get(r.proxy()).merge(version, Math.max(0, r.totalSessions() - before), Long::sum);
            }
        }
        served.forEach((key, perVersion) -> {
            long total = perVersion.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> shares = new TreeMap<>();
            perVersion.forEach((v, n) -> shares.put(v, total == 0 ? null : Math.round(1000.0 * n / total) / 10.0));
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("requested", c.backends().get(key).split().orElseThrow().weights());
            split.put("served", shares);
            split.put("requests", total);
            split.put("windowSeconds", Math.round(windowMs / 1000.0));
            Map<String, Object> backendView = view.backends().get(key);
            if (backendView != null) {
                backendView.put("split", split);
            }
        });
        return totals;
    }

    private static Map<String, Object> memberJson(String addr, Member member, String status, StatRow s, long limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("addr", addr);
        m.put("member", member == null ? null : member.id());
        m.put("version", member == null ? null : member.version());
        m.put("status", member == null && !"DOWN".equals(status) ? "DRAIN" : status);
        m.put("draining", member == null);
        m.put("haproxyStatus", s == null ? "" : s.status());
        m.put("check", s == null ? "" : s.checkStatus());
        m.put("lastChangeSeconds", s == null ? 0 : number(s, "lastchg"));
        m.put("cur", s == null ? 0 : s.currentSessions());
        m.put("max", s == null ? 0 : s.maxSessions());
        m.put("backendLimit", limit);
        return m;
    }

    /**
     * HAProxy's status in one word: {@code UP}, {@code DOWN}, {@code DRAIN}, {@code MAINT} or {@code NOLB}; a server
     * without checks ({@code no check}) is UP, a transition ({@code UP 1/3}) is its current side.
     */
    static String status(String haproxy) {
        String s = haproxy == null ? "" : haproxy.trim().toUpperCase(Locale.ROOT);
        if (s.isEmpty()) {
            return "UNKNOWN";
        }
        if (s.equals("NO CHECK") || s.equals("OPEN")) {
            return "UP";
        }
        if (s.startsWith("MAINT")) {
            return "MAINT";
        }
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    private static long number(StatRow r, String field) {
        String v = r.fields().get(field);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
