package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * The REST shapes of the original Thalassa, read and written with a plain ObjectMapper: Jackson 3's, on Jackson 2's
 * defaults (which fail on an unknown property, as the library's own readers do).
 */
class JsonShapesTest {
    private final ObjectMapper json = tools.jackson.databind.json.JsonMapper.builderWithJackson2Defaults().build();

    private JsonNode tree(String text) throws Exception {
        return json.readTree(text.replace('\'', '"'));
    }

    private <T> T read(String text, Class<T> type) throws Exception {
        return json.readValue(text.replace('\'', '"'), type);
    }

    @Test
    void frontendFromTheSeedReadmeRoundTrips() throws Exception {
        String seed = "{'id':'frontend/myapp','_type':'frontend','key':'myapp','name':'myapp','bind':'*:8080,*:80',"
                + "'backend':'live',"
                + "'mode':'http','keepalive':'default','rules':[{'type':'header','header':'host','operation':'hdr_dom',"
                + "'value':'staged.myapp.com','backend':'staged'}],'natives':[]}";
        Frontend f = read(seed, Frontend.class);
        assertThat(f.rules()).containsExactly(
                Rule.header("host", Rule.Operation.HDR_DOM, "staged.myapp.com", "staged"));
        assertThat((JsonNode) json.valueToTree(f)).isEqualTo(tree(seed));
        assertThat(read(json.writeValueAsString(f), Frontend.class)).isEqualTo(f);
    }

    @Test
    void frontendDefaultsAreFilledIn() throws Exception {
        Frontend f = read("{'key':'mysql-frontend','bind':'*:3306','backend':'mysql-backend','mode':'tcp'}",
                Frontend.class);
        assertThat((JsonNode) json.valueToTree(f)).isEqualTo(tree("{'id':'frontend/mysql-frontend','_type':'frontend',"
                + "'key':'mysql-frontend','name':'mysql-frontend','bind':'*:3306','backend':'mysql-backend','mode':'tcp',"
                + "'keepalive':'default','rules':[],'natives':[]}"));
    }

    @Test
    void seedGetShapeWithNameFieldCanBePutBack() throws Exception {
        Frontend f = read("{'id':'frontend/myapp','_type':'frontend','key':'myapp','name':'myapp','bind':'*:80',"
                + "'backend':'live'}", Frontend.class);
        assertThat(f.key()).isEqualTo("myapp");
    }

    @Test
    void dynamicBackendFromTheSeedReadmeRoundTripsWithMembers() throws Exception {
        String seed = "{'id':'backend/live','_type':'backend','key':'live','type':'dynamic','name':'myapp',"
                + "'version':'1.0.0','balance':'roundrobin','host':null,'mode':'http','natives':[],'members':["
                + "{'name':'myapp','version':'1.0.0','host':'127.0.0.1','port':8080,'lastKnown':1378762056885,"
                + "'meta':{'hostname':'dev-01','pid':17941,'registered':1378740834616},"
                + "'id':'/myapp/1.0.0/127.0.0.1/8080'}]}";
        Backend fromClient = read(seed, Backend.class);
        assertThat(fromClient.members()).as("members of a dynamic backend are read-only").isEmpty();
        Backend withMembers = fromClient.withMembers(java.util.List.of(json.treeToValue(
                tree(seed).get("members").get(0), Member.class)));
        // the original's shape, and the one field added since: slowstart (ms), filled in with its default
        tools.jackson.databind.node.ObjectNode expected = (tools.jackson.databind.node.ObjectNode) tree(seed);
        expected.put("slowstart", 10000L);
        assertThat((JsonNode) json.valueToTree(withMembers)).isEqualTo(expected);
    }

    @Test
    void seedWalkthroughBackendsAcceptNumbersAsStrings() throws Exception {
        Backend mysql = read("{'key':'mysql-backend','type':'dynamic','name':'mysql-backend','version':'1.0.0',"
                + "'balance':'source','mode':'tcp','natives':['option mysql-check']}", Backend.class);
        assertThat(mysql.balance()).isEqualTo(Balance.SOURCE);
        assertThat(mysql.natives()).containsExactly("option mysql-check");
        Backend web = read("{'key':'webapp-backend','type':'dynamic','name':'webapp-backend','version':'1.0.0',"
                + "'balance':'source','mode':'http','health':{'interval':'5000'}}", Backend.class);
        assertThat(web.health().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(json.readTree(json.writeValueAsString(web)).get("health")).isEqualTo(
                tree("{'method':'GET','uri':'/','httpVersion':'HTTP/1.0','interval':5000}"));
    }

    @Test
    void staticBackendMembersAcceptPortsAsStrings() throws Exception {
        Backend b = read("{'key':'db','type':'static','mode':'tcp','members':[{'host':'127.0.0.1','port':'3306'}]}",
                Backend.class);
        assertThat(b.members()).containsExactly(Member.of("127.0.0.1", 3306));
        JsonNode out = json.valueToTree(b);
        assertThat(out.get("members")).isEqualTo(tree("[{'host':'127.0.0.1','port':3306,'id':'127.0.0.1:3306'}]"));
        assertThat(out.get("balance").asText()).isEqualTo("roundrobin");
        assertThat(out.has("host")).isTrue();
        assertThat(out.get("host").isNull()).isTrue();
        assertThat(read(json.writeValueAsString(b), Backend.class)).isEqualTo(b);
    }

    @Test
    void unknownFieldIsAnErrorNamingIt() {
        assertThatThrownBy(() -> read("{'key':'f','bind':'*:80','backend':'b','colour':'red'}", Frontend.class))
                .isInstanceOf(UnrecognizedPropertyException.class).hasMessageContaining("colour");
    }

    @Test
    void invalidValueIsAnErrorNamingFieldAndValue() {
        assertThatThrownBy(() -> read("{'key':'b','type':'dynamic','name':'a','version':'1','balance':'fastest'}",
                Backend.class)).isInstanceOf(ValueInstantiationException.class)
                .hasMessageContaining("balance must be one of").hasMessageContaining("fastest");
        assertThatThrownBy(() -> read("{'key':'b','type':'weird'}", Backend.class))
                .hasMessageContaining("type must be one of dynamic|static");
        assertThatThrownBy(() -> read("{'key':'f','bind':'*:80','backend':'b','mode':'udp'}", Frontend.class))
                .hasMessageContaining("mode must be one of http|tcp");
        assertThatThrownBy(() -> read("{'key':'b','type':'static','members':[{'host':'127.0.0.1','port':'x'}]}",
                Backend.class)).hasMessageContaining("port");
    }

    @Test
    void healthWithHttp11NeedsHost() {
        assertThatThrownBy(() -> read("{'key':'b','type':'static','health':{'httpVersion':'HTTP/1.1'}}",
                Backend.class)).hasMessageContaining("HTTP/1.1 needs host");
    }

    @Test
    void everyRuleShapeOfTheSeedRoundTrips() throws Exception {
        for (String rule : new String[] {
            "{'type':'path','operation':'path_beg','value':'/ecxd/','backend':'foo'}",
            "{'type':'path','operation':'path_reg','value':'^/article/[^/]*$','backend':'foo'}",
            "{'type':'url','operation':'url_beg','value':'/bar','backend':'bar'}",
            "{'type':'header','header':'host','operation':'hdr_dom','value':'baz.com','backend':'baz'}"}) {
            Rule r = read(rule, Rule.class);
            assertThat((JsonNode) json.valueToTree(r)).isEqualTo(tree(rule));
        }
    }

    @Test
    void wholeConfigRoundTripsForPersistence() throws Exception {
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 3306).build())
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").host("myapp.com")
                        .health(h -> h.httpVersion(HealthCheck.HttpVersion.HTTP_1_1).uri("/health")).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("live")
                        .keepAlive(KeepAlive.SERVER_CLOSE).rule(Rule.pathBegins("/db", "db")).build());
        String text = json.writeValueAsString(config);
        assertThat(json.readValue(text, ThalassaConfig.class)).isEqualTo(config);
    }

    @Test
    void aBackendWithASplitHasVersionsBesideItsPrimaryVersionAndRoundTrips() throws Exception {
        Backend b = read("{'key':'web','type':'dynamic','name':'app','versions':{'2.0.0':5,'1.0.0':95}}",
                Backend.class);
        assertThat(b.split().orElseThrow().weights()).containsExactly(java.util.Map.entry("1.0.0", 95),
                java.util.Map.entry("2.0.0", 5));
        JsonNode out = json.valueToTree(b);
        assertThat(out.get("version").asText()).isEqualTo("1.0.0");
        assertThat(out.get("versions")).isEqualTo(tree("{'1.0.0':95,'2.0.0':5}"));
        assertThat(read(json.writeValueAsString(b), Backend.class)).isEqualTo(b);
        assertThatThrownBy(() -> read("{'key':'web','type':'dynamic','name':'app','version':'3.0.0',"
                + "'versions':{'1.0.0':95,'2.0.0':5}}", Backend.class))
                .hasRootCauseMessage("version \"3.0.0\" is not one of versions 1.0.0:95,2.0.0:5; give versions alone");
        assertThatThrownBy(() -> read("{'key':'web','type':'dynamic','name':'app','versions':{'1.0.0':95.5,"
                + "'2.0.0':4.5}}", Backend.class)).rootCause().hasMessageStartingWith("versions ");
    }

    @Test
    void aBackendWithoutASplitKeepsTheOriginalShape() throws Exception {
        JsonNode out = json.valueToTree(Backend.dynamic("web").service("app", "1.0.0").build());
        assertThat(out.has("versions")).isFalse();
        assertThat(out.get("version").asText()).isEqualTo("1.0.0");
    }
}
