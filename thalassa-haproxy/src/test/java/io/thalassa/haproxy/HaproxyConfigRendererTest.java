package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.Member;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HaproxyConfigRendererTest {
    /** Run with -Dgolden.update=true to rewrite the golden files after a reviewed change. */
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");
    private final HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();

    @Test
    void everyGoldenConfigRendersExactlyAsPinned() throws IOException {
        Map<String, GoldenConfigs.Rendered> all = GoldenConfigs.all();
        List<String> differing = new ArrayList<>();
        for (Map.Entry<String, GoldenConfigs.Rendered> e : all.entrySet()) {
            Path file = GOLDEN.resolve(e.getKey() + ".cfg");
            String text = e.getValue().result.text();
            if (UPDATE) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } else if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                differing.add(e.getKey());
            }
        }
        assertThat(differing).as("golden files differing from the rendering (review, then -Dgolden.update=true)")
                .isEmpty();
    }

    @Test
    void seedReadmeKeepsTheOriginalShape() {
        // but for keep-alive towards the servers (the original forced http-server-close with rules; with HTX every
        // request of a keep-alive connection is routed) and X-Forwarded-For
        String text = renderer.render(GoldenConfigs.seedReadme(), GoldenConfigs.SEED_SETTINGS).text();
        assertThat(text).contains("""
                frontend myapp
                    bind *:8080,*:80
                    mode http
                    default_backend live
                    option httplog
                    option forwardfor
                """).doesNotContain("http-server-close").contains("""
                backend live
                    mode http
                    balance roundrobin
                    default-server slowstart 10000ms
                    server live_127.0.0.121:8080 127.0.0.121:8080 check inter 2000
                    server live_127.0.0.80:8080 127.0.0.80:8080 check inter 2000
                """).containsPattern("acl header_[a-z2-7]{8} hdr_dom\\(host\\) myapp-staged.com\n"
                + "    use_backend staged if header_[a-z2-7]{8}\n");
        assertThat(text).startsWith("global\n    log 127.0.0.1 local0\n    log 127.0.0.1 local1 notice\n    daemon\n");
    }

    @Test
    void sameModelGivesSameBytesWhateverTheOrderOfConstruction() {
        List<Backend> backends = new ArrayList<>(GoldenConfigs.everyFeature().backends().values());
        List<Frontend> frontends = new ArrayList<>(GoldenConfigs.everyFeature().frontends().values());
        String first = renderer.render(GoldenConfigs.everyFeature(), HaproxySettings.defaults()).sha256();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(backends, random);
            Collections.shuffle(frontends, random);
            List<Backend> shuffledMembers = new ArrayList<>();
            for (Backend b : backends) {
                List<Member> members = new ArrayList<>(b.members());
                Collections.shuffle(members, random);
                shuffledMembers.add(b.withMembers(members));
            }
            ThalassaConfig config = ThalassaConfig.of(frontends, shuffledMembers);
            assertThat(renderer.render(config, HaproxySettings.defaults()).sha256()).isEqualTo(first);
        }
    }

    @Test
    void aclNamesDependOnContentNotOnPosition() {
        Frontend.Builder f = Frontend.builder("f").bind("127.0.0.1:1").defaultBackend("b");
        ThalassaConfig one = ThalassaConfig.empty().withBackend(Backend.staticBackend("b").build())
                .withFrontend(f.rule(Rule.pathBegins("/a", "b")).build());
        ThalassaConfig two = one.withFrontend(one.frontend("f").orElseThrow().toBuilder()
                .rules(List.of(Rule.pathBegins("/z", "b"), Rule.pathBegins("/a", "b"))).build());
        String aclOfA = aclLine(renderer.render(one, HaproxySettings.defaults()).text(), "/a");
        assertThat(aclLine(renderer.render(two, HaproxySettings.defaults()).text(), "/a")).isEqualTo(aclOfA);
    }

    private static String aclLine(String text, String value) {
        return text.lines().filter(l -> l.contains("acl ") && l.endsWith(" " + value)).findFirst().orElseThrow();
    }

    @Test
    void valuesAreNeverHtmlEscapedAndSpecialCharactersAreQuoted() {
        String text = GoldenConfigs.all().get("every-feature").result.text();
        assertThat(text).doesNotContain("&amp;").doesNotContain("&lt;").doesNotContain("&quot;")
                .contains("path_reg '^/article/[^/]*\\.html$'")
                .contains("hdr_sub(X-Note) 'it'\\''s a #tag $HOME \"q\" \\'")
                .contains("http-request set-header X-Forwarded-Port %[dst_port]");
    }

    @Test
    void frontendBeforeBackendRendersWithoutDanglingReferencesAndWarns() {
        RenderedConfig r = renderer.render(GoldenConfigs.frontendBeforeBackend(), HaproxySettings.defaults());
        assertThat(r.text()).doesNotContain("default_backend").doesNotContain("not-yet").doesNotContain("later")
                .doesNotContain("use_backend db");
        assertThat(r.warnings()).containsExactly(
                "frontend web routes to backend not-yet, which does not exist yet; the route is left out until it does",
                "frontend web is http but backend db is tcp; the route is left out",
                "frontend web routes to backend later, which does not exist yet; the route is left out until it does");
    }

    @Test
    void everyPathAndPortComesFromSettings() {
        String text = renderer.render(GoldenConfigs.seedReadme(), GoldenConfigs.secondInstance()).text();
        assertThat(text).contains("stats socket /tmp/thalassa-b/haproxy.sock mode 600 level admin")
                .contains("pidfile /tmp/thalassa-b/haproxy.pid")
                .contains("server-state-file /tmp/thalassa-b/server-state")
                .contains("load-server-state-from-file global")
                .contains("bind 127.0.0.1:11988").contains("stats auth admin:s3cret")
                .contains("hard-stop-after 120000ms").contains("mworker-max-reloads 10")
                .doesNotContain("127.0.0.1:1988").doesNotContain("log ");
    }

    @Test
    void controllerSettingsAreOnByDefault() {
        String text = renderer.render(GoldenConfigs.seedWalkthrough(), HaproxySettings.defaults()).text();
        assertThat(text).contains("frontend webapp-frontend\n    bind 127.0.0.1:18080\n    mode http\n"
                + "    default_backend webapp-backend\n    option httplog\n    option forwardfor\n"
                + "    option idle-close-on-response\n");
        assertThat(text.split("idle-close-on-response", -1)).as("only in the http frontend").hasSize(2);
        assertThat(text).contains("    master-worker\n")
                .contains("    hard-stop-after 30000ms\n").contains("    mworker-max-reloads 50\n");
    }

    @Test
    void slotLayoutRendersDisabledPlaceholders() {
        String text = GoldenConfigs.all().get("slots").result.text();
        assertThat(text).contains("server live_slot1 127.0.0.121:8080 check inter 2000\n")
                .contains("server live_slot4 127.0.0.1:1 check inter 2000 disabled\n");
    }

    @Test
    void serverWeightsAreRenderedButAreNotStructure() {
        io.thalassa.ThalassaConfig config = io.thalassa.ThalassaConfig.empty().withBackend(io.thalassa.Backend
                .dynamic("live").service("myapp", "1.0.0").build());
        HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
        RenderedConfig weighted = renderer.render(config, HaproxySettings.defaults(), b -> java.util.List.of(
                new ServerLine("live_slot1", "127.0.0.1", 8080, false, 247),
                new ServerLine("live_slot2", "127.0.0.1", 1, true, 52)));
        RenderedConfig plain = renderer.render(config, HaproxySettings.defaults(), b -> java.util.List.of(
                new ServerLine("live_slot1", "127.0.0.1", 8081, false),
                new ServerLine("live_slot2", "127.0.0.1", 1, true)));
        assertThat(weighted.text()).contains("    server live_slot1 127.0.0.1:8080 check inter 2000 weight 247\n")
                .contains("    server live_slot2 127.0.0.1:1 check inter 2000 weight 52 disabled\n");
        assertThat(plain.text()).contains("    server live_slot1 127.0.0.1:8081 check inter 2000\n")
                .doesNotContain("weight");
        assertThat(weighted.fingerprints()).isEqualTo(plain.fingerprints());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ServerLine("s", "127.0.0.1", 80, false, 257))
                .hasMessage("server weight must be in 0..256: 257");
    }

    @Test
    void userTemplateGetsTheDocumentedAttributes(@TempDir Path dir) throws IOException {
        Path stg = dir.resolve("mine.stg");
        Files.writeString(stg, """
                config(settings, frontends, backends) ::= <<
                # <settings.statsSocket>
                <frontends:{f | <f.key> <f.bind> -> <f.defaultBackend>}; separator="\\n">
                <backends:{b | <b.key> <b.name>@<b.version> <b.servers:{s | <s.name>=<s.address>}; separator=",">}; separator="\\n">
                >>
                """);
        String text = HaproxyConfigRenderer.fromTemplate(stg).render(GoldenConfigs.seedReadme(),
                HaproxySettings.defaults()).text();
        assertThat(text).isEqualTo("""
                # /tmp/haproxy.status.sock
                myapp *:8080,*:80 -> live
                live myapp@1.0.0 live_127.0.0.121:8080=127.0.0.121:8080,live_127.0.0.80:8080=127.0.0.80:8080
                staged myapp@1.1.0 staged_127.0.0.174:8080=127.0.0.174:8080,staged_127.0.0.206:8080=127.0.0.206:8080
                """);
    }

    @Test
    void templateThatDoesNotCompileIsAnErrorWithItsLine(@TempDir Path dir) throws IOException {
        Path stg = dir.resolve("broken.stg");
        Files.writeString(stg, "config(settings, frontends, backends) ::= <<\nglobal\n  <if(settings.daemon)> daemon\n>>\n");
        assertThatThrownBy(() -> HaproxyConfigRenderer.fromTemplate(stg))
                .isInstanceOf(ConfigTemplateException.class).hasMessageContaining("broken.stg")
                .satisfies(e -> assertThat(((ConfigTemplateException) e).line()).isEqualTo(3));
    }

    @Test
    void templateThatFailsWhileRenderingIsAnErrorWithItsLine(@TempDir Path dir) throws IOException {
        Path stg = dir.resolve("bad-render.stg");
        Files.writeString(stg, "config(settings, frontends, backends) ::= <<\nglobal\n<missing(settings)>\n>>\n");
        HaproxyConfigRenderer r = HaproxyConfigRenderer.fromTemplate(stg);
        assertThatThrownBy(() -> r.render(ThalassaConfig.empty(), HaproxySettings.defaults()))
                .isInstanceOf(ConfigTemplateException.class).hasMessageContaining("missing")
                .satisfies(e -> assertThat(((ConfigTemplateException) e).line()).isEqualTo(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config(a) ::= <<x>>\n", "other(settings, frontends, backends) ::= <<x>>\n"})
    void templateWithoutTheConfigTemplateIsRejected(String content, @TempDir Path dir) throws IOException {
        Path stg = dir.resolve("wrong.stg");
        Files.writeString(stg, content);
        assertThatThrownBy(() -> HaproxyConfigRenderer.fromTemplate(stg)).isInstanceOf(ConfigTemplateException.class)
                .hasMessageContaining("must define config(settings, frontends, backends)");
    }

    @Test
    void missingTemplateFileIsAClearError() {
        assertThatThrownBy(() -> HaproxyConfigRenderer.fromTemplate(Path.of("/nonexistent/x.stg")))
                .isInstanceOf(ConfigTemplateException.class).hasMessageContaining("cannot be read");
    }

    @Test
    void settingsRejectPathsThatCouldInjectConfig() {
        assertThatThrownBy(() -> HaproxySettings.builder().statsSocket(Path.of("/tmp/a b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statsSocket");
        assertThatThrownBy(() -> HaproxySettings.builder().statsSocket(Path.of("/tmp/a\nglobal")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statsSocket");
        assertThatThrownBy(() -> HaproxySettings.builder().statsAuth("nocolon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statsAuth");
    }

    @Test
    void textIsSqueezedAsItIsWrittenExactlyAsSqueezingTheWholeTextWould() throws IOException {
        Random random = new Random(7);
        String[] pieces = {"\n", "\n\n", "\n\n\n", "a", "bc\n", "    server x 127.0.0.1:1\n", "", "x\n\n\ny"};
        for (int round = 0; round < 500; round++) {
            StringBuilder whole = new StringBuilder();
            HaproxyConfigRenderer.SqueezedText squeezed = new HaproxyConfigRenderer.SqueezedText(16);
            for (int i = random.nextInt(30); i > 0; i--) {
                String piece = pieces[random.nextInt(pieces.length)];
                whole.append(piece);
                switch (random.nextInt(3)) {
                    case 0 -> squeezed.write(piece);
                    case 1 -> piece.chars().forEach(squeezed::write);
                    default -> squeezed.write(piece.toCharArray(), 0, piece.length());
                }
            }
            assertThat(squeezed.text()).as("round %d: %s", round, whole).isEqualTo(squeeze(whole.toString()));
        }
    }

    /** The rule, applied to a whole text: runs of blank lines become one, none at the start, one newline at the end. */
    private static String squeeze(String text) {
        String s = text.replaceAll("\n{3,}", "\n\n").replaceAll("^\n+", "").replaceAll("\n+$", "");
        return s + "\n";
    }

    @Test
    void sectionFingerprintsAreWhatEarlierVersionsWroteBesideTheFile() {
        // a controller adopting a HAProxy compares these with the fingerprint file an earlier version wrote; a change
        // here makes the first change after adopting an earlier version's HAProxy reload it (issue 19 did so on
        // purpose: keep-alive, forwardfor and tls in frontends, slowstart and consistent hashing in backends)
        Map<String, String> fps = GoldenConfigs.all().get("seed-readme").result.fingerprints();
        assertThat(fps).containsEntry("frontend myapp", "fbf8cfa23389fcf865518c3f1f92bb01")
                .containsEntry("backend live", "24cef003488e169b4380dc979fd7c855")
                .containsEntry("backend staged", "965815ede2622a065600e459ae13d4f0");
    }

    @Test
    void aRuleValueBeginningWithADashComesAfterDoubleDashSoHaproxyDoesNotReadItAsAFlag() {
        ThalassaConfig config = ThalassaConfig.empty().withBackend(Backend.staticBackend("x").build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("x")
                        .rule(Rule.path(Rule.Operation.PATH_BEG, "-i", "x"))
                        .rule(Rule.path(Rule.Operation.PATH_REG, "--x", "x"))
                        .rule(Rule.header("X-Tag", Rule.Operation.HDR, "-f", "x"))
                        .rule(Rule.header("X-Tag", Rule.Operation.HDR, "-M #1", "x"))
                        .rule(Rule.pathBegins("/a-i", "x")).build());
        List<String> acls = renderer.render(config, HaproxySettings.defaults()).text().lines()
                .filter(l -> l.startsWith("    acl ")).map(l -> l.substring(l.indexOf(' ', 8) + 1)).toList();
        assertThat(acls).containsExactly("path_beg -- -i", "path_reg -- --x", "hdr(X-Tag) -- -f",
                "hdr(X-Tag) -- '-M #1'", "path_beg /a-i");
    }

    @Test
    void hashBalancesAreConsistentUnlessANativeSaysOtherwise() {
        ThalassaConfig config = ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("src").balance(io.thalassa.Balance.SOURCE).build())
                .withBackend(Backend.staticBackend("mapped").balance(io.thalassa.Balance.SOURCE)
                        .nativeLine("hash-type map-based").build())
                .withBackend(Backend.staticBackend("rr").build());
        String text = renderer.render(config, HaproxySettings.defaults()).text();
        assertThat(text).contains("backend src\n    mode http\n    balance source\n    hash-type consistent\n")
                .contains("backend mapped\n    mode http\n    balance source\n    default-server slowstart 10000ms\n"
                        + "    hash-type map-based\n")
                .contains("backend rr\n    mode http\n    balance roundrobin\n    default-server slowstart 10000ms\n\n");
    }

    @Test
    void httpFrontendsKeepAliveAndForwardForWhateverTheirRulesAndTcpOnesNeither() {
        ThalassaConfig config = ThalassaConfig.empty().withBackend(Backend.staticBackend("x").build())
                .withBackend(Backend.staticBackend("t").mode(io.thalassa.Mode.TCP).build())
                .withFrontend(Frontend.builder("ruled").bind("127.0.0.1:8080").defaultBackend("x")
                        .rule(Rule.pathBegins("/a", "x")).build())
                .withFrontend(Frontend.builder("own").bind("127.0.0.1:8081").defaultBackend("x")
                        .nativeLine("option forwardfor except 127.0.0.0/8").build())
                .withFrontend(Frontend.builder("raw").bind("127.0.0.1:8082").defaultBackend("t")
                        .mode(io.thalassa.Mode.TCP).build());
        String text = renderer.render(config, HaproxySettings.defaults()).text();
        assertThat(text).doesNotContain("http-server-close").contains("    http-reuse safe\n")
                .contains("    timeout http-request 10000ms\n    timeout http-keep-alive 10000ms\n"
                        + "    timeout tunnel 3600000ms\n");
        assertThat(text.split("option forwardfor", -1)).as("ruled's own and own's native").hasSize(3);
        String off = renderer.render(config, HaproxySettings.builder().forwardFor(false)
                .httpTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMinutes(5)).build()).text();
        assertThat(off.split("option forwardfor", -1)).as("own's native only").hasSize(2);
        assertThat(off).contains("timeout http-request 3000ms\n    timeout http-keep-alive 1000ms\n"
                + "    timeout tunnel 300000ms\n");
    }

    @Test
    void aStickTableGetsALocalPeerOnAUnixSocketOwnedByHaproxysUserAndNoStickTableNoPeers() {
        HaproxySettings settings = HaproxySettings.builder().peersSocket(Path.of("/run/thalassa/haproxy.cfg.peers.sock"))
                .runAs("haproxy", "haproxy").build();
        ThalassaConfig plain = ThalassaConfig.empty().withBackend(Backend.staticBackend("x").build());
        assertThat(renderer.render(plain, settings).text()).doesNotContain("peers").doesNotContain("localpeer");
        ThalassaConfig sticky = plain.withBackend(Backend.staticBackend("x")
                .nativeLine("stick-table type string len 32 size 1k store gpc0").build())
                .withBackend(Backend.staticBackend("y").nativeLine("stick-table type ip size 1k peers elsewhere").build());
        String text = renderer.render(sticky, settings).text();
        assertThat(text).contains("    localpeer local\n")
                .contains("peers thalassa\n    bind unix@/run/thalassa/haproxy.cfg.peers.sock mode 600 user haproxy"
                        + " group haproxy\n    server local\n\n")
                .contains("    stick-table type string len 32 size 1k store gpc0 peers thalassa\n")
                .contains("    stick-table type ip size 1k peers elsewhere\n");
    }
}
