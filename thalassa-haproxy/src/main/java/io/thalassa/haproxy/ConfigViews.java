package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Bind;
import io.thalassa.Frontend;
import io.thalassa.KeepAlive;
import io.thalassa.Mode;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import io.thalassa.haproxy.internal.ConfigWords;
import io.thalassa.haproxy.internal.CrtLists;
import io.thalassa.haproxy.internal.DefaultServer;
import io.thalassa.haproxy.internal.Fingerprint;
import io.thalassa.internal.NativeAllowList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The maps the template gets ({@link HaproxyConfigRenderer}'s attributes): settings, frontends and backends as views,
 * user text checked and quoted. Pure; the renderer fingerprints them.
 */
final class ConfigViews {
    /** The name of the peers section stick tables are synchronized through. */
    static final String PEERS_SECTION = "thalassa";

    private ConfigViews() {
    }

    /** The view of {@code settings} for {@code config}: the peers section only when a stick table needs one. */
    static Map<String, Object> settingsView(HaproxySettings s, ThalassaConfig config) {
        Map<String, Object> m = new TreeMap<>();
        m.put("statsSocket", s.statsSocket().toString());
        m.put("pidFile", s.pidFile() == null ? null : s.pidFile().toString());
        m.put("serverStateFile", s.serverStateFile() == null ? null : s.serverStateFile().toString());
        m.put("masterWorker", s.masterWorker());
        m.put("daemon", s.daemon());
        m.put("statsBind", s.statsListener() == null ? null : s.statsListener().toString());
        m.put("statsAuth", s.statsAuth());
        m.put("user", s.user());
        m.put("group", s.group());
        m.put("logTarget", s.logTarget());
        m.put("globalMaxconn", s.globalMaxconn());
        m.put("defaultsMaxconn", s.defaultsMaxconn());
        m.put("timeoutConnectMs", s.timeoutConnect().toMillis());
        m.put("timeoutClientMs", s.timeoutClient().toMillis());
        m.put("timeoutServerMs", s.timeoutServer().toMillis());
        m.put("timeoutHttpRequestMs", s.timeoutHttpRequest().toMillis());
        m.put("timeoutHttpKeepAliveMs", s.timeoutHttpKeepAlive().toMillis());
        m.put("timeoutTunnelMs", s.timeoutTunnel().toMillis());
        m.put("hardStopAfterMs", s.hardStopAfter() == null ? null : s.hardStopAfter().toMillis());
        m.put("mworkerMaxReloads", s.masterWorker() && s.mworkerMaxReloads() > 0 ? s.mworkerMaxReloads() : null);
        m.put("idleCloseOnResponse", s.idleCloseOnResponse());
        m.put("noReusePort", s.noReusePort());
        m.put("peers", hasStickTable(config) ? peersView(s) : null);
        return m;
    }

    static Map<String, Object> frontendView(Frontend f, ThalassaConfig config, HaproxySettings settings,
            List<String> warnings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", f.key());
        List<String> binds = new ArrayList<>(f.binds().size());
        for (Bind b : f.binds()) {
            binds.add(b.toString());
        }
        m.put("bind", String.join(",", binds));
        m.put("tls", f.tls() == null ? null : tlsView(f, settings));
        m.put("mode", f.mode().wireName());
        m.put("keepalive", f.keepAlive().wireName());
        m.put("defaultBackend", routable(f, f.defaultBackend(), config, warnings) ? f.defaultBackend() : null);
        List<String> options = new ArrayList<>();
        if (f.mode() == Mode.HTTP) {
            if (settings.logTarget() != null) {
                options.add("httplog");
            }
            // keep-alive on both sides unless the frontend asks otherwise: with HTX every request of a keep-alive
            // connection is routed by the rules, so they need no http-server-close
            if (f.keepAlive() == KeepAlive.CLOSE) {
                options.add("httpclose");
            } else if (f.keepAlive() == KeepAlive.SERVER_CLOSE) {
                options.add("http-server-close");
            }
            if (settings.forwardFor() && !hasNative(f.natives(), "option forwardfor")) {
                options.add("forwardfor");
            }
            if (settings.idleCloseOnResponse()) {
                options.add("idle-close-on-response");
            }
        }
        m.put("options", options);
        List<Map<String, Object>> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Rule r : f.rules()) {
            if (!routable(f, r.backend(), config, warnings)) {
                continue;
            }
            String criterion = r.type() == Rule.Type.HEADER
                    ? r.operation().wireName() + "(" + r.header() + ")" : r.operation().wireName();
            Map<String, Object> rule = new LinkedHashMap<>();
            String acl = r.type().wireName() + "_" + ConfigWords.digest(criterion, r.value());
            rule.put("acl", acl);
            rule.put("criterion", criterion);
            rule.put("value", ConfigWords.pattern(r.value()));
            rule.put("backend", r.backend());
            rule.put("declare", seen.add(acl));
            rules.add(rule);
        }
        m.put("rules", rules);
        m.put("natives", natives(f.natives(), settings));
        return m;
    }

    /** Whether one of {@code natives} begins with {@code directive} (words separated by single spaces). */
    private static boolean hasNative(List<String> natives, String directive) {
        for (String n : natives) {
            String line = n.strip().replaceAll("\\s+", " ");
            if (line.equals(directive) || line.startsWith(directive + " ")) {
                return true;
            }
        }
        return false;
    }

    private static boolean routable(Frontend f, String backendKey, ThalassaConfig config, List<String> warnings) {
        Backend b = config.backends().get(backendKey);
        if (b == null) {
            warnings.add("frontend " + f.key() + " routes to backend " + backendKey
                    + ", which does not exist yet; the route is left out until it does");
            return false;
        }
        if (f.mode() == Mode.HTTP && b.mode() == Mode.TCP) {
            warnings.add("frontend " + f.key() + " is http but backend " + backendKey
                    + " is tcp; the route is left out");
            return false;
        }
        return true;
    }

    /** A backend's view without its servers, and without its service name and version (membership, not structure). */
    static Map<String, Object> backendStructure(Backend b, HaproxySettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", b.key());
        m.put("type", b.type().wireName());
        m.put("mode", b.mode().wireName());
        m.put("balance", b.balance().toString());
        m.put("hashType", b.balance().isHash() && !hasNative(b.natives(), "hash-type") ? "consistent" : null);
        m.put("hostHeader", b.host() == null ? null : ConfigWords.quote(b.host()));
        long inter = 2000;
        if (b.health() != null) {
            m.put("httpchk", b.health().method().wireName() + " " + ConfigWords.quote(b.health().uri()) + " "
                    + b.health().httpVersion().wireName());
            m.put("checkHost", b.host() != null && b.health().httpVersion()
                    == io.thalassa.HealthCheck.HttpVersion.HTTP_1_1 ? ConfigWords.quote(b.host()) : null);
            inter = b.health().intervalMillis();
        }
        m.put("inter", inter);
        m.put("defaultServer", defaultServer(b));
        m.put("natives", natives(b.natives(), settings));
        return m;
    }

    /**
     * A backend's view: its structure, fingerprinted with the server names as the server views are made (one pass
     * over the servers), then its service name and version and its servers.
     */
    static Map<String, Object> backendView(Backend b, List<ServerLine> lines, HaproxySettings settings,
            Map<String, String> fingerprints) {
        Map<String, Object> m = backendStructure(b, settings);
        Fingerprint fp = HaproxyConfigRenderer.backendFingerprint(m, lines.size());
        long inter = (Long) m.get("inter");
        m.put("name", b.serviceName());
        m.put("version", b.serviceVersion());
        List<HaproxyConfigRenderer.ServerView> servers = new ArrayList<>(lines.size());
        Set<String> names = new HashSet<>();
        String checkSuffix = " check inter " + inter;
        StringBuilder block = new StringBuilder(lines.size() * 72);
        for (ServerLine s : lines) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("backend " + b.key() + ": server name " + s.name()
                        + " is used twice by the server layout");
            }
            fp.addString(s.name());
            HaproxyConfigRenderer.ServerView view = new HaproxyConfigRenderer.ServerView(s, checkSuffix);
            servers.add(view);
            if (block.length() > 0) {
                block.append('\n');
            }
            block.append("    ").append(view.line);
        }
        fingerprints.put(RenderedConfig.backendSection(b.key()), fp.endList().hex());
        m.put("serverLines", block.length() == 0 ? null : block.toString());
        m.put("servers", servers);
        return m;
    }

    /**
     * What Thalassa's own {@code default-server} line gives every server of {@code b} (before its natives, which may
     * say otherwise): its slowstart. Null for none. A slot added with {@code add server} gets it too.
     */
    static String defaultServer(Backend b) {
        List<String> words = DefaultServer.own(b);
        return words.isEmpty() ? null : String.join(" ", words);
    }

    /**
     * What a TLS frontend's binds get: {@code crtList} (its file, see {@link CrtLists}) and {@code alpn} (the
     * protocols, comma-separated, or null for none).
     */
    private static Map<String, Object> tlsView(Frontend f, HaproxySettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("crtList", CrtLists.path(f, settings).toString());
        m.put("alpn", f.tls().alpn().isEmpty() ? null : String.join(",", f.tls().alpn()));
        return m;
    }

    /** Whether a native of a frontend or backend declares a stick table. */
    static boolean hasStickTable(ThalassaConfig config) {
        for (Frontend f : config.frontends().values()) {
            if (stickTable(f.natives())) {
                return true;
            }
        }
        for (Backend b : config.backends().values()) {
            if (stickTable(b.natives())) {
                return true;
            }
        }
        return false;
    }

    private static boolean stickTable(List<String> natives) {
        for (String n : natives) {
            if (isStickTable(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStickTable(String line) {
        String l = line.stripLeading();
        return l.startsWith("stick-table ") || l.equals("stick-table");
    }

    /**
     * The peers section of {@code settings}: the local peer ({@code localpeer} and its {@code server} without an
     * address) listening on a UNIX socket (owned by HAProxy's user, mode 600), or, with other nodes as peers, on a TCP
     * address, and the other nodes; null when there is nowhere to listen.
     */
    private static Map<String, Object> peersView(HaproxySettings s) {
        if (s.peersListener() == null && s.peersSocket() == null) {
            return null;
        }
        Map<String, Object> m = new TreeMap<>();
        m.put("section", PEERS_SECTION);
        m.put("local", s.peerName());
        String owner = s.user() == null ? "" : " user " + s.user() + (s.group() == null ? "" : " group " + s.group());
        m.put("bind", s.peersListener() != null ? s.peersListener().toString()
                : "unix@" + s.peersSocket() + " mode 600" + owner);
        List<String> remotes = new ArrayList<>();
        s.remotePeers().forEach((name, address) -> remotes.add(name + " " + address));
        m.put("remotes", remotes);
        return m;
    }

    /**
     * The natives as rendered: a {@code stick-table} without a {@code peers} argument is synchronized through the
     * peers section (so its entries survive reloads) when the settings have one.
     */
    static List<String> natives(List<String> natives, HaproxySettings settings) {
        if (settings.peersListener() == null && settings.peersSocket() == null) {
            return natives;
        }
        List<String> out = null;
        for (int i = 0; i < natives.size(); i++) {
            String n = natives.get(i);
            if (isStickTable(n) && !NativeAllowList.words(n).contains("peers")) {
                if (out == null) {
                    out = new ArrayList<>(natives);
                }
                out.set(i, n.strip() + " peers " + PEERS_SECTION);
            }
        }
        return out == null ? natives : out;
    }
}
