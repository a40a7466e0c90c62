package io.thalassa.http.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thalassa.Backend;
import io.thalassa.CapacityExceededException;
import io.thalassa.ConfigRejectedException;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.RegistryUnavailableException;
import io.thalassa.ReloadFailedException;
import io.thalassa.ThalassaConfig;
import io.thalassa.ThalassaEvent;
import io.thalassa.ThalassaException;
import io.thalassa.VersionSplit;
import io.thalassa.http.ActivityLog;
import io.thalassa.http.Backplane;
import io.thalassa.StoreConflictException;
import io.thalassa.StoreUnavailableException;
import io.thalassa.http.ConfigStore;
import io.thalassa.haproxy.ChangeStatus;
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

/**
 * The routes of the REST API (frontends, backends, members, version switch, haproxy config), the registration API,
 * the activity feed, stats and the OpenAPI document, on a {@link Backplane}.
 */
public final class RestApi {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);
    private static final String OPENAPI = "io/thalassa/http/openapi.json";

    private final Backplane backplane;
    private final LiveStats live;
    private final ConfigStore store;
    private final ActivityLog activity;
    private final byte[] openApi;
    private final Map<String, Object> instance;
    private final Instant startedAt = Instant.now();
    private volatile Metrics metrics;
    private volatile io.thalassa.NativePolicy natives = io.thalassa.NativePolicy.SAFE;
    private final java.util.concurrent.atomic.AtomicReference<Listing> frontendList =
            new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicReference<Listing> backendList =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param store    where accepted changes are saved, or null
     * @param activity the activity feed
     * @param instance what {@code GET /status} says about this daemon first (label, location, datacenter, ports)
     */
    public RestApi(Backplane backplane, ConfigStore store, ActivityLog activity, Map<String, Object> instance) {
        this(backplane, store, activity, instance, null);
    }

    /** @param live the live view behind {@code ?status=true} and {@code /stats?since=}, or null for neither */
    public RestApi(Backplane backplane, ConfigStore store, ActivityLog activity, Map<String, Object> instance,
            LiveStats live) {
        this.live = live;
        this.backplane = backplane;
        this.store = store;
        this.activity = activity;
        this.instance = new LinkedHashMap<>(instance);
        this.openApi = openApiDocument();
    }

    /** Sets the metrics {@code GET /metrics} shows; returns this. */
    public RestApi metrics(Metrics m) {
        this.metrics = m;
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
                .add("GET", "/haproxy/config", this::haproxyConfig)
                .add("GET", "/activity", this::activity)
                .add("GET", "/stats", this::stats)
                .add("GET", "/status", this::status)
                .add("GET", "/changes/{id}", this::change)
                .add("GET", "/fleet", this::fleet)
                .add("GET", "/openapi.json", req -> ApiResponse.json(200, openApi))
                .add("GET", "/health/live", req -> ApiResponse.json(200, Json.write(Map.of("status", "live"))))
                .add("GET", "/health/ready", this::ready)
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
        r.add("GET", "/registrations", req -> registrations(null, null))
                .add("GET", "/registrations/{name}", req -> registrations(req.param("name"), null))
                .add("GET", "/registrations/{name}/{version}",
                        req -> registrations(req.param("name"), req.param("version")))
                .add("POST", "/registrations/{name}/{version}/{host}/{port}", this::register)
                .add("DELETE", "/registrations/{name}/{version}/{host}/{port}", this::deregister);
    }

    // ---- frontends

    private ApiResponse listFrontends(ApiRequest req) {
        return listing(req, frontendList, c -> List.copyOf(c.frontends().values()));
    }

    private ApiResponse getFrontend(ApiRequest req) {
        String key = frontendKey(req);
        return read(req, backplane.config().frontend(key)
                .orElseThrow(() -> ApiException.notFound("frontend " + key + " does not exist")));
    }

    private ApiResponse putFrontend(ApiRequest req) {
        String key = frontendKey(req);
        Duration wait = waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        body.put("key", key);
        body.remove("change"); // a write's answer, put back
        Frontend frontend = Json.convert(body, Frontend.class);
        try {
            natives.check(frontend);
        } catch (io.thalassa.InvalidValueException e) {
            throw Json.invalid("", e);
        }
        Backplane.Written w = apply(c -> {
            Preconditions.checkChange(req, c.frontend(key).map(RestApi::etagOf).orElse(null));
            return c.withFrontend(frontend);
        });
        return written(w.config().frontend(key).orElseThrow(() -> gone("frontend", key)), w, wait);
    }

    private ApiResponse deleteFrontend(ApiRequest req) {
        String key = frontendKey(req);
        Duration wait = waitOf(req);
        Frontend[] removed = new Frontend[1];
        Backplane.Written w = apply(c -> {
            removed[0] = c.frontend(key).orElseThrow(() -> ApiException.notFound("frontend " + key
                    + " does not exist"));
            Preconditions.checkChange(req, etagOf(removed[0]));
            return c.withoutFrontend(key);
        });
        return written(removed[0], w, wait);
    }

    // ---- backends

    private ApiResponse listBackends(ApiRequest req) {
        return listing(req, backendList, c -> List.copyOf(c.backends().values()));
    }

    /** The list {@code items} picks from the current configuration, from {@code cache} while that is unchanged. */
    private ApiResponse listing(ApiRequest req, java.util.concurrent.atomic.AtomicReference<Listing> cache,
            java.util.function.Function<ThalassaConfig, Object> items) {
        ThalassaConfig config = backplane.config();
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
        return read(req, backend(backplane.config(), key));
    }

    private ApiResponse getMembers(ApiRequest req) {
        String key = backendKey(req);
        List<Member> members = backend(backplane.config(), key).members();
        if (live != null && "true".equals(req.query("status"))) {
            return read(req, UiData.membersWithStatus(members, live.memberStatus(key)));
        }
        return read(req, members);
    }

    private ApiResponse putBackend(ApiRequest req) {
        String key = backendKey(req);
        Duration wait = waitOf(req);
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
        Backplane.Written w = apply(c -> {
            Preconditions.checkChange(req, c.backend(key).map(RestApi::etagOf).orElse(null));
            return c.withBackend(backend);
        });
        return written(w.config().backend(key).orElseThrow(() -> gone("backend", key)), w, wait);
    }

    private ApiResponse switchVersion(ApiRequest req) {
        String key = backendKey(req);
        Duration wait = waitOf(req);
        ObjectNode body = Json.readObject(req.body());
        Set<String> known = Set.of("version", "versions", "name");
        body.fieldNames().forEachRemaining(f -> {
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
        Backplane.Written w = apply(c -> {
            Backend current = backend(c, key);
            Preconditions.checkChange(req, etagOf(current));
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
        return written(after, w, wait, shares == null ? Map.of() : Map.of("split", shares));
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
        node.fields().forEachRemaining(e -> {
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
        Duration wait = waitOf(req);
        Backend[] removed = new Backend[1];
        Backplane.Written w = apply(c -> {
            removed[0] = backend(c, key);
            Preconditions.checkChange(req, etagOf(removed[0]));
            return c.withoutBackend(key);
        });
        return written(removed[0], w, wait);
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
        String config = backplane.haproxyConfig();
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
        ActivityLog.Page page = activity.page(new ActivityLog.Query(limit, before, verbs,
                object == null || object.isEmpty() ? null : object));
        List<Map<String, Object>> events = new ArrayList<>();
        page.entries().forEach(e -> events.add(e.toJson()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", events);
        body.put("nextBefore", page.nextBefore());
        return read(req, body);
    }

    /** A whole number of ASCII digits (no sign, no whitespace, no other scripts' digits) in {@code min..max}. */
    private static long number(String field, String value, long min, long max) {
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
        Optional<Object> stats = backplane.stats();
        return stats.isEmpty() ? ApiResponse.empty(204) : read(req, stats.get());
    }

    private ApiResponse status(ApiRequest req) {
        Map<String, Object> body = new LinkedHashMap<>(instance);
        body.put("version", version());
        body.put("startedAt", startedAt.toString());
        body.put("uptimeSeconds", java.time.Duration.between(startedAt, Instant.now()).toSeconds());
        ThalassaConfig config = backplane.config();
        body.put("frontends", config.frontends().size());
        body.put("backends", config.backends().size());
        body.putAll(backplane.status());
        return ApiResponse.json(200, Json.write(body));
    }

    /** Every node of the fleet and whether it runs the newest revision; 404 outside fleet mode. */
    private ApiResponse fleet(ApiRequest req) {
        Optional<Map<String, Object>> fleet;
        try {
            fleet = backplane.fleet();
        } catch (StoreUnavailableException e) {
            throw new ApiException(503, "store_unavailable", null, e.getMessage());
        }
        return ApiResponse.json(200, Json.write(fleet.orElseThrow(() -> ApiException.notFound(
                "this daemon is not part of a fleet: start every node with --store consul"))));
    }

    /** 200 when HAProxy runs the configuration last accepted (and has a master), else 503 saying why. */
    private ApiResponse ready(ApiRequest req) {
        Map<String, Object> body = new LinkedHashMap<>();
        Object haproxy = backplane.status().get("haproxy");
        boolean runs = haproxy instanceof Map<?, ?> h && Boolean.TRUE.equals(h.get("runsDesired"))
                && h.get("masterPid") != null;
        body.put("status", runs ? "ready" : "not_ready");
        if (!runs) {
            body.put("reason", haproxy instanceof Map<?, ?> h && h.get("masterPid") == null ? "HAProxy is not running"
                    : "HAProxy does not run the configuration last accepted yet (a reload is pending or failed)");
        }
        return ApiResponse.json(runs ? 200 : 503, Json.write(body));
    }

    /** The version in the jar's manifest, or "dev" when run from classes. */
    static String version() {
        String v = RestApi.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    // ---- registrations

    private ApiResponse registrations(String name, String version) {
        List<Member> out = new ArrayList<>();
        for (Registration r : registry(() -> backplane.registry().registrations(name, version))) {
            out.add(r.toMember());
        }
        return ApiResponse.json(200, Json.write(out));
    }

    private ApiResponse register(ApiRequest req) {
        int port = port(req.param("port"));
        ObjectNode body = Json.readObjectOrEmpty(req.body());
        Map<String, Object> meta = Json.MAPPER.convertValue(body, new TypeReference<LinkedHashMap<String, Object>>() {
        });
        Registration registration;
        try {
            registration = Registration.of(req.param("name"), req.param("version"), req.param("host"), port, meta,
                    Registration.parseSecondsToExpire(meta.get("secondsToExpire")));
        } catch (IllegalArgumentException e) {
            throw Json.translate(e);
        }
        registry(() -> {
            backplane.registry().register(registration);
            return null;
        });
        return ApiResponse.json(200, Json.write(registration.toMember()));
    }

    private ApiResponse deregister(ApiRequest req) {
        int port = port(req.param("port"));
        boolean removed;
        try {
            removed = registry(() -> backplane.registry().deregister(req.param("name"), req.param("version"),
                    req.param("host"), port));
        } catch (IllegalArgumentException e) {
            throw Json.translate(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", io.thalassa.Member.idOf(req.param("name"), req.param("version"), req.param("host"), port));
        body.put("removed", removed);
        return ApiResponse.json(200, Json.write(body));
    }

    private static int port(String value) {
        return (int) number("port", value, 1, 65535);
    }

    private static <T> T registry(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RegistryUnavailableException e) {
            throw new ApiException(503, "registry_unavailable", null, e.getMessage());
        }
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

    /** Runs a change on the backplane, translates its failures, saves the result. */
    private Backplane.Written apply(UnaryOperator<ThalassaConfig> change) {
        Backplane.Written next;
        try {
            next = backplane.write(change);
        } catch (ApiException e) {
            throw e;
        } catch (CapacityExceededException e) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("needed", e.needed());
            extra.put("available", e.available());
            throw new ApiException(400, "capacity_exceeded", null, e.getMessage(), extra);
        } catch (ConfigRejectedException e) {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("haproxyMessage", e.haproxyMessage());
            extra.put("line", e.line());
            throw new ApiException(400, "config_rejected", null, e.getMessage(), extra);
        } catch (ReloadFailedException e) {
            throw new ApiException(500, "reload_failed", null, e.getMessage());
        } catch (RegistryUnavailableException e) {
            throw new ApiException(503, "registry_unavailable", null, e.getMessage());
        } catch (StoreUnavailableException e) {
            throw new ApiException(503, "store_unavailable", null, e.getMessage());
        } catch (StoreConflictException e) {
            throw new ApiException(409, "conflict", null, e.getMessage());
        } catch (ThalassaException e) {
            throw new ApiException(500, "internal_error", null, e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw Json.translate(e);
        }
        if (store != null) {
            try {
                store.saveLatest(backplane::config);
            } catch (IOException | RuntimeException e) {
                LOG.error("{} - cannot save the accepted change: {}", store.file(), e.toString());
                throw new ApiException(500, "persistence_failed", null, "the change is applied but could not be"
                        + " saved to " + store.file() + ": " + e.getMessage());
            }
        }
        return next;
    }

    /**
     * The answer to a write: the item (its ETag is the item's, as a GET gives it) with the change that carries it
     * to HAProxy in the body ({@code change}) and in {@code X-Thalassa-Change}. With {@code ?wait}: once the change
     * is applied (200), failed (409, HAProxy's message), or still pending when the wait is over (202).
     */
    private ApiResponse written(Object item, Backplane.Written w, Duration wait) {
        return written(item, w, wait, Map.of());
    }

    /** {@link #written(Object, Backplane.Written, Duration)} with more fields in the body (not in the ETag). */
    private ApiResponse written(Object item, Backplane.Written w, Duration wait, Map<String, Object> extra) {
        byte[] itemBytes = Json.write(item);
        ChangeStatus change = w.change();
        if (change == null && extra.isEmpty()) {
            return ApiResponse.json(200, itemBytes).withHeader("ETag", Preconditions.etag(itemBytes));
        }
        if (change == null) {
            ObjectNode body = Json.readObject(itemBytes);
            extra.forEach((k, v) -> body.set(k, Json.MAPPER.valueToTree(v)));
            return ApiResponse.json(200, Json.write(body)).withHeader("ETag", Preconditions.etag(itemBytes));
        }
        if (wait != null && !change.isFinished()) {
            try {
                change = backplane.awaitChange(change.id(), wait).orElse(change);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode body = Json.readObject(itemBytes);
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            body.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
        }
        body.set("change", Json.MAPPER.valueToTree(ChangeView.of(change)));
        int status = 200;
        boolean fleetPending = false;
        if (wait != null && w.revision() > 0 && change.state() == ChangeStatus.State.APPLIED) {
            // in a fleet, ?wait also waits for every live node to run the store revision that holds the write
            try {
                Optional<Map<String, Object>> fleet = backplane.awaitFleet(w.revision(), wait);
                if (fleet.isPresent()) {
                    Map<String, Object> f = new LinkedHashMap<>(fleet.get());
                    f.put("revision", w.revision());
                    fleetPending = !everyNodeRuns(f, w.revision());
                    f.put("converged", !fleetPending);
                    body.set("fleet", Json.MAPPER.valueToTree(f));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (StoreUnavailableException e) {
                fleetPending = true;
            }
        }
        if (fleetPending) {
            status = 202;
        }
        if (wait != null && change.state() == ChangeStatus.State.FAILED) {
            status = 409;
            body = Json.MAPPER.createObjectNode();
            body.put("status", 409);
            body.put("error", "change_failed");
            body.put("reason", "HAProxy refused change " + change.id() + ": " + change.message()
                    + "; HAProxy runs what it ran before");
            body.set("change", Json.MAPPER.valueToTree(ChangeView.of(change)));
        } else if (wait != null && !change.isFinished()) {
            status = 202;
        }
        return ApiResponse.json(status, Json.write(body)).withHeader("ETag", Preconditions.etag(itemBytes))
                .withHeader(CHANGE_HEADER, Long.toString(change.id()));
    }

    private static boolean everyNodeRuns(Map<String, Object> fleet, long revision) {
        for (Object o : (List<?>) fleet.get("nodes")) {
            Map<?, ?> n = (Map<?, ?>) o;
            if (!(n.get("revision") instanceof Number r && r.longValue() >= revision
                    && Boolean.TRUE.equals(n.get("runsDesired")) && n.get("failure") == null)) {
                return false;
            }
        }
        return true;
    }

    /** The header a write's answer names its change in. */
    public static final String CHANGE_HEADER = "X-Thalassa-Change";
    private static final Duration MAX_WAIT = Duration.ofMinutes(2);

    /** {@code ?wait=<duration>}: {@code 500ms}, {@code 10s}, {@code 2m} (a bare number is milliseconds); 0..2 min. */
    static Duration waitOf(ApiRequest req) {
        String raw = req.query("wait");
        if (raw == null) {
            return null;
        }
        Duration d;
        try {
            d = DaemonCommand.duration("wait", raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid_value", "wait", "wait must be a duration such as 500ms, 10s or"
                    + " 1m: \"" + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw ApiException.badRequest("invalid_value", "wait", "wait must be in 0..2m: \"" + raw + "\"");
        }
        return d;
    }

    private ApiResponse change(ApiRequest req) {
        String raw = req.param("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid_value", "id", "a change id is a number: \""
                    + raw.replaceAll("[^\\x20-\\x7e]", "?") + "\"");
        }
        Duration wait = waitOf(req);
        Optional<ChangeStatus> found;
        try {
            found = wait == null ? backplane.change(id) : backplane.awaitChange(id, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            found = backplane.change(id);
        }
        ChangeStatus c = found.orElseThrow(() -> ApiException.notFound("change " + id
                + " is not known (the latest 10,000 are kept)"));
        return ApiResponse.json(200, Json.write(ChangeView.of(c)));
    }

    private static ApiException gone(String what, String key) {
        return new ApiException(409, "conflict", null, what + " " + key + " was removed by a concurrent change");
    }

    static String etagOf(Object item) {
        return Preconditions.etag(Json.write(item));
    }

    /** 200 with the stored item and its ETag: the answer to a PUT or POST. */

    /** 200 with the value and its ETag, or 304 when the client's If-None-Match matches. */
    private static ApiResponse read(ApiRequest req, Object value) {
        return conditional(req, ApiResponse.json(200, Json.write(value)));
    }

    private static ApiResponse conditional(ApiRequest req, ApiResponse response) {
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
