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
 * {@link Access} allows it, and answers 401 (with {@code WWW-Authenticate}) or 403 in the API's error shape otherwise.
 * The role found is left in the request attribute {@link #ROLE}.
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
            if (d.role() != null) {
                request.setAttribute(ROLE, d.role());
            }
            return super.handle(request, response, callback);
        }
        ApiResponse out = HttpEntry.error(new ApiException(d.status(), d.error(), null, d.reason()));
        if (d.status() == 401) {
            out = out.withHeader("WWW-Authenticate", "Bearer realm=\"thalassa\""
                    + (d.error().equals("invalid_token") ? ", error=\"invalid_token\"" : ""));
        }
        HttpEntry.write(response, out, callback);
        return true;
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
