package io.thalassa.http.internal;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP request as the routes see it, independent of Jetty.
 *
 * @param method     upper-case method
 * @param path       the raw path, e.g. {@code /frontends/web}
 * @param pathParams decoded values of the route's {@code {name}} segments
 * @param query      decoded query parameters
 * @param headers    header lookup by case-insensitive name; all values of the header, possibly empty
 * @param body       the request body, empty when there is none
 * @param role       the role of the request's token: {@code ADMIN} without a tokens file, null where none was needed
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
        Function<String, List<String>> headers, byte[] body, Tokens.Role role) {

    /** A request with every right, as without a tokens file. */
    public ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
            Function<String, List<String>> headers, byte[] body) {
        this(method, path, pathParams, query, headers, body, Tokens.Role.ADMIN);
    }

    /** Whether the request may see secrets (the stats password in the configuration). */
    public boolean admin() {
        return role == Tokens.Role.ADMIN;
    }

    public String param(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Every value of a header, comma-separated lists split, trimmed. */
    public List<String> headerValues(String name) {
        return headers.apply(name);
    }

    ApiRequest withPathParams(Map<String, String> params) {
        return new ApiRequest(method, path, Map.copyOf(params), query, headers, body, role);
    }
}
