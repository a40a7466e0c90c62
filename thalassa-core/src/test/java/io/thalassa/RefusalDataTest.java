package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.thalassa.spi.Registration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.ObjectMapper;

/**
 * Every kind of refusal of the model carries its field (the path in the JSON shape of the object that refused), the
 * value and the reason as data: a field check is an {@link InvalidValueException} (an IllegalArgumentException), a
 * cross-field check an {@link InvalidModelException} (an IllegalStateException); both are {@link ModelRefusal}s.
 */
class RefusalDataTest {
    private static final Class<InvalidValueException> VALUE = InvalidValueException.class;
    private static final Class<InvalidModelException> MODEL = InvalidModelException.class;

    /** One refusal: what triggers it, the type, field and value expected, and how its reason starts. */
    record Case(String name, Runnable call, Class<? extends RuntimeException> type, String field, Object value,
            String reasonStart) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, Class<? extends RuntimeException> type, String field, Object value,
            String reasonStart, Runnable call) {
        return new Case(name, call, type, field, value, reasonStart);
    }

    private static Backend.Builder dynamic() {
        return Backend.dynamic("b").service("app", "1.0.0");
    }

    private static Frontend.Builder frontend() {
        return Frontend.builder("f").bind("127.0.0.1:8080").defaultBackend("b");
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>(List.of(
            // members
            c("member host", VALUE, "host", "no host", "member host must be", () -> Member.of("no host", 80)),
            c("member port", VALUE, "port", 70000, "member port must be in 1..65535", () -> Member.of("127.0.0.1", 70000)),
            c("member name without version", VALUE, "version", null, "member name and version must be given together",
                    () -> new Member("127.0.0.1", 80, "app", null, null, null)),
            c("member version", VALUE, "version", "a b", "member version must be",
                    () -> Member.registered("app", "a b", "127.0.0.1", 80, null, null)),
            // health
            c("health uri", VALUE, "uri", "health", "health uri must start with /", () -> HealthCheck.of(h -> h.uri("health"))),
            c("health interval", VALUE, "interval", 0L, "health interval must be in 1..3600000 ms",
                    () -> HealthCheck.of(h -> h.interval(Duration.ZERO))),
            c("health method", VALUE, "method", "PUT", "health method must be one of", () -> HealthCheck.Method.of("PUT")),
            c("health httpVersion", VALUE, "httpVersion", "HTTP/2", "health httpVersion must be one of",
                    () -> HealthCheck.HttpVersion.of("HTTP/2")),
            // rules
            c("rule backend", VALUE, "backend", "no good", "rule backend must be",
                    () -> Rule.pathBegins("/x", "no good")),
            c("rule operation of another type", VALUE, "operation", "hdr_dom", "rule operation hdr_dom does not fit",
                    () -> Rule.path(Rule.Operation.HDR_DOM, "/x", "b")),
            c("rule header on a path rule", VALUE, "header", "host", "rule header is only allowed for header rules",
                    () -> new Rule(Rule.Type.PATH, "host", Rule.Operation.PATH, "/x", "b")),
            c("rule value", VALUE, "value", "", "rule value must not be empty", () -> Rule.pathBegins("", "b")),
            c("rule type", VALUE, "type", "cookie", "rule type must be one of", () -> Rule.Type.of("cookie")),
            // balance, bind, versions
            c("balance", VALUE, "balance", "fastest", "balance must be one of", () -> Balance.of("fastest")),
            c("balance header", VALUE, "balance", "a b", "balance header must be", () -> Balance.hdr("a b")),
            c("bind port", VALUE, "bind", "127.0.0.1:99999", "bind port must be in 1..65535",
                    () -> Bind.parse("127.0.0.1:99999")),
            c("bind list with an empty entry", VALUE, "bind", "127.0.0.1:80,", "bind must be a comma-separated list",
                    () -> Bind.parseList("127.0.0.1:80,")),
            c("bind list twice", VALUE, "bind", "*:80,*:80", "bind lists *:80 twice", () -> Bind.parseList("*:80,*:80")),
            c("versions sum", VALUE, "versions", "1.0.0:90,2.0.0:20", "versions weights must add up to 100",
                    () -> VersionSplit.of(Map.of("1.0.0", 90, "2.0.0", 20))),
            c("versions weight", VALUE, "versions", -10L, "versions \"1.0.0\" weight must be in 0..100",
                    () -> VersionSplit.of(Map.of("1.0.0", -10, "2.0.0", 110))),
            c("versions weight not a number", VALUE, "versions", "ninety", "versions \"1.0.0\" must have a whole number",
                    () -> VersionSplit.parse(Map.of("1.0.0", "ninety"))),
            c("versions key", VALUE, "versions", "1.0 x", "versions key must be",
                    () -> VersionSplit.of(Map.of("1.0 x", 100))),
            c("versions empty", VALUE, "versions", "{}", "versions must name at least one version",
                    () -> VersionSplit.of(Map.of())),
            // backend fields
            c("backend key", VALUE, "key", "-x", "backend key must be", () -> Backend.staticBackend("-x")),
            c("backend host", VALUE, "host", "a b", "host must be a host name", () -> dynamic().host("a b")),
            c("service on a static backend", VALUE, "name", "app", "name and version are only allowed for dynamic",
                    () -> Backend.staticBackend("b").service("app", "1.0.0")),
            c("split on a static backend", VALUE, "versions", "1.0.0:50,2.0.0:50", "versions are only allowed for dynamic",
                    () -> Backend.staticBackend("b").split(Map.of("1.0.0", 50, "2.0.0", 50))),
            c("backend natives entry", VALUE, "natives[1]", "listen x", "natives entry must be a directive inside",
                    () -> dynamic().natives(List.of("option httplog", "listen x"))),
            c("backend native line", VALUE, "natives[0]", "  ", "natives entry must not be blank",
                    () -> dynamic().nativeLine("  ")),
            c("null member", VALUE, "members[1]", null, "members entry is required",
                    () -> dynamic().members(java.util.Arrays.asList(Member.of("127.0.0.1", 80), null))),
            // backend build(): fields that do not go together
            c("dynamic without service", MODEL, "name", null, "backend b: dynamic backends need name and version",
                    () -> Backend.dynamic("b").build()),
            c("split on a balance that ignores weights", MODEL, "versions", "1.0.0:90,2.0.0:10",
                    "backend b: versions need a balance that takes weights",
                    () -> dynamic().split(Map.of("1.0.0", 90, "2.0.0", 10)).balance(Balance.SOURCE).build()),
            c("health in tcp", MODEL, "health", null, "backend b: health checks need mode http",
                    () -> dynamic().mode(Mode.TCP).health(h -> h).build()),
            c("http balance in tcp", MODEL, "balance", "uri", "backend b: balance uri needs mode http",
                    () -> dynamic().mode(Mode.TCP).balance(Balance.URI).build()),
            c("host in tcp", MODEL, "host", "example.com", "backend b: host needs mode http",
                    () -> dynamic().mode(Mode.TCP).host("example.com").build()),
            c("HTTP/1.1 check without host", MODEL, "health.httpVersion", "HTTP/1.1",
                    "backend b: health httpVersion HTTP/1.1 needs host",
                    () -> dynamic().health(h -> h.httpVersion(HealthCheck.HttpVersion.HTTP_1_1)).build()),
            c("a member twice", MODEL, "members[2]", "127.0.0.1:80", "backend b: members list 127.0.0.1:80 twice",
                    () -> Backend.staticBackend("b").member("127.0.0.1", 80).member("127.0.0.2", 80)
                            .member("127.0.0.1", 80).build()),
            // frontend fields and build()
            c("frontend key", VALUE, "key", "a b", "frontend key must be", () -> Frontend.builder("a b")),
            c("frontend backend", VALUE, "backend", "a b", "backend must be", () -> frontend().defaultBackend("a b")),
            c("frontend bind twice", VALUE, "bind", "*:80", "bind lists *:80 twice",
                    () -> frontend().binds(List.of(new Bind("*", 80), new Bind("*", 80)))),
            c("null rule", VALUE, "rules[0]", null, "rules entry is required",
                    () -> frontend().rules(Collections.singletonList(null))),
            c("frontend native", VALUE, "natives[2]", "backend x", "natives entry must be a directive inside",
                    () -> frontend().natives(List.of("option httplog", "option forwardfor", "backend x"))),
            c("frontend without bind", MODEL, "bind", null, "frontend f: bind is required",
                    () -> Frontend.builder("f").defaultBackend("b").build()),
            c("frontend without backend", MODEL, "backend", null, "frontend f: backend is required",
                    () -> Frontend.builder("f").bind("*:80").build()),
            c("rules in tcp", MODEL, "rules", null, "frontend f: rules need mode http",
                    () -> frontend().mode(Mode.TCP).rule(Rule.pathBegins("/x", "b")).build()),
            c("keepalive in tcp", MODEL, "keepalive", "server-close", "frontend f: keepalive server-close needs mode http",
                    () -> frontend().mode(Mode.TCP).keepAlive(KeepAlive.of("server-close")).build()),
            // configuration snapshots
            c("two frontends on one address", VALUE, "bind", "*:8080", "bind *:8080 overlaps bind 127.0.0.1:8080",
                    () -> ThalassaConfig.empty().withFrontend(frontend().build())
                            .withFrontend(Frontend.builder("g").bind("*:8080").defaultBackend("b").build())),
            c("a bind native on another frontend's address", VALUE, "natives[0]", "bind 127.0.0.1:8080",
                    "bind 127.0.0.1:8080 overlaps bind 127.0.0.1:8080",
                    () -> ThalassaConfig.empty().withFrontend(frontend().build())
                            .withFrontend(Frontend.builder("g").bind("127.0.0.1:9090").defaultBackend("b")
                                    .nativeLine("bind 127.0.0.1:8080").build())),
            c("a frontend key twice", VALUE, "frontends[1].key", "f", "frontend key f is used twice",
                    () -> ThalassaConfig.of(List.of(frontend().build(), frontend().bind("*:9").build()), List.of())),
            c("a backend key twice", VALUE, "backends[1].key", "b", "backend key b is used twice",
                    () -> ThalassaConfig.of(List.of(), List.of(dynamic().build(), dynamic().build()))),
            c("members of no backend", VALUE, "key", "x", "backend x does not exist",
                    () -> ThalassaConfig.empty().withMembers("x", List.of())),
            // registrations
            c("registration ttl", VALUE, "secondsToExpire", 0L, "secondsToExpire must be in 1..86400",
                    () -> Registration.of("app", "1.0.0", "127.0.0.1", 80, null, Duration.ZERO)),
            c("registration secondsToExpire", VALUE, "secondsToExpire", "0", "secondsToExpire must be in 1..86400",
                    () -> Registration.parseSecondsToExpire("0")),
            c("registration host", VALUE, "host", "a b", "host must be",
                    () -> Registration.of("app", "1.0.0", "a b", 80, null, null)),
            c("registration meta null", VALUE, "hostname", null, "hostname must not be null",
                    () -> Registration.of("app", "1.0.0", "127.0.0.1", 80, nullMeta(), null)),
            c("safe natives", VALUE, "natives[0]", "errorfile 503 /etc/passwd", "backend b: natives[0]",
                    () -> NativePolicy.SAFE.check(dynamic().nativeLine("errorfile 503 /etc/passwd").build()))));
        // seeded: the order does not matter, each case stands alone
        Collections.shuffle(all, new Random(12));
        return all;
    }

    private static Map<String, Object> nullMeta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("hostname", null);
        return meta;
    }

    static Stream<Arguments> table() {
        return cases().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void eachRefusalCarriesItsFieldValueAndReason(Case c) {
        Throwable t = catchThrowable(c.call()::run);
        assertThat(t).as(c.name()).isInstanceOf(c.type()).isInstanceOf(ModelRefusal.class);
        ModelRefusal r = (ModelRefusal) t;
        assertThat(r.field()).as(c.name()).isEqualTo(c.field());
        assertThat(r.value()).as(c.name()).isEqualTo(c.value());
        assertThat(r.reason()).as(c.name()).startsWith(c.reasonStart()).isEqualTo(t.getMessage());
        // the types the model's conventions promise: a field check is an IAE, a cross-field check an ISE
        assertThat(t).isInstanceOf(c.type() == VALUE ? IllegalArgumentException.class : IllegalStateException.class);
    }

    @Test
    void missingIsDataToo() {
        assertThat(((ModelRefusal) catchThrowable(() -> Frontend.builder("f").defaultBackend("b").build())).missing())
                .isTrue();
        assertThat(((ModelRefusal) catchThrowable(() -> Checks("bind"))).missing()).isTrue();
        assertThat(((ModelRefusal) catchThrowable(() -> Balance.of("fastest"))).missing()).isFalse();
        assertThat(((ModelRefusal) catchThrowable(() -> VersionSplit.parse(null))).missing()).isTrue();
    }

    private static void Checks(String field) {
        io.thalassa.internal.Checks.notNull(field, null);
    }

    /** Read as the REST API reads them: Jackson's path to the object that refused + the refusal's field. */
    @Test
    void readFromJsonTheFieldJoinsThePathWhereTheRefusingObjectSits() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String[][] bodies = {
            {"{\"key\":\"b\",\"type\":\"static\",\"members\":[{\"host\":\"127.0.0.1\",\"port\":1},"
                    + "{\"host\":\"127.0.0.1\",\"port\":70000}]}", "members[1].port"},
            {"{\"key\":\"b\",\"type\":\"static\",\"health\":{\"uri\":\"x\"}}", "health.uri"},
            {"{\"key\":\"b\",\"type\":\"static\",\"health\":{\"httpVersion\":\"HTTP/1.1\"}}", "health.httpVersion"},
            {"{\"key\":\"b\",\"type\":\"dynamic\",\"name\":\"a\",\"versions\":{\"1\":90,\"2\":10},"
                    + "\"balance\":\"source\"}", "versions"},
        };
        for (String[] b : bodies) {
            tools.jackson.databind.DatabindException e = (tools.jackson.databind.DatabindException)
                    catchThrowable(() -> mapper.readValue(b[0], Backend.class));
            String path = path(e);
            ModelRefusal r = (ModelRefusal) e.getCause();
            assertThat(ModelRefusal.join(path, r.field())).as(b[0]).isEqualTo(b[1]);
        }
        String frontend = "{\"key\":\"f\",\"bind\":\"*:80\",\"backend\":\"b\",\"rules\":[{\"type\":\"path\","
                + "\"operation\":\"path\",\"value\":\"/\",\"backend\":\"b\"},{\"type\":\"path\",\"operation\":\"path\","
                + "\"value\":\"/\",\"backend\":\"no good\"}]}";
        tools.jackson.databind.DatabindException e = (tools.jackson.databind.DatabindException)
                catchThrowable(() -> mapper.readValue(frontend, Frontend.class));
        assertThat(ModelRefusal.join(path(e), ((ModelRefusal) e.getCause()).field())).isEqualTo("rules[1].backend");
    }

    private static String path(tools.jackson.databind.DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    @Test
    void joinIsStructural() {
        assertThat(ModelRefusal.join("", "bind")).isEqualTo("bind");
        assertThat(ModelRefusal.join("members[2]", "port")).isEqualTo("members[2].port");
        assertThat(ModelRefusal.join("frontends[0]", "natives[1]")).isEqualTo("frontends[0].natives[1]");
        assertThat(ModelRefusal.join("members", "[1]")).isEqualTo("members[1]");
        assertThat(ModelRefusal.join("health", "")).isEqualTo("health");
    }
}
