package io.thalassa.http.internal;

import java.nio.ByteBuffer;
import java.util.Locale;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty answers itself (a malformed request, an ambiguous URI...) in the API's one JSON error shape. */
public final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        // Jetty refused the request before reading its body and closes the connection after this answer: say so,
        // so a client does not send its next request on it
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        HttpEntry.write(response, HttpEntry.error(exception(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, ApiResponse.JSON);
        return ByteBuffer.wrap(Json.write(exception(status, reason).body()));
    }

    private static ApiException exception(int code, String message) {
        String error = HttpStatus.getMessage(code).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        return new ApiException(code, error, null, message == null ? HttpStatus.getMessage(code) : message);
    }
}
