package io.thalassa.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the web UI from the jar on the main port, in front of the API: {@code /} (the UI's page), {@code /ui/*} (its
 * scripts and styles), {@code /docs} (Swagger UI on {@code /openapi.json}) and the files of the two WebJars it uses
 * (uPlot, Swagger UI) under {@code /ui/vendor/}. Every page gets a Content-Security-Policy that allows scripts, styles and connections from the
 * daemon only, and no inline script. Anything else goes to the API handler.
 */
public final class UiHandler extends Handler.Wrapper {
    /** The policy of every UI answer: everything from the daemon itself, no inline script, no framing. */
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";

    private static final String UI = "io/thalassa/http/ui/";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    private static final Pattern UI_FILE = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(js|css|html|svg|png)");
    /** The WebJar files the UI uses, under {@code /ui/vendor/}: name there, WebJar (group/artifact), path in it. */
    private static final Map<String, String[]> VENDOR = Map.of(
            "uPlot.esm.js", new String[] {"org.webjars.npm/uplot", "uplot", "dist/uPlot.esm.js"},
            "uPlot.min.css", new String[] {"org.webjars.npm/uplot", "uplot", "dist/uPlot.min.css"},
            "swagger-ui-bundle.js", new String[] {"org.webjars/swagger-ui", "swagger-ui", "swagger-ui-bundle.js"},
            "swagger-ui.css", new String[] {"org.webjars/swagger-ui", "swagger-ui", "swagger-ui.css"});
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");

    private final String registrationConnector;
    private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

    /** @param api the handler of everything that is not the UI; the UI is not served on {@code registrationConnector} */
    public UiHandler(Handler api, String registrationConnector) {
        super(api);
        this.registrationConnector = registrationConnector;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!("GET".equals(method) || "HEAD".equals(method))
                || registrationConnector.equals(request.getConnectionMetaData().getConnector().getName())) {
            return super.handle(request, response, callback);
        }
        String resource = resource(request.getHttpURI().getPath());
        if (resource == null) {
            return super.handle(request, response, callback);
        }
        Optional<byte[]> body = cache.get(resource);
        if (body == null) {
            body = load(resource);
            if (body.isPresent()) { // only what exists is kept: unknown names cannot fill the cache
                cache.put(resource, body);
            }
        }
        if (body.isEmpty()) {
            return super.handle(request, response, callback); // the API's JSON 404
        }
        String etag = Preconditions.etag(body.get());
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        String type = TYPES.get(resource.substring(resource.lastIndexOf('.') + 1));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        String inm = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (etag.equals(inm)) {
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.get().length);
        if ("HEAD".equals(method)) {
            callback.succeeded();
            return true;
        }
        response.write(true, ByteBuffer.wrap(body.get()), callback);
        return true;
    }

    /** The classpath resource for a UI path, or null when the path is not the UI's. */
    static String resource(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return UI + "index.html";
        }
        if (path.equals("/docs") || path.equals("/docs/")) {
            return UI + "docs.html";
        }
        if (path.startsWith("/ui/") && UI_FILE.matcher(path.substring(4)).matches()) {
            return UI + path.substring(4);
        }
        if (path.startsWith("/ui/vendor/")) {
            String[] webjar = VENDOR.get(path.substring(11));
            return webjar == null ? null : webjar(webjar[0], webjar[1], webjar[2]);
        }
        return null;
    }

    /** The path of {@code file} inside a WebJar on the classpath, its version read from the jar's pom.properties. */
    private static String webjar(String groupArtifact, String name, String file) {
        String props = "META-INF/maven/" + groupArtifact + "/pom.properties";
        try (InputStream in = UiHandler.class.getClassLoader().getResourceAsStream(props)) {
            if (in == null) {
                return null;
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return WEBJARS + name + "/" + p.getProperty("version") + "/" + file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<byte[]> load(String resource) {
        try (InputStream in = UiHandler.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
