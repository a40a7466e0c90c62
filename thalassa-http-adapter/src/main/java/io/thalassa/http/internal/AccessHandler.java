package io.thalassa.http.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The first handler of both ports: lets a request through to the UI, the WebSocket and the API only when
 * {@link Access} allows it and its query can be read, and answers 401 (with {@code WWW-Authenticate}), 403 or 400
 * in the API's error shape otherwise. The role found is left in the request attribute {@link #ROLE}.
 */
public final class AccessHandler extends Handler.Wrapper {
    /** The request attribute holding the {@link Tokens.Role} of the request (absent where none was needed). */
    public static final String ROLE = "thalassa.role";

    private final Access access;
    private final String registrationConnector;

    public AccessHandler(Access access, String registrationConnector, Handler next) {
        super(next);
        this.access = access;
        this.registrationConnector = registrationConnector;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        boolean main = !registrationConnector.equals(request.getConnectionMetaData().getConnector().getName());
        boolean staticUi = main && request.getMethod().equals("GET") && UiHandler.resource(path) != null;
        Access.Decision d = access.decide(request.getMethod(), path, staticUi, values(request, "Authorization"),
                values(request, "Sec-WebSocket-Protocol"), loopback(request));
        if (d.allowed()) {
            ApiException malformed = malformedQuery(request);
            if (malformed != null) {
                ApiResponse out = HttpEntry.error(malformed);
                if (request.getLength() != 0) { // its body is not read: the connection is not reused, say so
                    out = out.withHeader("Connection", "close");
                }
                HttpEntry.write(response, out, callback);
                return true;
            }
            if (d.role() != null) {
                request.setAttribute(ROLE, d.role());
            }
            return super.handle(request, response, callback);
        }
        ApiResponse out = HttpEntry.error(new ApiException(d.status(), d.error(), null, d.reason()));
        if (request.getLength() != 0) { // refused unread, as above: a client that reused the connection got no answer
            out = out.withHeader("Connection", "close");
        }
        if (d.status() == 401) {
            out = out.withHeader("WWW-Authenticate", "Bearer realm=\"thalassa\""
                    + (d.error().equals("invalid_token") ? ", error=\"invalid_token\"" : ""));
        }
        HttpEntry.write(response, out, callback);
        return true;
    }

    /**
     * The 400 for a query with a malformed percent-escape, or null: refused here, in front of everything, because
     * Jetty's WebSocket upgrade parses the query itself and answers a malformed one with a 500.
     */
    private static ApiException malformedQuery(Request request) {
        try {
            PercentDecoding.query(request.getHttpURI().getQuery());
            return null;
        } catch (ApiException e) {
            return e;
        }
    }

    private static boolean loopback(Request request) {
        SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
        return a instanceof InetSocketAddress i && i.getAddress() != null && i.getAddress().isLoopbackAddress();
    }

    private static List<String> values(Request request, String name) {
        List<String> out = new ArrayList<>();
        for (HttpField f : request.getHeaders()) {
            if (f.getName().equalsIgnoreCase(name)) {
                out.add(f.getValue());
            }
        }
        return out;
    }
}
