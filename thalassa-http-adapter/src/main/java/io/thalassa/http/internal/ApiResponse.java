package io.thalassa.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP response as the routes produce it, independent of Jetty.
 *
 * @param status      HTTP status
 * @param contentType media type of the body, or null for no body
 * @param body        the body bytes, empty for none
 * @param headers     further headers (ETag, Allow...)
 */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json";
    public static final String TEXT = "text/plain; charset=utf-8";

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, byte[] body) {
        return new ApiResponse(status, JSON, body, Map.of());
    }

    public static ApiResponse text(int status, String body) {
        return new ApiResponse(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static ApiResponse empty(int status) {
        return new ApiResponse(status, null, new byte[0], Map.of());
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ApiResponse(status, contentType, body, copy);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
