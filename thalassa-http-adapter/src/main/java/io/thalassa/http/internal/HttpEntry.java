package io.thalassa.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
 * The Jetty handler in front of the routers: reads the request (at most {@link #MAX_BODY} bytes of body), picks the
 * router by the connector the request came in on, writes the response or the JSON error body.
 */
public final class HttpEntry extends Handler.Abstract {
    /** The largest request body accepted: 1 MiB. */
    public static final int MAX_BODY = 1 << 20;
    /** How much of a too-large body is read and dropped before the 413, so the client gets to read the answer. */
    static final long MAX_DISCARD = 16L << 20;
    /** Name of the connector of the registration port. */
    public static final String REGISTRATION_CONNECTOR = "registration";

    private static final Logger LOG = LoggerFactory.getLogger(HttpEntry.class);

    private final Router main;
    private final Router registration;
    private final Metrics metrics;

    public HttpEntry(Router main, Router registration) {
        this(main, registration, null);
    }

    /** @param metrics where every answer is counted by route and status, or null */
    public HttpEntry(Router main, Router registration, Metrics metrics) {
        super(InvocationType.BLOCKING);
        this.main = main;
        this.registration = registration;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        ApiResponse out;
        String connector = request.getConnectionMetaData().getConnector().getName();
        Router router = REGISTRATION_CONNECTOR.equals(connector) ? registration : main;
        try {
            out = router.dispatch(toApiRequest(request));
        } catch (ApiException e) {
            out = error(e);
        } catch (Exception e) {
            if (Json.refusal(e) != null) { // a refusal of the model no route translated: the client's, a 400
                out = error(Json.translate(e));
            } else {
                LOG.error("{} {} - failed: {}", request.getMethod(), request.getHttpURI().getPath(), e.toString(), e);
                out = error(new ApiException(500, "internal_error", null, String.valueOf(e)));
            }
        }
        if (metrics != null) {
            metrics.request(request.getMethod(), router.template(request.getHttpURI().getPath()), out.status(),
                    System.nanoTime() - start);
        }
        if (LOG.isDebugEnabled()) { // --debug
            LOG.debug("{} {} -> {} in {} us", request.getMethod(), request.getHttpURI().getPathQuery(), out.status(),
                    (System.nanoTime() - start) / 1000);
        }
        write(response, out, callback);
        return true;
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

    private static ApiRequest toApiRequest(Request request) throws IOException {
        long length = request.getLength();
        boolean expectsContinue = request.getHeaders().contains(HttpHeader.EXPECT, "100-continue");
        byte[] body;
        try (InputStream in = Request.asInputStream(request)) {
            body = readBody(in, length, expectsContinue);
        } catch (IOException e) { // a body cut short (early EOF), a broken chunk: the client's
            throw ApiException.badRequest("incomplete_body", null, "the request body could not be read: "
                    + e.getMessage());
        }
        checkContentType(request); // after the body is read: the connection stays usable for the next request
        Map<String, List<String>> query = PercentDecoding.query(request.getHttpURI().getQuery());
        Object role = request.getAttribute(AccessHandler.ROLE);
        return new ApiRequest(request.getMethod(), request.getHttpURI().getPath(), Map.of(), query,
                name -> headerValues(request, name), body, role instanceof Tokens.Role r ? r : Tokens.Role.ADMIN);
    }

    /**
     * 415 unless the body is JSON in UTF-8: {@code application/json}, a {@code +json} type, no type at all or curl's
     * default {@code application/x-www-form-urlencoded} (which the seed's commands send) are read as JSON.
     */
    static void checkContentType(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || type.isBlank()) {
            return;
        }
        String[] parts = type.split(";");
        String mime = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        boolean json = mime.equals("application/json") || mime.endsWith("+json")
                || mime.equals("application/x-www-form-urlencoded");
        String charset = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
            if (p.startsWith("charset=")) {
                charset = p.substring("charset=".length()).replace("\"", "");
            }
        }
        if (!json || charset != null && !charset.equals("utf-8") && !charset.equals("utf8")) {
            throw new ApiException(415, "unsupported_media_type", null, "the body must be application/json in UTF-8,"
                    + " not " + Json.shown(type));
        }
    }

    private static byte[] readBody(InputStream in, long length, boolean expectsContinue) throws IOException {
        if (length > MAX_BODY) {
            if (!expectsContinue) { // it sends the body anyway: take it, so it reads the 413 and not a reset
                discard(in);
            }
            throw tooLarge();
        }
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            discard(in);
            throw tooLarge();
        }
        return body;
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

    /** Reads and drops what is left of a body that is too large, up to {@link #MAX_DISCARD} bytes. */
    private static void discard(InputStream in) throws IOException {
        long skipped = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n > 0 && skipped < MAX_DISCARD; n = in.read(buffer)) {
            skipped += n;
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(413, "payload_too_large", null, "the request body is larger than " + MAX_BODY
                + " bytes");
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
