package io.thalassa.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The allow-list of {@code NativePolicy.SAFE}: a native's words as HAProxy 2.6 reads them (quotes, backslash and
 * {@code \xHH} escapes resolved), judged by the keyword and then by every argument.
 */
public final class NativeAllowList {
    /** Keywords of proxy sections (configuration manual, section 4.1) that cannot reach a file, code or listener. */
    private static final Set<String> COMMON = Set.of("acl", "http-request", "http-response", "http-after-response",
            "tcp-request", "option", "no", "timeout", "maxconn", "description", "id", "compression", "filter",
            "unique-id-format", "unique-id-header", "log-format", "log-format-sd", "error-log-format", "log-tag",
            "http-error", "errorloc", "errorloc302", "errorloc303", "errorfiles", "stick-table", "stick", "retries",
            "retry-on", "declare", "capture", "redirect", "use_backend", "default_backend", "monitor", "monitor-uri",
            "rate-limit", "backlog", "log", "http-check", "tcp-check",
            "http-reuse", "force-persist", "ignore-persist", "persist");
    private static final Set<String> FRONTEND_ONLY = Set.of("rate-limit", "backlog", "monitor-uri", "monitor",
            "use_backend", "default_backend", "declare", "capture");
    private static final Set<String> BACKEND = Set.of("balance", "hash-type", "hash-balance-factor", "cookie",
            "dynamic-cookie-key", "server", "default-server", "server-template", "fullconn", "use-server",
            "tcp-response", "http-send-name-header", "max-keep-alive-queue", "source");
    /** Options that run a command or need a section a native cannot create. */
    private static final Set<String> OPTIONS_REFUSED = Set.of("external-check", "spop-check");
    /** Words (arguments) that name a file to read or write, or a file-backed pattern list. */
    private static final Set<String> FILE_WORDS = Set.of("file", "lf-file", "errorfile", "-f", "ca-file", "crt",
            "crt-list", "crl-file", "ca-verify-file", "ca-sign-file", "issuers-chain-path", "namespace", "config");
    /** Fragments of a word that load code, read the environment or a map file, or change maps and ACLs in memory. */
    private static final String[] WORD_FRAGMENTS = {"lua.", "lua-", "env(", "map(", "map_", "set-map", "del-map",
            "add-acl", "del-acl", "use-service", "spoe", "fcgi", "set-env", "unset-var(proc", "set-var(proc", "unix@",
            "abns@", "fd@", "sockpair@", "exec@"};
    private static final Set<String> FILTERS = Set.of("compression", "cache", "bwlim-in", "bwlim-out");

    private NativeAllowList() {
    }

    /**
     * Why the policy refuses the native in a {@code section} ({@code frontend} or {@code backend}), or null when it
     * is allowed.
     */
    public static String refusal(String section, String line) {
        List<String> words;
        if (line.indexOf('$') >= 0 && line.indexOf('"') >= 0) {
            return "\"$\" inside double quotes expands environment variables";
        }
        try {
            words = words(line);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (words.isEmpty()) {
            return "it has no keyword";
        }
        int k = 0;
        String keyword = words.get(0).toLowerCase(Locale.ROOT);
        if (keyword.equals("no") && words.size() > 1) {
            keyword = words.get(1).toLowerCase(Locale.ROOT);
            k = 1;
            if (!keyword.equals("option") && !keyword.equals("log")) {
                return "\"no\" only negates option or log";
            }
        }
        boolean backend = section.equals("backend");
        boolean allowed = COMMON.contains(keyword) && (backend ? !FRONTEND_ONLY.contains(keyword) : true)
                || backend && BACKEND.contains(keyword);
        if (keyword.equals("bind")) {
            return "bind opens a listener; listeners come from the frontend's bind field";
        }
        if (!allowed) {
            return "keyword " + quote(keyword) + " is not on the allow-list of " + section + " directives (it may"
                    + " open a listener, read or write a file, load code or change process-wide settings)";
        }
        if (keyword.equals("log") && !(words.size() == k + 2 && words.get(k + 1).equalsIgnoreCase("global"))
                && k == 0) {
            return "log sends logs to an address or file; only \"log global\" is allowed";
        }
        if (keyword.equals("option") && words.size() > k + 1
                && OPTIONS_REFUSED.contains(words.get(k + 1).toLowerCase(Locale.ROOT))) {
            return "option " + words.get(k + 1) + " runs a command or needs a section natives cannot create";
        }
        if (keyword.equals("filter") && (words.size() < 2 || !FILTERS.contains(words.get(1).toLowerCase(Locale.ROOT)))) {
            return "only the filters " + String.join(", ", new java.util.TreeSet<>(FILTERS)) + " are allowed";
        }
        if ((keyword.equals("server") || keyword.equals("server-template")) && words.size() > k + 3 - (keyword
                .equals("server") ? 1 : 0)) {
            String address = words.get(keyword.equals("server") ? k + 2 : k + 3);
            if (address.startsWith("/") || address.contains("@")) {
                return "server address " + quote(address) + " is a socket path; members are host:port";
            }
        }
        for (int i = k + 1; i < words.size(); i++) {
            String w = words.get(i).toLowerCase(Locale.ROOT);
            if (FILE_WORDS.contains(w)) {
                return "argument " + quote(words.get(i)) + " reads or writes a file";
            }
            for (String f : WORD_FRAGMENTS) {
                if (w.contains(f)) {
                    return "argument " + quote(words.get(i)) + " loads code, reads the environment or a file, or"
                            + " changes process-wide state (" + f + ")";
                }
            }
            if (w.startsWith("@")) {
                return "argument " + quote(words.get(i)) + " names a file or socket";
            }
        }
        return null;
    }

    /**
     * The TCP listeners a {@code bind} native opens ({@code bind 127.0.0.1:80,:81 ssl...}; {@code :81} is every
     * address, ranges {@code 8000-8010} are expanded); unix, abns and fd listeners cannot take a TCP port and are not
     * listed. Empty for a native that is not a {@code bind}.
     *
     * @throws IllegalArgumentException when the address of a {@code bind} native cannot be read
     */
    public static List<io.thalassa.Bind> listeners(String line) {
        List<String> words;
        try {
            words = words(line);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        if (words.size() < 2 || !words.get(0).equalsIgnoreCase("bind")) {
            return List.of();
        }
        List<io.thalassa.Bind> out = new ArrayList<>();
        for (String entry : words.get(1).split(",")) {
            String a = entry;
            int at = a.indexOf('@');
            if (at >= 0) {
                String family = a.substring(0, at).toLowerCase(Locale.ROOT);
                if (!Set.of("ipv4", "ipv6", "tcp", "tcp4", "tcp6", "quic4", "quic6", "udp", "udp4", "udp6")
                        .contains(family)) {
                    continue;
                }
                a = a.substring(at + 1);
            }
            if (a.startsWith("/")) {
                continue;
            }
            int colon = a.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the address of " + quote(line) + " cannot be read");
            }
            String host = a.substring(0, colon);
            host = host.isEmpty() || host.equals("0.0.0.0") ? io.thalassa.Bind.ANY : host;
            String ports = a.substring(colon + 1);
            int dash = ports.indexOf('-');
            String lo = dash < 0 ? ports : ports.substring(0, dash);
            String hi = dash < 0 ? ports : ports.substring(dash + 1);
            if (!Checks.isAsciiDigits(lo, 5) || !Checks.isAsciiDigits(hi, 5)) {
                throw new IllegalArgumentException("the port of " + quote(line) + " cannot be read");
            }
            for (int p = Integer.parseInt(lo); p <= Math.min(Integer.parseInt(hi), 65535); p++) {
                out.add(new io.thalassa.Bind(host, p));
            }
        }
        return out;
    }

    /** The words of a line as HAProxy's parser makes them; a {@code #} outside quotes ends the line. */
    public static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        int i = 0;
        int n = line.length();
        char quote = 0;
        while (i < n) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    w.append(c);
                }
                i++;
                continue;
            }
            if (quote == 0 && (c == ' ' || c == '\t')) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
                i++;
                continue;
            }
            if (quote == 0 && c == '#') {
                break;
            }
            if (w == null) {
                w = new StringBuilder();
            }
            if (c == '\'' && quote == 0 || c == '"' && quote == 0) {
                quote = c;
                i++;
            } else if (c == '"' && quote == '"') {
                quote = 0;
                i++;
            } else if (c == '\\' && i + 1 < n) {
                char e = line.charAt(i + 1);
                if (e == 'x' && i + 3 < n) {
                    int hi = Character.digit(line.charAt(i + 2), 16);
                    int lo = Character.digit(line.charAt(i + 3), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("it has a broken \\x escape");
                    }
                    w.append((char) (hi * 16 + lo));
                    i += 4;
                } else {
                    w.append(switch (e) {
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        default -> e;
                    });
                    i += 2;
                }
            } else {
                w.append(c);
                i++;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("it has an unterminated quote");
        }
        if (w != null) {
            out.add(w.toString());
        }
        return out;
    }

    private static String quote(String s) {
        return Checks.quote(s);
    }
}
