package io.thalassa.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTextTest {
    @Test
    @SuppressWarnings("unchecked")
    void readsEveryKindOfValueInTheDocumentsOrder() {
        Object doc = JsonText.parse(" {\"b\": [1, -2, 2147483648, 12345678901234567890, 1.5, -0.0, 1e3],"
                + " \"a\": {\"t\": true, \"f\": false, \"n\": null}, \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} ");
        Map<String, Object> m = JsonText.object(doc);
        assertThat(m.keySet()).containsExactly("b", "a", "s");
        assertThat((List<Object>) m.get("b")).containsExactly(1, -2, 2147483648L, new BigInteger("12345678901234567890"),
                1.5, -0.0, 1000.0);
        Map<String, Object> a = JsonText.object(m.get("a"));
        assertThat(a).containsEntry("t", true).containsEntry("f", false).containsKey("n");
        assertThat(a.get("n")).isNull();
        assertThat(m.get("s")).isEqualTo("x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "{\"a\":1,\"a\":2}|line 1, column 8: duplicate field \"a\"",
        "{\"a\":1} x|line 1, column 9: text after the JSON value",
        "[01]|line 1, column 3: a number may not start with 0",
        "'a'|line 1, column 1: unexpected character '''",
        "[1,]|line 1, column 4: unexpected character ']'",
        "{\"a\" 1}|line 1, column 6: expected ':' after field \"a\"",
        "\"\\x\"|line 1, column 3: unknown escape \\x",
        "\"abc|line 1, column 5: the document ends inside a string",
        "[1 2]|line 1, column 4: expected ',' or ']' in an array",
        "NaN|line 1, column 1: unexpected character 'N'",
        "tru|line 1, column 1: unexpected text (expected true)",
        "[1.]|line 1, column 4: expected a digit after '.'",
    })
    void refusesWhatIsNotOneStrictDocumentSayingWhere(String text, String message) {
        assertThatThrownBy(() -> JsonText.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void refusesControlCharactersInTextAndTooDeepNesting() {
        assertThatThrownBy(() -> JsonText.parse("  ")).hasMessage("line 1, column 3: no JSON value");
        assertThatThrownBy(() -> JsonText.parse("{\n  \"a\": [1,\n  x]}"))
                .hasMessage("line 3, column 3: unexpected character 'x'");
        assertThatThrownBy(() -> JsonText.parse("\"a\nb\"")).hasMessage(
                "line 1, column 3: unescaped control character U+000A in a string");
        String deep = "[".repeat(JsonText.MAX_DEPTH + 1) + "]".repeat(JsonText.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonText.parse(deep)).hasMessageContaining("nested more than 500 levels deep");
        String ok = "[".repeat(JsonText.MAX_DEPTH) + "]".repeat(JsonText.MAX_DEPTH);
        assertThat(JsonText.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void writesCompactAndPrettyAsAMappersDefaults() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("frontends", List.of(Map.of("key", "web")));
        doc.put("backends", List.of());
        doc.put("meta", new LinkedHashMap<>());
        doc.put("text", "a/b \u0001 \"q\" \\ \n\u00e9");
        doc.put("n", null);
        assertThat(JsonText.write(doc)).isEqualTo("{\"frontends\":[{\"key\":\"web\"}],\"backends\":[],\"meta\":{},"
                + "\"text\":\"a/b \\u0001 \\\"q\\\" \\\\ \\n\u00e9\",\"n\":null}");
        assertThat(JsonText.pretty(doc)).isEqualTo("{\n  \"frontends\" : [ {\n    \"key\" : \"web\"\n  } ],\n"
                + "  \"backends\" : [ ],\n  \"meta\" : { },\n  \"text\" : \"a/b \\u0001 \\\"q\\\" \\\\ \\n\u00e9\",\n"
                + "  \"n\" : null\n}");
    }

    @Test
    void writesOnlyPlainTrees() {
        assertThat(JsonText.writable(Map.of("a", List.of(1, 2L, 1.5, "x", true)))).isTrue();
        assertThat(JsonText.writable(Map.of("a", Instant.EPOCH))).isFalse();
        assertThat(JsonText.writable(List.of(Double.NaN))).isFalse();
        assertThat(JsonText.writable(Map.of(1, "a"))).isFalse();
        assertThatThrownBy(() -> JsonText.write(Map.of("a", Instant.EPOCH)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.time.Instant");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void randomTreesComeBackAsTheyWereWritten(long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < 300; i++) {
            Object tree = tree(r, 0);
            assertThat(JsonText.parse(JsonText.write(tree))).as("seed %d tree %d", seed, i).isEqualTo(tree);
            assertThat(JsonText.parse(JsonText.pretty(tree))).as("seed %d tree %d pretty", seed, i).isEqualTo(tree);
        }
    }

    private static Object tree(Random r, int depth) {
        switch (depth > 4 ? r.nextInt(5) : r.nextInt(7)) {
            case 0:
                return r.nextInt();
            case 1:
                return r.nextBoolean() ? (Object) (Integer.MAX_VALUE + 1L + r.nextInt(1000)) : r.nextDouble() * 1e6;
            case 2: {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(8); i > 0; i--) {
                    sb.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x30) : 0x20 + r.nextInt(0x3000)));
                }
                return sb.toString();
            }
            case 3:
                return r.nextBoolean();
            case 4:
                return null;
            case 5: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put("k" + r.nextInt(100) + (char) (0x20 + r.nextInt(90)), tree(r, depth + 1));
                }
                return m;
            }
            default: {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(tree(r, depth + 1));
                }
                return l;
            }
        }
    }
}
