package io.thalassa.http.internal;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names the request field a model check complained about. The model's messages start with the field
 * ({@code "member port must be in 1..65535: 70000"}, {@code "backend b: health httpVersion HTTP/1.1 needs host"});
 * Jackson's path says where in the body ({@code members[2]}); together: {@code members[2].port}.
 */
final class Fields {
    private static final Pattern OWNER = Pattern.compile("^(frontend|backend) \\S+: ");
    private static final Set<String> MEMBER = Set.of("host", "port", "name", "version");
    private static final Set<String> HEALTH = Set.of("method", "uri", "httpVersion", "interval");
    private static final Set<String> RULE = Set.of("type", "operation", "header", "value", "backend");
    private static final Set<String> TOP = Set.of("key", "bind", "backend", "mode", "keepalive", "rules", "natives",
            "type", "name", "version", "versions", "balance", "host", "health", "members", "secondsToExpire", "port", "verb",
            "limit", "before", "object");

    private Fields() {
    }

    /**
     * @param jsonPath where Jackson was when the check failed, empty at the top
     * @param message  the model's message
     * @return the field, e.g. {@code rules[0].backend}, or null when the message names none
     */
    static String infer(String jsonPath, String message) {
        String msg = OWNER.matcher(message).replaceFirst("");
        String[] words = msg.split(" ", 3);
        String w0 = words[0];
        String w1 = words.length > 1 ? words[1] : "";
        String context = null;
        String leaf = null;
        switch (w0) {
            case "member" -> {
                context = "members";
                leaf = MEMBER.contains(w1) ? w1 : null;
            }
            case "health" -> {
                context = "health";
                leaf = HEALTH.contains(w1) ? w1 : null;
            }
            case "rule" -> {
                context = "rules";
                leaf = RULE.contains(w1) ? w1 : null;
            }
            case "frontend", "backend" -> {
                if (w1.equals("key")) {
                    return "key";
                }
                if (w0.equals("backend")) {
                    leaf = "backend";
                }
            }
            case "dynamic" -> leaf = "name";
            default -> leaf = TOP.contains(w0) ? w0 : null;
        }
        if (context != null) {
            String base = !jsonPath.isEmpty() && jsonPath.startsWith(context) ? jsonPath : context;
            return leaf == null ? base : base + "." + leaf;
        }
        if (leaf == null) {
            return jsonPath.isEmpty() ? null : jsonPath;
        }
        if (jsonPath.isEmpty() || jsonPath.equals(leaf) || jsonPath.endsWith("." + leaf)) {
            return jsonPath.isEmpty() ? leaf : jsonPath;
        }
        return jsonPath + "." + leaf;
    }
}
