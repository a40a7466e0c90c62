package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * JSON types are strict and the 400 says which type the field takes: no number where a string is expected, no
 * boolean or fraction where a whole number is; numbers given as strings stay accepted where the original took them.
 */
class JsonTypesTest {
    private static <T> T read(String json, Class<T> type) {
        return Json.convert(Json.readObject(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8)), type);
    }

    private static ApiException refusal(String json, Class<?> type) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> read(json, type));
        assertThat(e).as(json).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).isEqualTo("invalid_value");
        return e;
    }

    private static void assertMustBeAString(String json, Class<?> type, String field, String found) {
        ApiException e = refusal(json, type);
        assertThat(e.field()).as(json).isEqualTo(field);
        assertThat(e.reason()).as(json).startsWith(field + " must be a string, not " + found)
                .doesNotContain("whole number").doesNotContain("coerce");
    }

    @Test
    void aNumberWhereAStringIsExpectedIsRefusedNamingTheField() {
        assertMustBeAString("{'key':'f','bind':8080,'backend':'b'}", Frontend.class, "bind", "a number");
        assertThat(refusal("{'key':'f','bind':8080,'backend':'b'}", Frontend.class).reason())
                .isEqualTo("bind must be a string, not a number: 8080");
        assertThat(refusal("{'key':'f','bind':8080,'backend':'b'}", Frontend.class).body().get("value"))
                .isEqualTo(8080);
        assertMustBeAString("{'key':'b','type':'dynamic','name':65535,'version':'1'}", Backend.class, "name",
                "a number");
        assertMustBeAString("{'key':'b','type':'dynamic','name':'app','version':2}", Backend.class, "version",
                "a number");
        assertMustBeAString("{'key':'b','type':'static','members':[{'host':127,'port':80}]}", Backend.class,
                "members[0].host", "a number");
        assertMustBeAString("{'key':'f','bind':'127.0.0.1:1','backend':'b','natives':['x',7]}", Frontend.class,
                "natives[1]", "a number");
        assertMustBeAString("{'key':'f','bind':'127.0.0.1:1','backend':'b','rules':[{'type':'path',"
                + "'operation':'path_beg','value':5,'backend':'b'}]}", Frontend.class, "rules[0].value", "a number");
        assertMustBeAString("{'key':'f','bind':'127.0.0.1:1','backend':'b','mode':7}", Frontend.class, "mode",
                "a number");
    }

    @Test
    void aFractionABooleanOrAnObjectWhereAStringIsExpectedSaysItMustBeAString() {
        assertMustBeAString("{'key':'f','bind':'127.0.0.1:1','backend':1.5}", Frontend.class, "backend", "a number");
        assertMustBeAString("{'key':'f','bind':'127.0.0.1:1','backend':true}", Frontend.class, "backend",
                "a boolean");
        assertMustBeAString("{'key':'b','type':'static','host':{}}", Backend.class, "host", "an object");
        assertMustBeAString("{'key':'b','type':'static','host':['a']}", Backend.class, "host", "an array");
        assertThat(refusal("{'key':'f','bind':'127.0.0.1:1','backend':'b','natives':'x'}", Frontend.class).reason())
                .isEqualTo("natives must be an array, not a string");
    }

    @Test
    void aBooleanOrFractionWhereANumberIsExpectedSaysItMustBeAWholeNumber() {
        for (String port : new String[] {"true", "80.5", "8e1"}) {
            ApiException e = refusal("{'key':'b','type':'static','members':[{'host':'127.0.0.1','port':" + port
                    + "}]}", Backend.class);
            assertThat(e.field()).isEqualTo("members[0].port");
            assertThat(e.reason()).as(port).contains("must be a whole number").doesNotContain("string,");
        }
        assertThat(refusal("{'key':'b','type':'static','health':{'interval':false}}", Backend.class).reason())
                .contains("health interval must be a whole number");
        ApiException meta = refusal("{'key':'b','type':'static','members':[{'host':'127.0.0.1','port':80,"
                + "'meta':{'weight':0.5}}]}", Backend.class);
        assertThat(meta.field()).isEqualTo("members[0].meta.weight");
        assertThat(meta.reason()).contains("must be a whole number");
    }

    @Test
    void numbersGivenAsStringsStayAcceptedWhereTheOriginalTookThem() {
        Backend b = read("{'key':'b','type':'static','health':{'interval':'5000'},'members':[{'host':'127.0.0.1',"
                + "'port':'80'}]}", Backend.class);
        assertThat(b.members().get(0).port()).isEqualTo(80);
        assertThat(b.health().interval()).hasMillis(5000);
        assertThat(Json.readObjectOrEmpty("{\"secondsToExpire\":\"10000\",\"n\":3}".getBytes(StandardCharsets.UTF_8))
                .get("secondsToExpire").asText()).isEqualTo("10000");
    }

    @Test
    void aFieldARouteReadsItselfMustBeAStringToo() {
        var body = Json.readObject("{\"version\":2,\"name\":\"app\",\"other\":true}".getBytes(StandardCharsets.UTF_8));
        ApiException e = catchThrowableOfType(ApiException.class, () -> Json.optionalString(body, "version"));
        assertThat(e.field()).isEqualTo("version");
        assertThat(e.reason()).isEqualTo("version must be a string, not a number: 2");
        assertThat(Json.optionalString(body, "name")).isEqualTo("app");
        assertThat(Json.optionalString(body, "absent")).isNull();
        assertThat(catchThrowableOfType(ApiException.class, () -> Json.optionalString(body, "other")).reason())
                .isEqualTo("other must be a string, not a boolean: true");
    }

    @Test
    void freeFormMetaKeepsOnlyWholeNumbers() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> Json.readObjectOrEmpty(
                "{\"secondsToExpire\":60.5}".getBytes(StandardCharsets.UTF_8)));
        assertThat(e.field()).isEqualTo("secondsToExpire");
        assertThat(e.reason()).contains("must be a whole number");
    }
}
