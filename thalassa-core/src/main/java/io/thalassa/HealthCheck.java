package io.thalassa;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.thalassa.internal.Checks;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * An HTTP health check of a backend's members ({@code option httpchk}); HTTP mode only.
 *
 * @param method      GET (default), POST, HEAD or OPTIONS
 * @param uri         the path to request, default {@code /}
 * @param httpVersion HTTP/1.0 (default) or HTTP/1.1; HTTP/1.1 needs the backend's {@code host}
 * @param interval    time between two checks of one member, 1 ms..1 h, default 2 s
 */
@JsonAutoDetect(getterVisibility = JsonAutoDetect.Visibility.NONE, isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        fieldVisibility = JsonAutoDetect.Visibility.NONE) // only what is annotated: interval() is not "interval"
@JsonPropertyOrder({"method", "uri", "httpVersion", "interval"})
public record HealthCheck(Method method, String uri, HttpVersion httpVersion, Duration interval) {
    // declared before DEFAULTS: its construction runs the checks that name them
    private static final Checks.Name METHOD = Checks.Name.of("method", "health method");
    private static final Checks.Name URI = Checks.Name.of("uri", "health uri");
    private static final Checks.Name HTTP_VERSION = Checks.Name.of("httpVersion", "health httpVersion");
    private static final Checks.Name INTERVAL = Checks.Name.of("interval", "health interval");

    /** Interval used when none is given: 2 seconds, as the original. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(2000);
    /** The defaults of every field: GET / HTTP/1.0 every 2 seconds. */
    public static final HealthCheck DEFAULTS = new HealthCheck(Method.GET, "/", HttpVersion.HTTP_1_0, DEFAULT_INTERVAL);

    /** HTTP method of the check request. */
    public enum Method {
        GET, POST, HEAD, OPTIONS;

        @JsonValue
        public String wireName() {
            return name();
        }

        @JsonCreator
        public static Method of(String value) {
            return Checks.wireEnum(METHOD, value, values(), Method::wireName);
        }
    }

    /** HTTP version of the check request. */
    public enum HttpVersion {
        HTTP_1_0("HTTP/1.0"), HTTP_1_1("HTTP/1.1");

        private final String wireName;

        HttpVersion(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static HttpVersion of(String value) {
            return Checks.wireEnum(HTTP_VERSION, value, values(), HttpVersion::wireName);
        }
    }

    /**
     * @throws IllegalArgumentException naming the field when a part is invalid
     */
    public HealthCheck {
        Checks.notNull(METHOD, method);
        Checks.notNull(HTTP_VERSION, httpVersion);
        checkUri(uri);
        checkInterval(interval);
    }

    private static String checkUri(String uri) {
        Checks.token(URI, uri, 1024);
        if (!uri.startsWith("/")) {
            throw new InvalidValueException(URI.path(), uri, "health uri must start with /: " + Checks.quote(uri));
        }
        return uri;
    }

    private static Duration checkInterval(Duration interval) {
        Checks.notNull(INTERVAL, interval);
        if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new InvalidValueException(INTERVAL.path(), interval.toMillis(), "health interval must be in 1..3600000 ms: "
                    + interval.toMillis());
        }
        return interval;
    }

    /** Builds a check from the defaults, changed by {@code edits}, e.g. {@code h -> h.uri("/health")}. */
    public static HealthCheck of(UnaryOperator<Builder> edits) {
        return edits.apply(new Builder(DEFAULTS)).build();
    }

    @JsonCreator
    static HealthCheck fromJson(@JsonProperty("method") String method, @JsonProperty("uri") String uri,
            @JsonProperty("httpVersion") String httpVersion, @JsonProperty("interval") Object interval) {
        return new HealthCheck(method == null ? DEFAULTS.method : Method.of(method),
                uri == null ? DEFAULTS.uri : uri,
                httpVersion == null ? DEFAULTS.httpVersion : HttpVersion.of(httpVersion),
                interval == null ? DEFAULT_INTERVAL : Duration.ofMillis(Checks.wholeNumber(INTERVAL, interval)));
    }

    @JsonProperty("method")
    @Override
    public Method method() {
        return method;
    }

    @JsonProperty("uri")
    @Override
    public String uri() {
        return uri;
    }

    @JsonProperty("httpVersion")
    @Override
    public HttpVersion httpVersion() {
        return httpVersion;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    /** The interval in milliseconds, as in JSON and in {@code check inter}. */
    @JsonProperty("interval")
    public long intervalMillis() {
        return interval.toMillis();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Fluent builder of a {@link HealthCheck}; starts from the defaults. */
    public static final class Builder {
        private Method method;
        private String uri;
        private HttpVersion httpVersion;
        private Duration interval;

        private Builder(HealthCheck from) {
            this.method = from.method;
            this.uri = from.uri;
            this.httpVersion = from.httpVersion;
            this.interval = from.interval;
        }

        /** @throws IllegalArgumentException when null */
        public Builder method(Method method) {
            this.method = Checks.notNull(METHOD, method);
            return this;
        }

        /** @throws IllegalArgumentException when the uri does not start with / or contains whitespace */
        public Builder uri(String uri) {
            this.uri = checkUri(uri);
            return this;
        }

        public Builder httpVersion(HttpVersion httpVersion) {
            this.httpVersion = Checks.notNull(HTTP_VERSION, httpVersion);
            return this;
        }

        /** @throws IllegalArgumentException unless in 1 ms..1 h */
        public Builder interval(Duration interval) {
            this.interval = checkInterval(interval);
            return this;
        }

        public HealthCheck build() {
            return new HealthCheck(method, uri, httpVersion, interval);
        }
    }
}
