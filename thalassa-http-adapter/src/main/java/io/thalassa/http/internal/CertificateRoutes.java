package io.thalassa.http.internal;

import io.thalassa.InvalidModelException;
import io.thalassa.RuntimeApiException;
import io.thalassa.runtime.CertificateInfo;
import io.thalassa.runtime.Thalassa;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * {@code /certificates}: the TLS certificates of {@link Thalassa#certificates()}, as JSON that never holds a key. A
 * PUT's body is the PEM itself ({@code curl -T site.pem}, {@code --data-binary @site.pem}) or JSON
 * {@code {"pem": "..."}}. Bad input is a 400 naming the field ({@code name} or {@code pem}), and nothing changed.
 * Asks for {@link Thalassa#certificates()} at each request, not at construction, so the routes can be listed without
 * a running instance.
 */
final class CertificateRoutes {
    /** A certificate this close to its expiry is flagged ({@code expiresSoon}), in the UI too. */
    static final Duration SOON = Duration.ofDays(14);

    private final Thalassa thalassa;
    private final Clock clock;

    CertificateRoutes(Thalassa thalassa, Clock clock) {
        this.thalassa = thalassa;
        this.clock = clock;
    }

    ApiResponse list(ApiRequest req) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CertificateInfo c : thalassa.certificates().list()) {
            out.add(view(c, clock));
        }
        return RestApi.read(req, out);
    }

    ApiResponse get(ApiRequest req) {
        String name = req.param("name");
        return RestApi.read(req, view(thalassa.certificates().get(name).orElseThrow(() -> ApiException.notFound(
                "certificate " + name + " does not exist")), clock));
    }

    ApiResponse put(ApiRequest req) {
        String name = req.param("name");
        String pem = pem(req.body());
        try {
            return ApiResponse.json(200, Json.write(view(thalassa.certificates().put(name, pem), clock)));
        } catch (RuntimeApiException e) {
            throw new ApiException(502, "haproxy_refused", "pem", e.getMessage());
        }
    }

    ApiResponse delete(ApiRequest req) {
        String name = req.param("name");
        try {
            return ApiResponse.json(200, Json.write(view(thalassa.certificates().delete(name).orElseThrow(() ->
                    ApiException.notFound("certificate " + name + " does not exist")), clock)));
        } catch (InvalidModelException e) {
            List<String> users = thalassa.certificates().get(name).map(CertificateInfo::usedBy).orElse(List.of());
            throw new ApiException(409, "certificate_in_use", "name", e.getMessage(), Map.of("frontends", users));
        }
    }

    /** The PEM of a PUT: the body itself, or the {@code pem} of a JSON object. */
    private static String pem(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.stripLeading().startsWith("{")) {
            JsonNode pem = Json.readObject(body, "pem").get("pem");
            if (pem == null || !pem.isTextual()) {
                throw ApiException.badRequest("missing_field", "pem", "pem is required: the certificate chain and"
                        + " its private key, as PEM text");
            }
            return pem.asText();
        }
        return text;
    }

    /** A certificate as the API shows it: what it says, when it expires, who uses it; never the key. */
    static Map<String, Object> view(CertificateInfo c, Clock clock) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("subject", c.subject());
        m.put("issuer", c.issuer());
        m.put("sans", c.sans());
        m.put("notBefore", c.notBefore().toString());
        m.put("notAfter", c.notAfter().toString());
        Duration left = c.expiresIn(clock);
        m.put("expiresInSeconds", left.toSeconds());
        m.put("expiresSoon", left.compareTo(SOON) < 0);
        m.put("sha256", c.sha256());
        m.put("chainLength", c.chainLength());
        m.put("usedBy", c.usedBy());
        return m;
    }
}
