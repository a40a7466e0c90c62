package io.thalassa.haproxy.internal;

import io.thalassa.Backend;
import io.thalassa.internal.NativeAllowList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a backend's {@code default-server} lines give its servers, as arguments {@code add server} can replay: HAProxy
 * 2.6 does not apply {@code default-server} to a server added at run time, so a slot grown with {@code add server}
 * would miss them. Only keywords 2.6 accepts on a dynamic server can be replayed; a backend with any other (or with a
 * {@code source} line, whose arguments vary) grows with a reload instead. Pure.
 */
public final class DefaultServer {
    /**
     * The server keywords HAProxy 2.6 accepts in {@code add server}, with the number of arguments each takes (from
     * its keyword tables: those marked for dynamic servers).
     */
    private static final Map<String, Integer> DYNAMIC = Map.ofEntries(Map.entry("addr", 1), Map.entry("agent-addr", 1),
            Map.entry("agent-check", 0), Map.entry("agent-inter", 1), Map.entry("agent-port", 1),
            Map.entry("agent-send", 1), Map.entry("allow-0rtt", 0), Map.entry("alpn", 1), Map.entry("backup", 0),
            Map.entry("ca-file", 1), Map.entry("check", 0), Map.entry("check-alpn", 1), Map.entry("check-proto", 1),
            Map.entry("check-send-proxy", 0), Map.entry("check-sni", 1), Map.entry("check-ssl", 0),
            Map.entry("check-via-socks4", 0), Map.entry("ciphers", 1), Map.entry("ciphersuites", 1),
            Map.entry("crl-file", 1), Map.entry("crt", 1), Map.entry("disabled", 0), Map.entry("downinter", 1),
            Map.entry("enabled", 0), Map.entry("error-limit", 1), Map.entry("fall", 1), Map.entry("fastinter", 1),
            Map.entry("force-sslv3", 0), Map.entry("force-tlsv10", 0), Map.entry("force-tlsv11", 0),
            Map.entry("force-tlsv12", 0), Map.entry("force-tlsv13", 0), Map.entry("id", 1), Map.entry("inter", 1),
            Map.entry("maxconn", 1), Map.entry("maxqueue", 1), Map.entry("minconn", 1), Map.entry("no-backup", 0),
            Map.entry("no-send-proxy", 0), Map.entry("no-send-proxy-v2", 0), Map.entry("no-ssl-reuse", 0),
            Map.entry("no-sslv3", 0), Map.entry("no-tfo", 0), Map.entry("no-tls-tickets", 0),
            Map.entry("no-tlsv10", 0), Map.entry("no-tlsv11", 0), Map.entry("no-tlsv12", 0), Map.entry("no-tlsv13", 0),
            Map.entry("npn", 1), Map.entry("observe", 1), Map.entry("on-error", 1), Map.entry("on-marked-down", 1),
            Map.entry("on-marked-up", 1), Map.entry("pool-low-conn", 1), Map.entry("pool-max-conn", 1),
            Map.entry("pool-purge-delay", 1), Map.entry("port", 1), Map.entry("proto", 1),
            Map.entry("proxy-v2-options", 1), Map.entry("rise", 1), Map.entry("send-proxy", 0),
            Map.entry("send-proxy-v2", 0), Map.entry("send-proxy-v2-ssl", 0), Map.entry("send-proxy-v2-ssl-cn", 0),
            Map.entry("slowstart", 1), Map.entry("sni", 1), Map.entry("ssl", 0), Map.entry("ssl-max-ver", 1),
            Map.entry("ssl-min-ver", 1), Map.entry("tfo", 0), Map.entry("tls-tickets", 0), Map.entry("track", 1),
            Map.entry("verify", 1), Map.entry("verifyhost", 1), Map.entry("weight", 1), Map.entry("ws", 1));

    private DefaultServer() {
    }

    /**
     * The arguments of {@code natives}' {@code default-server} lines, in order (HAProxy applies them in order, a later
     * one overriding an earlier), or empty when one of them cannot be given to {@code add server}.
     */
    public static Optional<List<String>> replayable(List<String> natives) {
        List<String> out = new ArrayList<>();
        for (String n : natives) {
            List<String> words = NativeAllowList.words(n);
            if (words.isEmpty() || !words.get(0).equalsIgnoreCase("default-server")) {
                continue;
            }
            for (int i = 1; i < words.size(); i++) {
                Integer args = DYNAMIC.get(words.get(i).toLowerCase(Locale.ROOT));
                if (args == null || i + args >= words.size()) { // not for add server, or its argument is missing
                    return Optional.empty();
                }
                for (int j = i; j <= i + args; j++) {
                    out.add(words.get(j));
                }
                i += args;
            }
        }
        return Optional.of(out);
    }

    /**
     * The words of Thalassa's own {@code default-server} line of {@code backend} (rendered before its natives, which
     * may say otherwise): its slowstart; empty for none.
     */
    public static List<String> own(Backend backend) {
        return backend.slowstart().isZero() ? List.of() : List.of("slowstart", backend.slowstartMillis() + "ms");
    }

    /**
     * What a slot added with {@code add server} is given: what the {@code default-server} lines give the servers of
     * the file (Thalassa's, then the natives'; HAProxy applies none to a server added at run time), then the check
     * every slot has.
     *
     * @throws IllegalStateException when the backend does not grow at run time ({@link #growsAtRunTime})
     */
    public static List<String> addServerArgs(Backend backend) {
        List<String> args = new ArrayList<>(own(backend));
        args.addAll(replayable(backend.natives()).orElseThrow(() -> new IllegalStateException("backend "
                + backend.key() + " cannot grow with add server")));
        long inter = backend.health() == null ? 2000 : backend.health().intervalMillis();
        args.addAll(List.of("check", "inter", Long.toString(inter)));
        return args;
    }

    /**
     * Whether {@code backend} grows at run time: its balance algorithm takes servers at run time and its
     * {@code default-server} lines can be replayed by {@code add server}. Otherwise a slot it outgrows comes with a
     * reload. The one place that decides it.
     */
    public static boolean growsAtRunTime(Backend backend) {
        return backend.balance().isDynamic() && replayable(backend.natives()).isPresent();
    }
}
