package io.thalassa.http.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request that cannot be answered with success; becomes the one error body of the API:
 * {@code {"status":400,"error":"invalid_value","field":"balance","reason":"balance must be one of ...: \"x\""}}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final String field;
    private final transient Map<String, Object> extra;

    public ApiException(int status, String error, String field, String reason) {
        this(status, error, field, reason, Map.of());
    }

    public ApiException(int status, String error, String field, String reason, Map<String, Object> extra) {
        super(reason);
        this.status = status;
        this.error = error;
        this.field = field;
        this.extra = new LinkedHashMap<>(extra);
    }

    public static ApiException badRequest(String error, String field, String reason) {
        return new ApiException(400, error, field, reason);
    }

    public static ApiException notFound(String reason) {
        return new ApiException(404, "not_found", null, reason);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String field() {
        return field;
    }

    public String reason() {
        return getMessage();
    }

    /** The error body, in a fixed field order: status, error, field (when known), reason, then extras. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        if (field != null) {
            body.put("field", field);
        }
        body.put("reason", getMessage());
        body.putAll(extra);
        return body;
    }
}
