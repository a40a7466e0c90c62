package io.thalassa.haproxy;

import io.thalassa.Backend;
import io.thalassa.Balance;
import io.thalassa.Bind;
import io.thalassa.Frontend;
import io.thalassa.HealthCheck;
import io.thalassa.KeepAlive;
import io.thalassa.Member;
import io.thalassa.Mode;
import io.thalassa.Rule;
import io.thalassa.ThalassaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models behind the golden files, shared by the unit test (exact text) and the IT (haproxy -c). */
final class GoldenConfigs {
    private GoldenConfigs() {
    }

    static final HaproxySettings SEED_SETTINGS = HaproxySettings.builder().masterWorker(false)
            .hardStopAfter(null).idleCloseOnResponse(false).build();

    static Map<String, Rendered> all() {
        HaproxyConfigRenderer renderer = HaproxyConfigRenderer.defaultTemplate();
        Map<String, Rendered> golden = new LinkedHashMap<>();
        golden.put("seed-readme", new Rendered(seedReadme(), SEED_SETTINGS, ServerLayout.PER_MEMBER));
        golden.put("seed-walkthrough", new Rendered(seedWalkthrough(), HaproxySettings.defaults(),
                ServerLayout.PER_MEMBER));
        golden.put("every-feature", new Rendered(everyFeature(), HaproxySettings.defaults(), ServerLayout.PER_MEMBER));
        golden.put("frontend-before-backend", new Rendered(frontendBeforeBackend(), HaproxySettings.defaults(),
                ServerLayout.PER_MEMBER));
        golden.put("empty", new Rendered(ThalassaConfig.empty(), HaproxySettings.defaults(), ServerLayout.PER_MEMBER));
        golden.put("second-instance", new Rendered(seedReadme(), secondInstance(), ServerLayout.PER_MEMBER));
        golden.put("slots", new Rendered(seedReadme(), HaproxySettings.defaults(), GoldenConfigs::fourSlots));
        golden.put("canary", new Rendered(canary(), HaproxySettings.defaults(), GoldenConfigs::weightedSlots));
        golden.put("stick-tables", new Rendered(stickTables(), HaproxySettings.builder().logTarget(null)
                .peers("node-a", Bind.parse("127.0.0.1:11024"), Map.of("node-b", Bind.parse("127.0.0.2:11024")))
                .build(), ServerLayout.PER_MEMBER));
        golden.put("tls", new Rendered(tls(), TLS_SETTINGS, ServerLayout.PER_MEMBER));
        golden.values().forEach(r -> r.render(renderer));
        return golden;
    }

    /** The example of the original README, with loopback addresses instead of its 10.x ones. */
    static ThalassaConfig seedReadme() {
        return ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").members(List.of(
                        registered("myapp", "1.0.0", "127.0.0.121", 8080),
                        registered("myapp", "1.0.0", "127.0.0.80", 8080))).build())
                .withBackend(Backend.dynamic("staged").service("myapp", "1.1.0").members(List.of(
                        registered("myapp", "1.1.0", "127.0.0.174", 8080),
                        registered("myapp", "1.1.0", "127.0.0.206", 8080))).build())
                .withFrontend(Frontend.builder("myapp").bind("*:8080,*:80").defaultBackend("live")
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "myapp-staged.com", "staged")).build());
    }

    /** The curl walkthrough of the compose README: a tcp and an http service, registered members. */
    static ThalassaConfig seedWalkthrough() {
        return ThalassaConfig.empty()
                .withFrontend(Frontend.builder("mysql-frontend").bind("127.0.0.1:13306").defaultBackend("mysql-backend")
                        .mode(Mode.TCP).build())
                .withFrontend(Frontend.builder("webapp-frontend").bind("127.0.0.1:18080")
                        .defaultBackend("webapp-backend").build())
                .withBackend(Backend.dynamic("mysql-backend").service("mysql-backend", "1.0.0").balance(Balance.SOURCE)
                        .mode(Mode.TCP).nativeLine("option mysql-check")
                        .member(registered("mysql-backend", "1.0.0", "127.0.0.1", 3306)).build())
                .withBackend(Backend.dynamic("webapp-backend").service("webapp-backend", "1.0.0")
                        .balance(Balance.SOURCE).health(h -> h.interval(Duration.ofMillis(5000)))
                        .member(registered("webapp-backend", "1.0.0", "127.0.1.1", 8080)).build());
    }

    /** Every option of the model at least once, including values that need quoting. */
    static ThalassaConfig everyFeature() {
        return ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("api").balance(Balance.LEASTCONN).host("api.example.com")
                        .health(h -> h.method(HealthCheck.Method.HEAD).uri("/health?full=1")
                                .httpVersion(HealthCheck.HttpVersion.HTTP_1_1).interval(Duration.ofMillis(1500)))
                        .nativeLine("option forwardfor").nativeLine("http-response set-header X-Served-By 'api pool'")
                        .member("127.0.0.1", 9001).member("localhost", 9002).member("::1", 9003).build())
                .withBackend(Backend.staticBackend("static").balance(Balance.of("uri whole"))
                        .health(h -> h.method(HealthCheck.Method.OPTIONS)).member("127.0.0.2", 9100).build())
                .withBackend(Backend.staticBackend("sticky").balance(Balance.hdr("X-User")).build())
                .withBackend(Backend.dynamic("stream").service("stream", "2.0.0+build.7").mode(Mode.TCP)
                        .balance(Balance.of("random(2)")).build())
                .withFrontend(Frontend.builder("www").bind("127.0.0.1:18081,[::1]:18081").defaultBackend("static")
                        .keepAlive(KeepAlive.SERVER_CLOSE)
                        .rule(Rule.path(Rule.Operation.PATH, "/favicon.ico", "static"))
                        .rule(Rule.pathBegins("/api/", "api"))
                        .rule(Rule.path(Rule.Operation.PATH_REG, "^/article/[^/]*\\.html$", "api"))
                        .rule(Rule.url(Rule.Operation.URL, "/exact?x=1", "api"))
                        .rule(Rule.url(Rule.Operation.URL_BEG, "/bar", "sticky"))
                        .rule(Rule.url(Rule.Operation.URL_REG, "^/q\\?a=[0-9]+$", "sticky"))
                        .rule(Rule.header("host", Rule.Operation.HDR, "exact.example.com", "api"))
                        .rule(Rule.header("host", Rule.Operation.HDR_DOM, "example.com", "api"))
                        .rule(Rule.header("User-Agent", Rule.Operation.HDR_BEG, "curl/", "sticky"))
                        .rule(Rule.header("host", Rule.Operation.HDR_END, ".test", "sticky"))
                        .rule(Rule.header("X-Note", Rule.Operation.HDR_SUB, "it's a #tag $HOME \"q\" \\", "sticky"))
                        .rule(Rule.header("X-Id", Rule.Operation.HDR_REG, "^[a-f0-9]{8}$", "api"))
                        .rule(Rule.pathBegins("/api/", "static"))
                        .nativeLine("http-request set-header X-Forwarded-Port %[dst_port]")
                        .build())
                .withFrontend(Frontend.builder("closing").bind("127.0.0.1:18082").defaultBackend("api")
                        .keepAlive(KeepAlive.CLOSE).build())
                .withFrontend(Frontend.builder("tcp-in").bind("127.0.0.1:18083").defaultBackend("stream")
                        .mode(Mode.TCP).nativeLine("timeout client 1h").build());
    }

    /** A frontend created before its backends (the seed walkthrough's order), and an http frontend on a tcp backend. */
    static ThalassaConfig frontendBeforeBackend() {
        return ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 3306).build())
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:18084").defaultBackend("not-yet")
                        .rule(Rule.pathBegins("/db", "db")).rule(Rule.pathBegins("/later", "later")).build());
    }

    /** Stick tables in a frontend and a backend, shared with another node of a fleet through the peers section. */
    static ThalassaConfig stickTables() {
        return ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("api").member("127.0.0.1", 9001)
                        .nativeLine("stick-table type ip size 100k expire 30m store http_req_cnt")
                        .nativeLine("http-request track-sc1 src").build())
                .withFrontend(Frontend.builder("www").bind("127.0.0.1:18086").defaultBackend("api")
                        .nativeLine("stick-table type ip size 1m expire 10s store http_req_rate(10s)")
                        .nativeLine("http-request track-sc0 src")
                        .nativeLine("http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }").build());
    }

    /** Where the tls golden's certificates are (relative: HaproxyCheckIT puts them there before haproxy -c). */
    static final HaproxySettings TLS_SETTINGS = HaproxySettings.builder().logTarget(null)
            .certificateDir(Path.of("target/golden-tls")).build();

    /** TLS termination: an http frontend with two certificates and HTTP/2, a tcp one without ALPN. */
    static ThalassaConfig tls() {
        return ThalassaConfig.empty()
                .withBackend(Backend.staticBackend("app").member("127.0.0.1", 9001).build())
                .withBackend(Backend.staticBackend("db").mode(Mode.TCP).member("127.0.0.1", 5432).build())
                .withFrontend(Frontend.builder("www").bind("127.0.0.1:18443,[::1]:18443").defaultBackend("app")
                        .tls(io.thalassa.Tls.of("rsa", "ec")).build())
                .withFrontend(Frontend.builder("pg").bind("127.0.0.1:15432").defaultBackend("db").mode(Mode.TCP)
                        .tls(io.thalassa.Tls.of("ec").withAlpn()).build());
    }

    /** The certificates and crt-lists of the tls golden, where its file says they are. */
    static void writeTlsFiles() throws java.io.IOException {
        Path dir = TLS_SETTINGS.certificateDir();
        Files.createDirectories(dir);
        for (String[] cert : new String[][] {{"rsa", "rsa-pkcs1.pem"}, {"ec", "ec-sec1-key-first.pem"}}) {
            try (java.io.InputStream in = GoldenConfigs.class.getResourceAsStream("/pem/" + cert[1])) {
                Files.write(dir.resolve(cert[0] + ".pem"), in.readAllBytes());
            }
        }
        io.thalassa.haproxy.internal.CrtLists.write(tls(), TLS_SETTINGS);
    }

    static HaproxySettings secondInstance() {
        return HaproxySettings.builder().statsSocket(Path.of("/tmp/thalassa-b/haproxy.sock"))
                .pidFile(Path.of("/tmp/thalassa-b/haproxy.pid"))
                .serverStateFile(Path.of("/tmp/thalassa-b/server-state"))
                .statsListener(new Bind("127.0.0.1", 11988)).statsAuth("admin:s3cret").logTarget(null)
                .maxconn(10000, 5000).timeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(30))
                .hardStopAfter(Duration.ofMinutes(2)).mworkerMaxReloads(10).build();
    }

    /** A canary at 95/5: four instances of 1.0.0, one of 2.0.0, and a frontend in front. */
    static ThalassaConfig canary() {
        List<Member> members = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            members.add(registered("myapp", "1.0.0", "127.0.0.1", 8080 + i));
        }
        members.add(registered("myapp", "2.0.0", "127.0.0.1", 9081));
        return ThalassaConfig.empty()
                .withBackend(Backend.dynamic("live").service("myapp", "1.0.0").build()
                        .withSplit(Map.of("1.0.0", 95, "2.0.0", 5)).withMembers(members))
                .withFrontend(Frontend.builder("web").bind("127.0.0.1:18085").defaultBackend("live").build());
    }

    /** The controller's slots with the weights of a split: what a worker gets after a reload during a canary. */
    static List<ServerLine> weightedSlots(Backend backend) {
        io.thalassa.haproxy.internal.SlotTable table = io.thalassa.haproxy.internal.SlotPlanner.plan(backend.key(),
                null, io.thalassa.haproxy.internal.SlotPlanner.endpoints(backend), io.thalassa.haproxy.internal.DefaultServer.growsAtRunTime(backend))
                .table();
        table.slots().forEach(s -> {
            if (s.state == io.thalassa.haproxy.internal.SlotTable.State.JOINING) {
                s.state = io.thalassa.haproxy.internal.SlotTable.State.ACTIVE; // their checks passed
            }
        });
        return table.lines();
    }

    /** Four stable slots per backend: members fill the first ones, the rest wait disabled on a placeholder. */
    static List<ServerLine> fourSlots(Backend backend) {
        List<ServerLine> lines = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = backend.key() + "_slot" + (i + 1);
            if (i < backend.members().size()) {
                Member m = backend.members().get(i);
                lines.add(new ServerLine(name, m.host(), m.port(), false));
            } else {
                lines.add(new ServerLine(name, "127.0.0.1", 1, true));
            }
        }
        return lines;
    }

    private static Member registered(String name, String version, String host, int port) {
        return Member.registered(name, version, host, port, Instant.ofEpochMilli(1378762056885L), Map.of());
    }

    /** One golden case: model, settings, layout, and its rendering. */
    static final class Rendered {
        final ThalassaConfig config;
        final HaproxySettings settings;
        final ServerLayout layout;
        RenderedConfig result;

        Rendered(ThalassaConfig config, HaproxySettings settings, ServerLayout layout) {
            this.config = config;
            this.settings = settings;
            this.layout = layout;
        }

        void render(HaproxyConfigRenderer renderer) {
            result = renderer.render(config, settings, layout);
        }
    }
}
