package io.thalassa.runtime.internal;

import io.thalassa.haproxy.StatRow;
import io.thalassa.runtime.RolloutStatus.Measure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a rollout measures, from HAProxy's per-server counters ({@code show stat}): pure arithmetic, no I/O. A
 * server's requests are its {@code req_tot} (HTTP; {@code stot} in TCP mode), its errors {@code hrsp_5xx + eresp +
 * econ}, its response time {@code rtime}; servers are tied to members by address ({@code addr}), and to versions
 * through them. A step's numbers are the change since the step began; a counter that went back (a reload's new worker
 * counts from 0) counts from 0.
 */
public final class RolloutCounters {
    /** The address of server slots that hold no member. */
    private static final String PLACEHOLDER = "127.0.0.1:1";

    private RolloutCounters() {
    }

    /**
     * One server's counters.
     *
     * @param requests its requests so far
     * @param errors   5xx responses, response errors and connection errors so far
     * @param rtime    HAProxy's average response time over its last 1,024 requests, in ms
     * @param down     whether HAProxy marks it DOWN
     */
    public record Server(long requests, long errors, long rtime, boolean down) {
        /** {@code this - base}, a counter that went back counted from 0. */
        Server minus(Server base) {
            if (base == null) {
                return this;
            }
            long r = requests >= base.requests ? requests - base.requests : requests;
            long e = errors >= base.errors ? errors - base.errors : errors;
            return new Server(r, e, rtime, down);
        }

        /** {@code this + other}, the response time weighted by requests. */
        Server plus(Server other) {
            long r = requests + other.requests;
            long rt = r == 0 ? Math.max(rtime, other.rtime) : (rtime * requests + other.rtime * other.requests) / r;
            return new Server(r, errors + other.errors, rt, down || other.down);
        }
    }

    /** The servers of {@code rows} (one backend's {@code show stat}) by address; empty slots left out. */
    public static Map<String, Server> read(List<StatRow> rows) {
        Map<String, Server> out = new HashMap<>();
        for (StatRow r : rows) {
            if (r.type() != StatRow.Type.SERVER) {
                continue;
            }
            Map<String, String> f = r.fields();
            String addr = f.getOrDefault("addr", "");
            if (addr.isEmpty() || addr.equals(PLACEHOLDER)) {
                continue;
            }
            String reqTot = f.get("req_tot");
            long requests = reqTot == null || reqTot.isEmpty() ? r.totalSessions() : number(reqTot);
            long errors = number(f.get("hrsp_5xx")) + number(f.get("eresp")) + number(f.get("econ"));
            out.put(addr, new Server(requests, errors, number(f.get("rtime")), r.status().startsWith("DOWN")));
        }
        return out;
    }

    private static long number(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Per version: the requests, errors and response time of its members since {@code base} was read, with its
     * member count and the members DOWN now. Every version of {@code versions} has an entry.
     *
     * @param base      the servers at the step's start
     * @param now       the servers now
     * @param versionOf the version of each member, by address
     */
    public static Map<String, Totals> since(Map<String, Server> base, Map<String, Server> now,
            Map<String, String> versionOf, Set<String> versions) {
        Map<String, Totals> out = new TreeMap<>();
        versions.forEach(v -> out.put(v, Totals.ZERO));
        versionOf.forEach((addr, v) -> {
            Server s = now.get(addr);
            Totals t = out.getOrDefault(v, Totals.ZERO);
            out.put(v, s == null ? new Totals(t.served(), t.members() + 1, t.down())
                    : new Totals(t.served().plus(s.minus(base.get(addr))), t.members() + 1, t.down() + (s.down()
                            ? 1 : 0)));
        });
        return out;
    }

    /**
     * One version's numbers in a step.
     *
     * @param served  what its members served (requests, errors, response time)
     * @param members its members
     * @param down    its members DOWN now
     */
    public record Totals(Server served, int members, int down) {
        static final Totals ZERO = new Totals(new Server(0, 0, 0, false), 0, 0);

        /** {@code this + other}: another node's numbers of the same version in the same step. */
        public Totals plus(Totals other) {
            return new Totals(served.plus(other.served), Math.max(members, other.members), down + other.down);
        }

        /** As a rollout's status shows it. */
        public Measure measure() {
            long r = served.requests();
            Double rate = r == 0 ? null : Math.round(Math.min(100.0, 100.0 * served.errors() / r) * 100) / 100.0;
            return new Measure(r, served.errors(), rate, r == 0 ? null : (double) served.rtime(), members, down);
        }
    }
}
