package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query string and path parameters are decoded strictly: a malformed escape is the client's 400, never a 500. */
class PercentDecodingTest {
    private static ApiException queryRefusal(String raw) {
        return catchThrowableOfType(ApiException.class, () -> PercentDecoding.query(raw));
    }

    @Test
    void aQueryDecodesAsAFormDoes() {
        assertThat(PercentDecoding.query("a=1&b=%C3%A9+x&a=2&&c&d=")).containsExactly(
                Map.entry("a", List.of("1", "2")), Map.entry("b", List.of("\u00e9 x")), Map.entry("c", List.of("")),
                Map.entry("d", List.of("")));
        assertThat(PercentDecoding.query(null)).isEmpty();
        assertThat(PercentDecoding.query("")).isEmpty();
        assertThat(PercentDecoding.query("verb=a%2Cb&wait=10s")).containsEntry("verb", List.of("a,b"));
    }

    @Test
    void aMalformedEscapeInAValueIs400NamingTheParameter() {
        for (String bad : new String[] {"%", "%z", "%zz", "1%", "%4", "%%41", "%\u0661\u0662", "%ED%A0%80", "%C3",
                "%C0%AF", "%FF"}) {
            ApiException e = queryRefusal("limit=5&x=" + bad);
            assertThat(e).as(bad).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.error()).isEqualTo("invalid_query");
            assertThat(e.field()).isEqualTo("x");
            assertThat(e.reason()).as(bad).startsWith("query parameter x has ").contains("\"" + bad + "\"");
        }
        assertThat(queryRefusal("x=%zz").reason()).contains("malformed percent-escape");
        assertThat(queryRefusal("x=%ED%A0%80").reason()).contains("not UTF-8");
    }

    @Test
    void aMalformedEscapeInANameIs400Too() {
        ApiException e = queryRefusal("a%zz=1");
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.field()).isEqualTo("a%zz");
        assertThat(e.reason()).contains("query parameter's name").contains("malformed percent-escape");
    }

    @Test
    void aMalformedEscapeInAPathParameterIs400NamingIt() throws Exception {
        Router router = new Router().add("GET", "/backends/{key}", r -> ApiResponse.text(200, r.param("key")));
        for (String bad : new String[] {"%", "a%zz", "%ED%A0%80", "%C3"}) {
            ApiException e = catchThrowableOfType(ApiException.class, () -> router.dispatch(new ApiRequest("GET",
                    "/backends/" + bad, Map.of(), Map.of(), name -> List.of(), new byte[0])));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.error()).isEqualTo("invalid_path");
            assertThat(e.field()).isEqualTo("key");
        }
        assertThat(router.dispatch(new ApiRequest("GET", "/backends/a+b%2Fc%C3%A9", Map.of(), Map.of(),
                name -> List.of(), new byte[0])).bodyText()).isEqualTo("a+b/c\u00e9");
        assertThat(router.template("/backends/%zz")).as("a metrics tag never decodes").isEqualTo("/backends/{key}");
    }
}
