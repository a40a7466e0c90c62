package io.thalassa.http.internal;

import io.thalassa.http.internal.Tokens.Role;
import java.util.List;

/**
 * Who may do what: the role a request needs, and the decision for a request's credentials. Pure logic, so the
 * decisions (protected mode included) are unit-tested without sockets.
 */
public final class Access {
    /** The WebSocket sub-protocol the UI offers, with {@code bearer.<token>} beside it (browsers cannot set headers). */
    public static final String WS_PROTOCOL = "thalassa";
    /** The prefix of the sub-protocol that carries the token. */
    public static final String WS_TOKEN_PREFIX = "bearer.";

    /** What to do with a request. */
    public record Decision(int status, Role role, String error, String reason) {
        public boolean allowed() {
            return status == 0;
        }

        static Decision allow(Role role) {
            return new Decision(0, role, null, null);
        }
    }

    private final Tokens tokens;
    private final boolean protectedMode;

    /**
     * @param tokens        the tokens, or null when there is no tokens file
     * @param loopbackHost  whether {@code --host} is a loopback address
     */
    public Access(Tokens tokens, boolean loopbackHost) {
        this.tokens = tokens;
        this.protectedMode = tokens == null && !loopbackHost;
    }

    /** Whether the daemon serves loopback clients only (no tokens file and a --host that is not loopback). */
    public boolean protectedMode() {
        return protectedMode;
    }

    /** Whether requests need a token. */
    public boolean authenticates() {
        return tokens != null;
    }

    /**
     * The least role a request needs: null for what anyone may fetch (health, the UI's static files and the OpenAPI
     * document, which hold no data).
     */
    public static Role needed(String method, String path, boolean staticUi) {
        if (path.equals("/health/live") || path.equals("/health/ready") || staticUi
                || path.equals("/openapi.json") && method.equals("GET")) {
            return null;
        }
        boolean read = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (path.equals("/registrations") || path.startsWith("/registrations/")) {
            return read ? Role.READ : Role.REGISTER;
        }
        return read ? Role.READ : Role.ADMIN;
    }

    /** Whether {@code role} may do what {@code needed} allows: admin everything, register the registrations. */
    static boolean grants(Role role, Role needed, String path) {
        return switch (role) {
            case ADMIN -> true;
            case REGISTER -> needed == Role.REGISTER || path.startsWith("/registrations");
            case READ -> needed == Role.READ;
        };
    }

    /**
     * @param authorization the Authorization header values
     * @param wsProtocols   the offered WebSocket sub-protocols (the token may come as {@code bearer.<token>})
     * @param remoteLoopback whether the client connects from a loopback address
     */
    public Decision decide(String method, String path, boolean staticUi, List<String> authorization,
            List<String> wsProtocols, boolean remoteLoopback) {
        if (protectedMode && !remoteLoopback) {
            return new Decision(403, null, "protected_mode", "this daemon listens on a non-loopback address without"
                    + " a tokens file, so it serves loopback clients only. Start it with --tokens <file> (lines of"
                    + " <role>:<token>, roles admin, register, read) and send Authorization: Bearer <token>, or"
                    + " bind --host 127.0.0.1");
        }
        Role needed = needed(method, path, staticUi);
        if (tokens == null) {
            return Decision.allow(Role.ADMIN);
        }
        if (needed == null) {
            return Decision.allow(null);
        }
        String token = bearer(authorization, wsProtocols);
        if (token == null) {
            return new Decision(401, null, "unauthorized", "this request needs a token with role "
                    + rolesGranted(needed, path) + ": send Authorization: Bearer <token>");
        }
        Role role = tokens.roleOf(token).orElse(null);
        if (role == null) {
            return new Decision(401, null, "invalid_token", "the token is not known");
        }
        if (!grants(role, needed, path)) {
            return new Decision(403, role, "forbidden", method + " " + path + " needs role "
                    + rolesGranted(needed, path) + "; the token has role " + role.wireName());
        }
        return Decision.allow(role);
    }

    /**
     * The roles that may do what {@code needed} allows on {@code path}, each named once, the least first and admin
     * last: {@code admin}, {@code read or admin}, {@code read, register or admin}.
     */
    static String rolesGranted(Role needed, String path) {
        List<String> names = new java.util.ArrayList<>();
        for (Role r : List.of(Role.READ, Role.REGISTER, Role.ADMIN)) {
            if (grants(r, needed, path)) {
                names.add(r.wireName());
            }
        }
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    private static String bearer(List<String> authorization, List<String> wsProtocols) {
        for (String a : authorization) {
            String v = a.strip();
            if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return v.substring(7).strip();
            }
        }
        for (String p : wsProtocols) {
            for (String one : p.split(",")) {
                String v = one.strip();
                if (v.startsWith(WS_TOKEN_PREFIX)) {
                    return v.substring(WS_TOKEN_PREFIX.length());
                }
            }
        }
        return null;
    }
}
