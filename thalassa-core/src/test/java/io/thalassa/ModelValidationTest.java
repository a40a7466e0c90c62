package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelValidationTest {

    @Test
    void fluentBuildersProduceTheDocumentedDefaults() {
        Backend live = Backend.dynamic("live").service("myapp", "1.0.0")
                .health(h -> h.uri("/health").interval(Duration.ofSeconds(5))).build();
        assertThat(live.balance()).isEqualTo(Balance.ROUNDROBIN);
        assertThat(live.mode()).isEqualTo(Mode.HTTP);
        assertThat(live.host()).isNull();
        assertThat(live.health().method()).isEqualTo(HealthCheck.Method.GET);
        assertThat(live.health().httpVersion()).isEqualTo(HealthCheck.HttpVersion.HTTP_1_0);
        assertThat(live.health().intervalMillis()).isEqualTo(5000);
        assertThat(live.members()).isEmpty();

        Frontend web = Frontend.builder("web").bind("*:8080,*:80").defaultBackend("live").build();
        assertThat(web.mode()).isEqualTo(Mode.HTTP);
        assertThat(web.keepAlive()).isEqualTo(KeepAlive.DEFAULT);
        assertThat(web.binds()).containsExactly(new Bind("*", 8080), new Bind("*", 80));
        assertThat(web.bind()).isEqualTo("*:8080,*:80");
    }

    @Test
    void valuesAreEqualByContentAndToBuilderRoundTrips() {
        Backend a = Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 3306).build();
        Backend b = Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 3306).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.toBuilder().build()).isEqualTo(a);
        assertThat(a.toBuilder().member("127.0.0.2", 3306).build()).isNotEqualTo(a);
        Frontend f = Frontend.builder("f").bind("127.0.0.1:80").defaultBackend("db").mode(Mode.TCP).build();
        assertThat(f.toBuilder().build()).isEqualTo(f).hasSameHashCodeAs(f);
    }

    @Test
    void membersAreSortedByAddressSoOrderOfArrivalDoesNotMatter() {
        Backend one = Backend.staticBackend("b").member("127.0.0.2", 80).member("127.0.0.1", 81)
                .member("127.0.0.1", 80).build();
        Backend two = Backend.staticBackend("b").member("127.0.0.1", 80).member("127.0.0.1", 81)
                .member("127.0.0.2", 80).build();
        assertThat(one).isEqualTo(two);
        assertThat(one.members()).extracting(Member::address)
                .containsExactly("127.0.0.1:80", "127.0.0.1:81", "127.0.0.2:80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a\nb", "-x", "x/y", "café", "a#b", "a\u0000"})
    void keysThatAreNotHaproxyIdentifiersAreRejectedWithTheValue(String key) {
        assertThatThrownBy(() -> Backend.dynamic(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backend key");
        assertThatThrownBy(() -> Frontend.builder(key)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frontend key");
    }

    @Test
    void portOutOfRangeNamesFieldAndValue() {
        assertThatThrownBy(() -> Member.of("127.0.0.1", 70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("member port must be in 1..65535: 70000");
        assertThatThrownBy(() -> Bind.parse("*:0")).hasMessageContaining("bind port must be in 1..65535: 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*:80", "127.0.0.1:8080", "localhost:80", "[::1]:8080", "::1:8080"})
    void bindAcceptsWildcardAddressesAndNames(String bind) {
        assertThat(Bind.parse(bind).port()).isBetween(80, 8080);
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "*:", ":80", "*:http", "bad host:80", "*:80\nfrontend x", "*:80,,*:81", "*:80,*:80",
        " *:81 ", "*:80\u0000", "*:+80", "*: 80", "*:\u0668\u0660", "*:80\t"})
    void badBindsAreRejected(String bind) {
        assertThatThrownBy(() -> Frontend.builder("f").bind(bind)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bind");
    }

    @ParameterizedTest
    @ValueSource(strings = {"option httplog\nbackend evil", "x\r", "a\u0000", "   ", "backend evil", "listen x",
            "  frontend y", "global", "option foo \\"})
    void nativesCannotInjectLinesOrSections(String line) {
        assertThatThrownBy(() -> Frontend.builder("f").nativeLine(line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("natives");
        assertThatThrownBy(() -> Backend.staticBackend("b").natives(List.of("option forwardfor", line)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("natives");
    }

    @Test
    void ruleValuesCannotHoldLineBreaks() {
        assertThatThrownBy(() -> Rule.pathBegins("/a\nbackend x", "b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule value");
        assertThat(Rule.pathBegins("/a b#c", "b").value()).isEqualTo("/a b#c");
    }

    @Test
    void ruleOperationMustFitItsType() {
        assertThatThrownBy(() -> Rule.path(Rule.Operation.HDR_DOM, "/x", "b"))
                .hasMessageContaining("rule operation hdr_dom does not fit rule type path")
                .hasMessageContaining("path|path_beg|path_reg");
        assertThatThrownBy(() -> Rule.header("bad header", Rule.Operation.HDR, "x", "b"))
                .hasMessageContaining("rule header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"roundrobin", "static-rr", "leastconn", "first", "source", "random", "random(2)", "uri",
            "uri whole", "uri len 10 depth 2", "url_param userid", "hdr(host)", "hdr(Host) use_domain_only",
            "rdp-cookie", "rdp-cookie(mstshash)", "ROUNDROBIN"})
    void everyHaproxyBalanceAlgorithmIsAccepted(String value) {
        assertThat(Balance.of(value).toString()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "round robin", "hdr()", "hdr(a b)", "random(0)", "url_param", "leastconn\nbackend x",
            "source; evil", "uri len x"})
    void unknownBalanceIsRejectedWithTheAllowedList(String value) {
        assertThatThrownBy(() -> Balance.of(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("balance");
    }

    @Test
    void onlyDynamicAlgorithmsAcceptRuntimeServers() {
        assertThat(Balance.ROUNDROBIN.isDynamic()).isTrue();
        assertThat(Balance.LEASTCONN.isDynamic()).isTrue();
        assertThat(Balance.SOURCE.isDynamic()).isFalse();
        assertThat(Balance.hdr("host").isDynamic()).isFalse();
    }

    @Test
    void crossFieldRulesAreCheckedAtBuild() {
        assertThatThrownBy(() -> Backend.dynamic("b").build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("name and version");
        assertThatThrownBy(() -> Backend.staticBackend("b").mode(Mode.TCP).health(h -> h).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("health checks need mode http");
        assertThatThrownBy(() -> Backend.staticBackend("b").health(h -> h.httpVersion(HealthCheck.HttpVersion.HTTP_1_1))
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("HTTP/1.1 needs host");
        assertThatThrownBy(() -> Backend.staticBackend("b").member("127.0.0.1", 80).member("127.0.0.1", 80).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1:80 twice");
        assertThatThrownBy(() -> Frontend.builder("f").bind("*:80").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("backend is required");
        assertThatThrownBy(() -> Frontend.builder("f").bind("*:80").defaultBackend("b").mode(Mode.TCP)
                .rule(Rule.pathBegins("/", "b")).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rules need mode http");
        assertThatThrownBy(() -> Backend.staticBackend("s").service("a", "1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only allowed for dynamic");
    }

    @Test
    void healthCheckRejectsBadUrisAndIntervals() {
        assertThatThrownBy(() -> HealthCheck.of(h -> h.uri("health"))).hasMessageContaining("must start with /");
        assertThatThrownBy(() -> HealthCheck.of(h -> h.uri("/a b"))).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> HealthCheck.of(h -> h.interval(Duration.ZERO)))
                .hasMessageContaining("health interval must be in 1..3600000 ms: 0");
    }

    @Test
    void slowstartIsTenSecondsByDefaultWholeMillisecondsUpToAnHourAndReadFromJsonAsANumber() throws Exception {
        assertThat(Backend.staticBackend("b").build().slowstart()).isEqualTo(Duration.ofSeconds(10));
        assertThat(Backend.staticBackend("b").slowstart(Duration.ZERO).build().slowstartMillis()).isZero();
        assertThatThrownBy(() -> Backend.staticBackend("b").slowstart(Duration.ofMinutes(61)))
                .isInstanceOf(InvalidValueException.class).hasMessage("slowstart must be in 0..3600000 ms: 3660000");
        assertThatThrownBy(() -> Backend.staticBackend("b").slowstart(Duration.ofMillis(-1)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("slowstart"));
        Backend fromJson = new tools.jackson.databind.ObjectMapper().readValue(
                "{\"key\":\"b\",\"type\":\"static\",\"slowstart\":\"2500\"}", Backend.class);
        assertThat(fromJson.slowstart()).isEqualTo(Duration.ofMillis(2500));
        assertThat(fromJson.sameStructure(fromJson.toBuilder().slowstart(Duration.ZERO).build())).isFalse();
    }

    @Test
    void hostHeaderMustBeAHostName() {
        assertThat(Backend.staticBackend("b").host("myapp.com:8080").build().host()).isEqualTo("myapp.com:8080");
        assertThatThrownBy(() -> Backend.staticBackend("b").host("a b")).hasMessageContaining("host must be");
        assertThatThrownBy(() -> Backend.staticBackend("b").host("x\r\nX-Evil: 1")).hasMessageContaining("host");
    }

    @Test
    void memberIdsFollowTheRegistryShape() {
        Member m = Member.registered("myapp", "1.0.0", "127.0.0.1", 8080, null, null);
        assertThat(m.id()).isEqualTo("/myapp/1.0.0/127.0.0.1/8080");
        assertThat(Member.of("127.0.0.1", 8080).id()).isEqualTo("127.0.0.1:8080");
        assertThatThrownBy(() -> Member.registered("my/app", "1", "127.0.0.1", 1, null, null))
                .hasMessageContaining("member name");
    }
}
