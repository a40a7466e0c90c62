package io.thalassa.http.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Routes requests by method and path template ({@code /backends/{key}/members}, OpenAPI's syntax): 404 when no
 * template matches the path, 405 with {@code Allow} when one matches but not for this method.
 */
public final class Router {
    /** Handles one route. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    /** A method and a path template. */
    public record Route(String method, String template, Handler handler) {
        List<String> segments() {
            return split(template);
        }
    }

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Handler handler) {
        routes.add(new Route(method, template, handler));
        return this;
    }

    /** Every route, in the order added. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The template of the route a request matches by path (any method), or {@code unmatched}: a metrics tag. */
    public String template(String path) {
        List<String> p = split(path);
        for (Route route : routes) {
            if (match(route.segments(), p) != null) {
                return route.template();
            }
        }
        return "unmatched";
    }

    public ApiResponse dispatch(ApiRequest request) throws Exception {
        List<String> path = split(request.path());
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Map<String, String> params = match(route.segments(), path);
            if (params == null) {
                continue;
            }
            if (route.method().equals(request.method())) {
                return route.handler().handle(request.withPathParams(decode(params)));
            }
            allowed.add(route.method());
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("no route for " + request.method() + " " + request.path());
        }
        throw new ApiException(405, "method_not_allowed", null, request.method() + " is not allowed on "
                + request.path() + "; allowed: " + String.join(", ", allowed),
                Map.of("allow", List.copyOf(allowed)));
    }

    private static Map<String, String> match(List<String> template, List<String> path) {
        if (template.size() != path.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.size(); i++) {
            String t = template.get(i);
            String p = path.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (p.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), p);
            } else if (!t.equals(p)) {
                return null;
            }
        }
        return params;
    }

    /** Path segments; one trailing slash is ignored, empty segments in the middle never match a parameter. */
    static List<String> split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return List.of();
        }
        return List.of(p.split("/", -1));
    }

    /**
     * The route's parameters percent-decoded as UTF-8 ('+' stays '+').
     *
     * @throws ApiException 400 {@code invalid_path} naming the parameter for a malformed escape or bytes that are not
     *                      UTF-8
     */
    private static Map<String, String> decode(Map<String, String> raw) {
        Map<String, String> decoded = new HashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            decoded.put(e.getKey(), decode(e.getKey(), e.getValue()));
        }
        return decoded;
    }

    /** One path segment percent-decoded as UTF-8; a 400 naming {@code name} when it is malformed. */
    static String decode(String name, String segment) {
        try {
            return PercentDecoding.decode(segment, false);
        } catch (PercentDecoding.MalformedException e) {
            throw ApiException.badRequest("invalid_path", name, "path segment " + name + " " + e.getMessage()
                    + ": " + io.thalassa.internal.Checks.quote(segment));
        }
    }
}
