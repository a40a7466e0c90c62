package io.thalassa.spring.internal;

import io.thalassa.NativePolicy;
import io.thalassa.http.HttpOptions;
import io.thalassa.http.ThalassaHttp;
import io.thalassa.runtime.Thalassa;
import io.thalassa.spring.ThalassaLifecycle;
import io.thalassa.spring.ThalassaProperties;
import io.thalassa.spring.ThalassaPropertyException;
import java.io.IOException;
import org.springframework.context.SmartLifecycle;

/** {@code thalassa.http.*} as the adapter's options, and its server: the one class that names the HTTP adapter. */
public final class HttpParts {
    private HttpParts() {
    }

    /**
     * Serves {@code thalassa}'s REST API, registration API and web UI as {@code thalassa.http.*} and
     * {@code thalassa.tokens-file} say.
     *
     * @throws ThalassaPropertyException naming the property at fault when the options are refused, the tokens or
     *                                   TLS files cannot be read, or a port cannot be bound
     */
    public static ThalassaHttp serve(Thalassa thalassa, ThalassaProperties p) {
        ThalassaProperties.Http h = p.getHttp();
        HttpOptions[] options = new HttpOptions[1];
        Builders.set("thalassa.http", h.getHost() + ":" + h.getPort() + " and :" + h.getRegistrationPort(),
                v -> options[0] = new HttpOptions(h.getHost(), h.getPort(), h.getRegistrationPort(), p.getTokensFile(),
                        h.getTlsCert(), h.getTlsKey(), h.isUnsafeNatives() ? NativePolicy.UNRESTRICTED
                                : NativePolicy.SAFE, h.getLabel(), h.getLocation(), h.getDatacenter()));
        try {
            return ThalassaHttp.serve(thalassa, options[0]);
        } catch (IOException e) { // the tokens file, read first
            throw new ThalassaPropertyException("thalassa.tokens-file", p.getTokensFile(), "cannot be read: "
                    + e.getMessage(), "Name a readable tokens file (<role>:<token> per line), or leave it out.", e);
        } catch (java.io.UncheckedIOException e) { // the TLS files
            throw new ThalassaPropertyException("thalassa.http.tls-cert", h.getTlsCert(), e.getMessage(),
                    "Name a readable PEM certificate chain and its key (thalassa.http.tls-key).", e);
        } catch (IllegalStateException e) {
            throw new ThalassaPropertyException("thalassa.http.port", h.getPort(), e.getMessage(),
                    "Choose free ports with thalassa.http.port and thalassa.http.registration-port (0: any).", e);
        }
    }

    /** Stops serving before the Thalassa is closed (one phase above {@link ThalassaLifecycle#PHASE}). */
    public static SmartLifecycle lifecycle(ThalassaHttp http) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true; // serving since the bean was made
            }

            @Override
            public void stop() {
                running = false;
                http.close();
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return ThalassaLifecycle.PHASE + 1;
            }
        };
    }
}
