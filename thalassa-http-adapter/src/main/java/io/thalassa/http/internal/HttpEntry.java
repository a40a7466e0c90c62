package io.thalassa.http.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty handler in front of the routers: reads the request's body as it arrives (at most {@link #MAX_BODY} bytes,
 * within {@link #BODY_TIMEOUT}, no thread waiting for it), picks the router by the connector the request came in on,
 * runs the route and writes its response or the JSON error body.
 */
public final class HttpEntry extends Handler.Abstract {
    /** The largest request body accepted: 1 MiB. */
    public static final int MAX_BODY = 1 << 20;
    /** How much of a too-large body is read and dropped before the 413, so the client gets to read the answer. */
    static final long MAX_DISCARD = 16L << 20;
    /**
     * How long a request's body may take to arrive, from its headers on: 5 s; then 408 and the connection closes.
     * A client that sends part of a body holds no thread meanwhile, only its connection.
     */
    public static final Duration BODY_TIMEOUT = Duration.ofSeconds(5);
    /** Name of the connector of the registration port. */
    public static final String REGISTRATION_CONNECTOR = "registration";

    private static final Logger LOG = LoggerFactory.getLogger(HttpEntry.class);

    private final Router main;
    private final Router registration;
    private final Metrics metrics;
    private final Duration bodyTimeout;

    public HttpEntry(Router main, Router registration) {
        this(main, registration, null);
    }

    /** @param metrics where every answer is counted by route and status, or null */
    public HttpEntry(Router main, Router registration, Metrics metrics) {
        this(main, registration, metrics, BODY_TIMEOUT);
    }

    /** @param bodyTimeout how long a request's body may take to arrive */
    HttpEntry(Router main, Router registration, Metrics metrics, Duration bodyTimeout) {
        super(InvocationType.BLOCKING); // a route may block (a write waits for HAProxy): never on a selector thread
        this.main = main;
        this.registration = registration;
        this.metrics = metrics;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String connector = request.getConnectionMetaData().getConnector().getName();
        Router router = REGISTRATION_CONNECTOR.equals(connector) ? registration : main;
        if (request.getLength() > MAX_BODY && request.getHeaders().contains(HttpHeader.EXPECT, "100-continue")) {
            // it waits for 100 Continue before sending the body: the 413 comes instead, nothing is read
            finish(request, response, callback, router, start, error(RequestBody.tooLarge(MAX_BODY)));
            return true;
        }
        RequestBody.read(request, MAX_BODY, MAX_DISCARD, bodyTimeout, new RequestBody.Listener() {
            @Override
            public void onBody(byte[] body) {
                finish(request, response, callback, router, start, answer(router, request, body));
            }

            @Override
            public void onRefused(ApiException refusal) {
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} {} - body refused: {}", request.getMethod(), request.getHttpURI().getPath(),
                            refusal.getMessage());
                }
                // the rest of the body may still be coming: the connection is not reused, say so
                finish(request, response, callback, router, start, error(refusal).withHeader("Connection", "close"));
            }
        });
        return true;
    }

    /** Runs the route on the whole request; every failure becomes the answer, only our own mistakes an ERROR line. */
    private static ApiResponse answer(Router router, Request request, byte[] body) {
        try {
            return router.dispatch(toApiRequest(request, body));
        } catch (ApiException e) {
            return error(e);
        } catch (Exception e) {
            if (Json.refusal(e) != null) { // a refusal of the model no route translated: the client's, a 400
                return error(Json.translate(e));
            }
            LOG.error("{} {} - failed: {}", request.getMethod(), request.getHttpURI().getPath(), e.toString(), e);
            return error(new ApiException(500, "internal_error", null, String.valueOf(e)));
        }
    }

    private void finish(Request request, Response response, Callback callback, Router router, long start,
            ApiResponse out) {
        try {
            if (metrics != null) {
                metrics.request(request.getMethod(), router.template(request.getHttpURI().getPath()), out.status(),
                        System.nanoTime() - start);
            }
            if (LOG.isDebugEnabled()) { // --debug
                LOG.debug("{} {} -> {} in {} us", request.getMethod(), request.getHttpURI().getPathQuery(),
                        out.status(), (System.nanoTime() - start) / 1000);
            }
            write(response, out, callback);
        } catch (RuntimeException e) {
            callback.failed(e);
        }
    }

    /** The JSON error response of an {@link ApiException}, with {@code Allow} for a 405. */
    public static ApiResponse error(ApiException e) {
        ApiResponse r = ApiResponse.json(e.status(), Json.write(e.body()));
        if (e.status() == 405 && e.body().get("allow") instanceof List<?> allow) {
            r = r.withHeader("Allow", String.join(", ", allow.stream().map(String::valueOf).toList()));
        }
        if (e.status() == 426) {
            r = r.withHeader("Upgrade", "websocket");
        }
        return r;
    }

    private static ApiRequest toApiRequest(Request request, byte[] body) {
        checkContentType(request); // after the body is read: the connection stays usable for the next request
        Map<String, List<String>> query = PercentDecoding.query(request.getHttpURI().getQuery());
        Object role = request.getAttribute(AccessHandler.ROLE);
        return new ApiRequest(request.getMethod(), request.getHttpURI().getPath(), Map.of(), query,
                name -> headerValues(request, name), body, role instanceof Tokens.Role r ? r : Tokens.Role.ADMIN);
    }

    /** What a certificate's PEM may come as, besides JSON and no type at all. */
    private static final java.util.Set<String> PEM_TYPES = java.util.Set.of("application/x-pem-file",
            "application/pem-certificate-chain", "text/plain", "application/octet-stream");

    /**
     * 415 unless the body is JSON in UTF-8: {@code application/json}, a {@code +json} type, no type at all or curl's
     * default {@code application/x-www-form-urlencoded} (which the seed's commands send) are read as JSON; a
     * certificate's PEM may also come as {@code application/x-pem-file}, {@code text/plain} or what {@code curl -T}
     * sends.
     */
    static void checkContentType(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || type.isBlank()) {
            return;
        }
        String[] parts = type.split(";");
        String mime = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        boolean json = mime.equals("application/json") || mime.endsWith("+json")
                || mime.equals("application/x-www-form-urlencoded")
                || request.getHttpURI().getPath().startsWith("/certificates/") && PEM_TYPES.contains(mime);
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
            if (p.startsWith("charset=")) {
                charset = p.substring("charset=".length()).replace("\"", "");
            }
        }
        if (!json || charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw new ApiException(415, "unsupported_media_type", null, "the body must be application/json in UTF-8"
                    + (request.getHttpURI().getPath().startsWith("/certificates/") ? " or PEM text" : "")
                    + ", not " + Json.shown(type));
        }
    }

    private static List<String> headerValues(Request request, String name) {
        List<String> values = new ArrayList<>();
        for (HttpField f : request.getHeaders()) {
            if (f.getName().equalsIgnoreCase(name)) {
                values.add(f.getValue());
            }
        }
        return values;
    }

    static void write(Response response, ApiResponse out, Callback callback) {
        response.setStatus(out.status());
        out.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        if (out.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, out.contentType());
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        if (out.body().length == 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) out.body().length);
        response.write(true, ByteBuffer.wrap(out.body()), callback);
    }
}
