package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field names from the model's messages, entity tags, routing: the pieces behind every 400, 404, 405 and 412. */
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
    void fieldsAreNamedFromTheMessageAndThePath() {
        assertThat(Fields.infer("", "balance must be one of roundrobin|source: \"x\"")).isEqualTo("balance");
        assertThat(Fields.infer("members[2]", "member port must be in 1..65535: 70000")).isEqualTo("members[2].port");
        assertThat(Fields.infer("", "backend b: health httpVersion HTTP/1.1 needs host"))
                .isEqualTo("health.httpVersion");
        assertThat(Fields.infer("health", "health uri must start with /: \"x\"")).isEqualTo("health.uri");
        assertThat(Fields.infer("rules[0]", "rule backend must be 1..100 characters")).isEqualTo("rules[0].backend");
        assertThat(Fields.infer("", "frontend f: rules need mode http, the frontend is tcp")).isEqualTo("rules");
        assertThat(Fields.infer("", "bind 127.0.0.1:80 overlaps bind *:80 of frontend x")).isEqualTo("bind");
        assertThat(Fields.infer("", "backend key must be 1..100 characters")).isEqualTo("key");
        assertThat(Fields.infer("", "backend b: dynamic backends need name and version")).isEqualTo("name");
        assertThat(Fields.infer("", "secondsToExpire must be a whole number")).isEqualTo("secondsToExpire");
        assertThat(Fields.infer("", "something odd happened")).isNull();
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
