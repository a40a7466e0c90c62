package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field names from the model's refusals, entity tags, routing: the pieces behind every 400, 404, 405 and 412. */
class RequestChecksTest {
    private static ApiRequest request(String method, String path, String... headers) {
        return new ApiRequest(method, path, Map.of(), Map.of(), name -> {
            for (int i = 0; i + 1 < headers.length; i += 2) {
                if (headers[i].equalsIgnoreCase(name)) {
                    return List.of(headers[i + 1]);
                }
            }
            return List.of();
        }, new byte[0]);
    }

    @Test
    void refusalsAreMappedFromTheirDataJoinedToJacksonsPath() {
        ApiException port = Json.invalid("members[2]", new io.thalassa.InvalidValueException("port", 70000,
                "member port must be in 1..65535: 70000"));
        assertThat(port.body()).containsExactly(Map.entry("status", 400), Map.entry("error", "invalid_value"),
                Map.entry("field", "members[2].port"), Map.entry("reason", "member port must be in 1..65535: 70000"),
                Map.entry("value", 70000));
        ApiException host = Json.invalid("", new io.thalassa.InvalidModelException("health.httpVersion", "HTTP/1.1",
                "backend b: health httpVersion HTTP/1.1 needs host"));
        assertThat(host.field()).isEqualTo("health.httpVersion");
        assertThat(host.body()).containsEntry("value", "HTTP/1.1").containsEntry("error", "invalid_value");
        assertThat(Json.invalid("backends[1]", io.thalassa.InvalidModelException.missing("bind", "bind is required"))
                .body()).containsEntry("error", "missing_field").containsEntry("field", "backends[1].bind")
                .doesNotContainKey("value");
        assertThat(Json.invalid("frontends[0]", new io.thalassa.InvalidValueException("natives[3]", "x", "r")).field())
                .isEqualTo("frontends[0].natives[3]");
        // the message is never read: a sentence naming another field changes nothing
        assertThat(Json.invalid("", new io.thalassa.InvalidValueException("balance", "x", "member port is odd"))
                .field()).isEqualTo("balance");
        // through Jackson: the path where the refusing object sits, and the refusal's own field
        ApiException nested = Json.translate(catchRuntime(() -> Json.convert(Json.readObject(
                "{\"type\":\"static\",\"key\":\"b\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":1},"
                        .concat("{\"host\":\"127.0.0.1\",\"port\":1}]}").getBytes()), io.thalassa.Backend.class)));
        assertThat(nested.field()).isEqualTo("members[1]");
        assertThat(nested.body()).containsEntry("value", "127.0.0.1:1");
        // what is no refusal: an argument without data is a 400 naming no field, a broken state a 500
        assertThat(Json.translate(new IllegalArgumentException("odd")).body()).doesNotContainKey("field")
                .containsEntry("status", 400);
        assertThat(Json.translate(new IllegalStateException("the membership engine is closed")).status())
                .isEqualTo(500);
    }

    private static RuntimeException catchRuntime(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void ifMatchAndIfNoneMatchFollowRfc9110() {
        String tag = Preconditions.etag("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Preconditions.checkChange(request("PUT", "/"), null);
        Preconditions.checkChange(request("PUT", "/", "If-Match", tag), tag);
        Preconditions.checkChange(request("PUT", "/", "If-Match", "\"a\", " + tag), tag);
        Preconditions.checkChange(request("PUT", "/", "If-Match", "*"), tag);
        Preconditions.checkChange(request("PUT", "/", "If-None-Match", "*"), null);
        assertThatThrownBy(() -> Preconditions.checkChange(request("PUT", "/", "If-Match", "*"), null))
                .isInstanceOf(ApiException.class).extracting("status").isEqualTo(412);
        assertThatThrownBy(() -> Preconditions.checkChange(request("PUT", "/", "If-Match", "W/" + tag), tag))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> Preconditions.checkChange(request("PUT", "/", "If-None-Match", "*"), tag))
                .isInstanceOf(ApiException.class);
        assertThat(Preconditions.notModified(request("GET", "/", "If-None-Match", "W/" + tag), tag)).isTrue();
        assertThat(Preconditions.notModified(request("GET", "/", "If-None-Match", "\"b\""), tag)).isFalse();
    }

    @Test
    void routesMatchTemplatesAndAnswer404Or405() throws Exception {
        Router router = new Router()
                .add("GET", "/backends/{key}", r -> ApiResponse.text(200, r.param("key")))
                .add("PUT", "/backends/{key}", r -> ApiResponse.text(200, "put"))
                .add("GET", "/backends/{key}/members", r -> ApiResponse.text(200, "members of " + r.param("key")));
        assertThat(router.dispatch(request("GET", "/backends/a%3Ab")).bodyText()).isEqualTo("a:b");
        assertThat(router.dispatch(request("GET", "/backends/live/")).bodyText()).isEqualTo("live");
        assertThat(router.dispatch(request("GET", "/backends/live/members")).bodyText()).isEqualTo("members of live");
        assertThatThrownBy(() -> router.dispatch(request("GET", "/backends"))).extracting("status").isEqualTo(404);
        assertThatThrownBy(() -> router.dispatch(request("GET", "/backends//members"))).extracting("status")
                .isEqualTo(404);
        ApiException notAllowed = (ApiException) org.assertj.core.api.Assertions.catchThrowable(
                () -> router.dispatch(request("DELETE", "/backends/live")));
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.body().get("allow")).isEqualTo(List.of("GET", "PUT"));
    }

    @Test
    void theErrorBodyHasOneShape() {
        ApiException e = ApiException.badRequest("invalid_value", "balance", "balance must be one of x|y: \"z\"");
        assertThat(e.body()).containsExactly(Map.entry("status", 400), Map.entry("error", "invalid_value"),
                Map.entry("field", "balance"), Map.entry("reason", "balance must be one of x|y: \"z\""));
        assertThat(ApiException.notFound("frontend x does not exist").body()).doesNotContainKey("field");
    }
}
