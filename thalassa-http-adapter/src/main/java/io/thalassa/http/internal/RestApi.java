package io.thalassa.http.internal;

import io.thalassa.Backend;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ReloadFailedException;
import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaException;
import io.thalassa.VersionSplit;
import io.thalassa.haproxy.ChangeStatus;
import io.thalassa.runtime.ActivityLog;
import io.thalassa.runtime.Change;
import io.thalassa.runtime.LiveStats;
import io.thalassa.runtime.SplitShares;
import io.thalassa.runtime.Thalassa;
import io.thalassa.runtime.ThalassaStatus;
import io.thalassa.spi.Registration;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The routes of the REST API on a {@link Thalassa}: frontends, backends, members, version switch, haproxy config,
 * activity and stats here; writes' answers in {@link Writes}, status and health in {@link StatusRoutes}, the
 * registration API in {@link RegistrationRoutes}, TLS certificates in {@link CertificateRoutes}.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final String OPENAPI = "io/thalassa/http/openapi.json";

    private final Thalassa thalassa;
    private final LiveStats live;
    private final byte[] openApi;
    private final Writes writes;
    private final StatusRoutes status;
    private final RegistrationRoutes registrations;
    private final RolloutRoutes rollouts;
    private final HistoryRoutes history;
    private final BatchRoutes batches;
    private final CertificateRoutes certificates;
    private volatile Metrics metrics;
    private volatile io.thalassa.NativePolicy natives = io.thalassa.NativePolicy.SAFE;
    private final java.util.concurrent.atomic.AtomicReference<Listing> frontendList =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicReference<Listing> backendList =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param instance what {@code GET /status} says about this daemon first (label, location, datacenter)
     * @param live     the live view behind {@code ?status=true} and {@code /stats?since=}, or null for neither
     */
    public RestApi(Thalassa thalassa, Map<String, Object> instance, LiveStats live) {
        this.live = live;
        this.thalassa = thalassa;
        this.openApi = openApiDocument();
        this.writes = new Writes(thalassa);
        this.status = new StatusRoutes(thalassa, instance);
        this.registrations = new RegistrationRoutes(thalassa);
        this.rollouts = new RolloutRoutes(thalassa, writes);
        this.history = new HistoryRoutes(thalassa, writes);
        this.batches = new BatchRoutes(thalassa, writes, () -> natives);
        this.certificates = new CertificateRoutes(thalassa, java.time.Clock.systemUTC());
    }

    /** Sets the metrics {@code GET /metrics} shows; returns this. */
    public RestApi metrics(Metrics m) {
        this.metrics = m;
        return this;
    }

    /** Records writes in the history by their token's role (a tokens file is used); returns this. */
    public RestApi attributed(boolean byRole) {
        writes.attributed(byRole);
        return this;
    }

    /** Sets what natives a write may hold (default {@link io.thalassa.NativePolicy#SAFE}); returns this. */
    public RestApi nativePolicy(io.thalassa.NativePolicy policy) {
        this.natives = policy;
        return this;
    }

    /** The OpenAPI 3 document of the main port. */
    public static byte[] openApiDocument() {
        try (InputStream in = RestApi.class.getClassLoader().getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every route of the main port. */
    public Router mainRouter() {
        Router r = new Router()
                .add("GET", "/frontends", this::listFrontends)
                .add("GET", "/frontends/{key}", this::getFrontend)
                .add("PUT", "/frontends/{key}", this::putFrontend)
                .add("DELETE", "/frontends/{key}", this::deleteFrontend)
                .add("GET", "/backends", this::listBackends)
                .add("GET", "/backends/{key}", this::getBackend)
                .add("PUT", "/backends/{key}", this::putBackend)
                .add("POST", "/backends/{key}", this::switchVersion)
                .add("DELETE", "/backends/{key}", this::deleteBackend)
                .add("GET", "/backends/{key}/members", this::getMembers)
                .add("GET", "/certificates", certificates::list)
                .add("GET", "/certificates/{name}", certificates::get)
                .add("PUT", "/certificates/{name}", certificates::put)
                .add("DELETE", "/certificates/{name}", certificates::delete)
                .add("GET", "/haproxy/config", this::haproxyConfig)
                .add("GET", "/activity", this::activity)
                .add("GET", "/stats", this::stats)
                .add("GET", "/status", status::status)
                .add("GET", "/changes/{id}", writes::change)
                .add("GET", "/fleet", status::fleet)
                .add("GET", "/openapi.json", req -> ApiResponse.json(200, openApi))
                .add("GET", "/health/live", req -> ApiResponse.json(200, Json.write(Map.of("status", "live"))))
                .add("GET", "/health/ready", status::ready)
                .add("GET", "/metrics", req -> {
                    if (metrics == null) {
                        throw ApiException.notFound("no metrics in this daemon");
                    }
                    return new ApiResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                            metrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
                })
                .add("GET", "/ws", req -> {
                    throw new ApiException(426, "upgrade_required", null,
                            "/ws is a WebSocket endpoint: connect with Upgrade: websocket");
                });
        rollouts.addTo(r);
        history.addTo(r);
        batches.addTo(r);
        addRegistrationRoutes(r);
        return r;
    }

    /** The routes of the registration port: the registration API only. */
    public Router registrationRouter() {
        Router r = new Router();
        addRegistrationRoutes(r);
        return r;
    }

    private void addRegistrationRoutes(Router r) {
        r.add("GET", "/registrations", req -> registrations.list(null, null))
                .add("GET", "/registrations/{name}", req -> registrations.list(req.param("name"), null))
                .add("GET", "/registrations/{name}/{version}",
                        req -> registrations.list(req.param("name"), req.param("version")))
                .add("POST", "/registrations/{name}/{version}/{host}/{port}", registrations::register)
                .add("DELETE", "/registrations/{name}/{version}/{host}/{port}", registrations::deregister);
    }

    // ---- frontends

    private ApiResponse listFrontends(ApiRequest req) {
        return listing(req, frontendList, c -> List.copyOf(c.frontends().values()));
    }

    private ApiResponse getFrontend(ApiRequest req) {
        String key = frontendKey(req);
        long version = thalassa.version(Frontend.idOf(key)); // before the item: never newer than it
        Frontend f = thalassa.config().frontend(key)
                .orElseThrow(() -> ApiException.notFound("frontend " + key + " does not exist"));
        return readItem(req, f, version);
    }

    private ApiResponse putFrontend(ApiRequest req) {
        String key = frontendKey(req);
        Duration wait = Writes.waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        body.put("key", key);
        body.remove("change"); // a write's answer, put back
        Frontend frontend = Json.convert(body, Frontend.class);
        try {
            natives.check(frontend);
        } catch (io.thalassa.InvalidValueException e) {
            throw Json.invalid("", e);
        }
        Change w = writes.apply(req, (c, v) -> {
            Preconditions.checkChange(req, Preconditions.etag(v.of(frontend.id())));
            return c.withFrontend(frontend);
        });
        return writes.written(w.config().frontend(key).orElseThrow(() -> gone("frontend", key)), frontend.id(), w,
                wait);
    }

    private ApiResponse deleteFrontend(ApiRequest req) {
        String key = frontendKey(req);
        Duration wait = Writes.waitOf(req);
        Frontend[] removed = new Frontend[1];
        Change w = writes.apply(req, (c, v) -> {
            removed[0] = c.frontend(key).orElseThrow(() -> ApiException.notFound("frontend " + key
                    + " does not exist"));
            Preconditions.checkChange(req, Preconditions.etag(v.of(removed[0].id())));
            return c.withoutFrontend(key);
        });
        return writes.written(removed[0], removed[0].id(), w, wait);
    }

    // ---- backends

    private ApiResponse listBackends(ApiRequest req) {
        return listing(req, backendList, c -> List.copyOf(c.backends().values()));
    }

    /** The list {@code items} picks from the current configuration, from {@code cache} while that is unchanged. */
    private ApiResponse listing(ApiRequest req, java.util.concurrent.atomic.AtomicReference<Listing> cache,
            java.util.function.Function<ThalassaConfig, Object> items) {
        ThalassaConfig config = thalassa.config();
        Listing cached = cache.get();
        if (cached == null || cached.config != config) {
            cached = new Listing(config, tagged(items.apply(config)));
            cache.set(cached);
        }
        return conditional(req, cached.response);
    }

    /**
     * A list answer kept for the configuration snapshot it was made from: the backplane hands out the same immutable
     * snapshot until something changes, so scripts polling {@code GET /backends} cost no serializing.
     */
    private record Listing(ThalassaConfig config, ApiResponse response) {
    }

    private ApiResponse getBackend(ApiRequest req) {
        String key = backendKey(req);
        long version = thalassa.version(Backend.idOf(key)); // before the item: never newer than it
        Backend b = backend(thalassa.config(), key);
        return readItem(req, b, version);
    }

    private ApiResponse getMembers(ApiRequest req) {
        String key = backendKey(req);
        List<Member> members = backend(thalassa.config(), key).members();
        if (live != null && "true".equals(req.query("status"))) {
            return read(req, UiData.membersWithStatus(members, live.memberStatus(key)));
        }
        return read(req, members);
    }

    private ApiResponse putBackend(ApiRequest req) {
        String key = backendKey(req);
        Duration wait = Writes.waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        body.put("key", key);
        body.remove("change"); // a write's answer, put back
        body.remove("split");
        Backend backend = Json.convert(body, Backend.class);
        try {
            natives.check(backend);
        } catch (io.thalassa.InvalidValueException e) {
            throw Json.invalid("", e);
        }
        Change w = writes.apply(req, (c, v) -> {
            Preconditions.checkChange(req, Preconditions.etag(v.of(backend.id())));
            return c.withBackend(backend);
        });
        return writes.written(w.config().backend(key).orElseThrow(() -> gone("backend", key)), backend.id(), w,
                wait);
    }

    private ApiResponse switchVersion(ApiRequest req) {
        String key = backendKey(req);
        Duration wait = Writes.waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        Set<String> known = Set.of("version", "versions", "name");
        body.propertyNames().forEach(f -> {
            if (!known.contains(f)) {
                throw ApiException.badRequest("unknown_field", f, "unknown field \"" + f
                        + "\"; known fields: name, version, versions");
            }
        });
        String version = text(body, "version");
        VersionSplit split = split(body.get("versions"));
        if (version == null && split == null) {
            throw ApiException.badRequest("missing_field", "version", "version or versions is required");
        }
        if (version != null && split != null) {
            throw ApiException.badRequest("invalid_value", "versions", "give version (a switch) or versions (a"
                    + " split), not both");
        }
        String name = text(body, "name");
        Change w = writes.apply(req, (c, v) -> {
            Backend current = backend(c, key);
            Preconditions.checkChange(req, Preconditions.etag(v.of(current.id())));
            if (!current.isDynamic()) {
                throw ApiException.badRequest("invalid_value", "type", "backend " + key
                        + " is static; only dynamic backends switch versions");
            }
            String service = name == null ? current.serviceName() : name;
            return c.withBackend(split == null ? current.withService(service, version)
                    : current.toBuilder().service(service, split.primaryVersion()).split(split).build());
        });
        Backend after = backend(w.config(), key);
        Map<String, Object> shares = SplitShares.answer(after);
        return writes.written(after, after.id(), w, wait, shares == null ? Map.of() : Map.of("split", shares));
    }

    /** {@code versions} of a switch: an object of version to whole-number weight, or null when absent. */
    private static VersionSplit split(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("invalid_value", "versions", "versions must be an object of version to"
                    + " weight, e.g. {\"1.0.0\": 90, \"2.0.0\": 10}");
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            JsonNode v = e.getValue();
            raw.put(e.getKey(), v.isIntegralNumber() ? v.bigIntegerValue() : v.isTextual() ? v.asText()
                    : v.isNumber() ? v.numberValue() : v.toString());
        });
        try {
            return VersionSplit.parse(raw);
        } catch (IllegalArgumentException e) {
            throw Json.translate(e);
        }
    }

    private ApiResponse deleteBackend(ApiRequest req) {
        String key = backendKey(req);
        Duration wait = Writes.waitOf(req);
        Backend[] removed = new Backend[1];
        Change w = writes.apply(req, (c, v) -> {
            removed[0] = backend(c, key);
            Preconditions.checkChange(req, Preconditions.etag(v.of(removed[0].id())));
            return c.withoutBackend(key);
        });
        return writes.written(removed[0], removed[0].id(), w, wait);
    }

    private static Backend backend(ThalassaConfig config, String key) {
        return config.backend(key).orElseThrow(() -> ApiException.notFound("backend " + key + " does not exist"));
    }

    private static String text(ObjectNode body, String field) {
        return Json.optionalString(body, field);
    }

    // ---- haproxy, activity, stats

    private static final java.util.regex.Pattern STATS_AUTH = java.util.regex.Pattern.compile(
            "(?m)^(\\s*stats auth )\\S+$");

    private ApiResponse haproxyConfig(ApiRequest req) {
        String config = thalassa.haproxyConfig();
        if (!req.admin()) { // the stats password opens HAProxy's stats page: admins only
            config = STATS_AUTH.matcher(config).replaceAll("$1<hidden: admin only>");
        }
        ApiResponse text = ApiResponse.text(200, config);
        return conditional(req, text);
    }

    private ApiResponse activity(ApiRequest req) {
        int limit = 100;
        if (req.query("limit") != null) {
            limit = (int) number("limit", req.query("limit"), 1, 1000);
        }
        Long before = req.query("before") == null ? null : number("before", req.query("before"), 1, Long.MAX_VALUE);
        Set<String> verbs = new LinkedHashSet<>();
        List<String> verbParams = req.query().getOrDefault("verb", List.of());
        for (String param : verbParams) {
            for (String v : param.split(",")) {
                if (!v.isBlank()) {
                    try {
                        verbs.add(ThalassaEvent.Verb.of(v.trim()).wireName());
                    } catch (IllegalArgumentException e) {
                        throw Json.translate(e);
                    }
                }
            }
        }
        String object = req.query("object");
        ActivityLog.Page page = thalassa.activity().page(new ActivityLog.Query(limit, before, verbs,
                object == null || object.isEmpty() ? null : object));
        List<Map<String, Object>> events = new ArrayList<>();
        page.entries().forEach(e -> events.add(e.toJson()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", events);
        body.put("nextBefore", page.nextBefore());
        return read(req, body);
    }

    /** A whole number of ASCII digits (no sign, no whitespace, no other scripts' digits) in {@code min..max}. */
    static long number(String field, String value, long min, long max) {
        if (io.thalassa.internal.Checks.isAsciiDigits(value, 18)) {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        }
        throw new ApiException(400, "invalid_value", field, field + " must be a whole number in " + min + ".."
                + (max == Long.MAX_VALUE ? "" : String.valueOf(max)) + " (digits 0-9): "
                + io.thalassa.internal.Checks.quote(value), Map.of("value", Json.shown(value)));
    }

    private ApiResponse stats(ApiRequest req) {
        if (live != null && req.query("since") != null) {
            long since = number("since", req.query("since"), 0, Long.MAX_VALUE);
            return read(req, UiData.history(live, since));
        }
        return thalassa.stats().map(s -> read(req, SplitShares.withSplits(s, thalassa.splitShares())))
                .orElseGet(() -> ApiResponse.empty(204));
    }

    // ---- shared

    private static String frontendKey(ApiRequest req) {
        String key = req.param("key");
        try {
            Frontend.builder(key);
        } catch (io.thalassa.InvalidValueException e) {
            throw Json.invalid("", e, "invalid_key");
        }
        return key;
    }

    private static String backendKey(ApiRequest req) {
        String key = req.param("key");
        try {
            Backend.staticBackend(key);
        } catch (io.thalassa.InvalidValueException e) {
            throw Json.invalid("", e, "invalid_key");
        }
        return key;
    }

    private static ApiException gone(String what, String key) {
        return new ApiException(409, "conflict", null, what + " " + key + " was removed by a concurrent change");
    }

    /**
     * 200 with a stored item and its ETag, the item's version (not a hash of the body: members, health and time do
     * not change it), or 304 when the client's If-None-Match matches.
     */
    static ApiResponse readItem(ApiRequest req, Object item, long version) {
        String etag = Preconditions.etag(version);
        ApiResponse r = ApiResponse.json(200, Json.write(item));
        return etag == null ? r : conditional(req, r.withHeader("ETag", etag));
    }

    /** 200 with the value and its ETag, or 304 when the client's If-None-Match matches. */
    static ApiResponse read(ApiRequest req, Object value) {
        return conditional(req, ApiResponse.json(200, Json.write(value)));
    }

    static ApiResponse conditional(ApiRequest req, ApiResponse response) {
        String etag = response.headers().get("ETag");
        if (etag == null) {
            etag = Preconditions.etag(response.body());
            response = response.withHeader("ETag", etag);
        }
        if (Preconditions.notModified(req, etag)) {
            return ApiResponse.empty(304).withHeader("ETag", etag);
        }
        return response;
    }

    /** 200 with {@code value} and its ETag. */
    private static ApiResponse tagged(Object value) {
        byte[] bytes = Json.write(value);
        return ApiResponse.json(200, bytes).withHeader("ETag", Preconditions.etag(bytes));
    }
}
