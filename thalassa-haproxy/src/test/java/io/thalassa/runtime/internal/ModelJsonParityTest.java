package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.ModelJson;
import io.thalassa.internal.JsonText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ModelJson} (the stores' JSON, no library) against the model's Jackson annotations read and written by the
 * library's strict mapper ({@link Documents#mapper()}), on seeded random documents, valid and not: the same item
 * read, or both refusing at the same field; and every item read written to the same text by both.
 */
class ModelJsonParityTest {
    private static final int DOCUMENTS = 1500;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void frontendsReadAndWriteAsTheMapperDoes(long seed) {
        compareMany(seed, ModelJsonParityTest::frontendDoc, Frontend.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void backendsReadAndWriteAsTheMapperDoes(long seed) {
        compareMany(seed, ModelJsonParityTest::backendDoc, Backend.class);
    }

    /** {@link #DOCUMENTS} documents of {@code docs} compared, a sixth of them at least valid. */
    private static void compareMany(long seed, Function<Random, Map<String, Object>> docs, Class<?> type) {
        Random random = new Random(seed);
        int valid = 0;
        for (int i = 0; i < DOCUMENTS; i++) {
            valid += compare(docs.apply(random), type) ? 1 : 0;
        }
        assertThat(valid).as("valid documents among %d", DOCUMENTS).isGreaterThan(DOCUMENTS / 6);
    }

    /** Whether {@code doc} was a valid item; fails the test where the two readers or writers differ. */
    private static boolean compare(Map<String, Object> doc, Class<?> type) {
        String json = JsonText.write(doc);
        Object byMapper;
        String mapperRefusal = null;
        try {
            byMapper = Documents.read(Documents.mapper().readTree(json), type);
        } catch (IllegalArgumentException e) {
            byMapper = null;
            mapperRefusal = e.getMessage();
        }
        Object byCodec;
        String codecRefusal = null;
        try {
            byCodec = type == Frontend.class ? ModelJson.frontend(json) : ModelJson.backend(json);
        } catch (IllegalArgumentException e) {
            byCodec = null;
            codecRefusal = e.getMessage();
        }
        assertThat(byCodec).as("read of %s (mapper: %s, codec: %s)", json, mapperRefusal, codecRefusal)
                .isEqualTo(byMapper);
        if (byMapper == null) {
            assertThat(field(codecRefusal)).as("the field at fault in %s (mapper: %s, codec: %s)", json,
                    mapperRefusal, codecRefusal).isEqualTo(field(mapperRefusal));
            return false;
        }
        String written = byMapper instanceof Frontend f ? ModelJson.write(f) : ModelJson.write((Backend) byMapper);
        assertThat(written).as("written from %s", json).isEqualTo(Documents.text(byMapper));
        assertThat(JsonText.pretty(JsonText.parse(written))).as("pretty from %s", json)
                .isEqualTo(Documents.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(
                        Documents.mapper().readTree(written)));
        return true;
    }

    /** {@code rules[1].backend} of {@code rules[1].backend: reason}. */
    private static String field(String message) {
        int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(0, colon);
    }

    /** Mostly one of the first {@code good} choices (valid values), now and then any (invalid ones come last). */
    private static Object pick(Random r, int good, Object... choices) {
        return choices[r.nextInt(r.nextInt(30) == 0 ? choices.length : Math.min(good, choices.length))];
    }

    /** Puts {@link #pick} in three documents of four. */
    private static void maybe(Random r, Map<String, Object> doc, String field, int good, Object... choices) {
        if (r.nextInt(4) > 0) {
            doc.put(field, pick(r, good, choices));
        }
    }

    private static Map<String, Object> frontendDoc(Random r) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (r.nextInt(20) > 0) {
            d.put("key", pick(r, 4, "web", "api", "a_b", "x-1", "bad key", "", 5));
        }
        if (r.nextInt(20) > 0) {
            d.put("bind", pick(r, 3, "127.0.0.1:8080", "*:80", "127.0.0.1:80,127.0.0.1:81", "bad", 5,
                    "127.0.0.1:99999"));
        }
        maybe(r, d, "backend", 3, "b1", "b-2", null, "no good", 7);
        maybe(r, d, "mode", 3, "http", "tcp", null, "udp", 3);
        maybe(r, d, "keepalive", 3, "default", "close", "server-close", "nope", true);
        if (r.nextInt(4) == 0) {
            Map<String, Object> tls = new LinkedHashMap<>();
            maybe(r, tls, "certificates", 2, List.of("site.pem"), List.of("a.pem", "b.pem"), List.of(), "site.pem",
                    List.of(5), List.of("../x.pem"));
            maybe(r, tls, "alpn", 3, List.of("h2"), List.of("h2", "http/1.1"), List.of(), List.of("spdy/9"));
            if (r.nextInt(30) == 0) {
                tls.put("ciphers", "all");
            }
            d.put("tls", r.nextInt(15) == 0 ? "yes" : tls);
        }
        if (r.nextInt(3) == 0) {
            List<Object> rules = new ArrayList<>();
            for (int i = r.nextInt(3); i >= 0; i--) {
                Map<String, Object> rule = new LinkedHashMap<>();
                String type = (String) pick(r, 3, "path", "url", "header", "cookie");
                rule.put("type", r.nextInt(15) == 0 ? 1 : type);
                if (type.equals("header") || r.nextInt(10) == 0) {
                    rule.put("header", pick(r, 2, "Host", "X-Version", "bad header", ""));
                }
                maybe(r, rule, "operation", 4, "path_beg", "path_end", "hdr_dom", "url_beg", "nope", "path");
                maybe(r, rule, "value", 2, "/api", "example.com", "", "a b", "x\ny");
                maybe(r, rule, "backend", 1, "b1", "no good", null);
                if (r.nextInt(40) == 0) {
                    rule.put("weight", 5);
                }
                rules.add(rule);
            }
            d.put("rules", r.nextInt(20) == 0 ? "all" : rules);
        }
        maybe(r, d, "natives", 3, List.of(), List.of("option forwardfor"),
                List.of("timeout client 5s", "option httplog"),
                List.of(5), "option forwardfor", List.of("x\ny"), null);
        if (r.nextInt(5) == 0) {
            d.put("id", pick(r, 2, "frontend/web", "whatever", 3));
        }
        if (r.nextInt(5) == 0) {
            d.put("_type", pick(r, 2, "frontend", "backend"));
        }
        if (r.nextInt(5) == 0) {
            d.put("name", pick(r, 2, "web", "other"));
        }
        if (r.nextInt(40) == 0) {
            d.put("colour", "red");
        }
        return d;
    }

    private static Map<String, Object> backendDoc(Random r) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (r.nextInt(20) > 0) {
            d.put("key", pick(r, 3, "b1", "api", "a_b", "bad key", "", 5));
        }
        String type = r.nextBoolean() ? "dynamic" : "static";
        if (r.nextInt(20) > 0) {
            d.put("type", r.nextInt(25) == 0 ? pick(r, 2, "elastic", 1) : type);
        }
        if (type.equals("dynamic") || r.nextInt(10) == 0) {
            maybe(r, d, "name", 2, "greeting", "my-svc", "", 5);
            maybe(r, d, "version", 2, "1.0.0", "2.0.0", "", 1.5);
            if (r.nextInt(4) == 0) {
                d.put("versions", pick(r, 2, Map.of("1.0.0", 90, "2.0.0", 10), Map.of("1.0.0", 100),
                        Map.of("1.0.0", "50", "2.0.0", 50), Map.of("1.0.0", 101), List.of("1.0.0"), Map.of()));
            }
        }
        maybe(r, d, "balance", 6, "roundrobin", "leastconn", "source", "fastest", "uri", "hdr(Host)", 3);
        maybe(r, d, "host", 3, "example.com", null, "example.com:8080", "bad host!", 80);
        maybe(r, d, "mode", 2, "http", "tcp", "udp");
        if (r.nextInt(3) == 0) {
            Map<String, Object> h = new LinkedHashMap<>();
            maybe(r, h, "method", 3, "GET", "HEAD", "OPTIONS", "FETCH", 1);
            maybe(r, h, "uri", 2, "/", "/health", "no slash", "");
            maybe(r, h, "httpVersion", 2, "HTTP/1.0", "HTTP/1.1", "HTTP/3");
            maybe(r, h, "interval", 3, 2000, "5000", 100, -1, 2.5, "soon", 3_600_001L);
            if (r.nextInt(40) == 0) {
                h.put("rise", 2);
            }
            d.put("health", r.nextInt(15) == 0 ? 5 : h);
        }
        maybe(r, d, "slowstart", 4, 0, "2500", 10_000, 3_600_000, -5, 1.5, "x", true);
        maybe(r, d, "natives", 3, List.of(), List.of("option httpchk"), List.of("timeout server 5s"), List.of(true),
                "option httpchk");
        if (type.equals("static") || r.nextInt(10) == 0) {
            if (r.nextInt(4) > 0) {
                List<Object> members = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    maybe(r, m, "host", 3, "127.0.0.1", "127.0.0.2", "localhost", "0177.0.0.1", "", 5);
                    if (r.nextInt(15) > 0) {
                        m.put("port", pick(r, 3, 8080, 8081 + i, "8082", 0, 70_000, 1.5, "x"));
                    }
                    maybe(r, m, "name", 2, "greeting", null, "my svc");
                    maybe(r, m, "version", 2, "1.0.0", null);
                    maybe(r, m, "lastKnown", 2, 1_700_000_000_000L, 1_700_000_000_123L, "x", null);
                    if (r.nextInt(3) == 0) {
                        Map<String, Object> meta = new LinkedHashMap<>();
                        meta.put("zone", pick(r, 4, "a", "b\u00e9\u4e2d", "tab\there", "quote\"back\\slash"));
                        maybe(r, meta, "weight", 6, 1, 2_147_483_648L, 1.25, -0.0, 1e300, 12345678901234567890.0);
                        maybe(r, meta, "tags", 3, List.of("x", 1, true), List.of(), Map.of("k", List.of()));
                        maybe(r, meta, "control", 3, "\u0001\u001f", "line\nbreak", "\u2028");
                        m.put("meta", r.nextInt(20) == 0 ? "flat" : meta);
                    }
                    maybe(r, m, "id", 2, "127.0.0.1:8080", "whatever");
                    if (r.nextInt(50) == 0) {
                        m.put("weight", 5);
                    }
                    members.add(r.nextInt(30) == 0 ? "127.0.0.1:80" : m);
                }
                d.put("members", r.nextInt(30) == 0 ? "none" : members);
            }
        }
        if (r.nextInt(5) == 0) {
            d.put("id", pick(r, 2, "backend/b1", "whatever", 3));
        }
        if (r.nextInt(5) == 0) {
            d.put("_type", pick(r, 2, "backend", "frontend"));
        }
        if (r.nextInt(40) == 0) {
            d.put("colour", "red");
        }
        return d;
    }
}
