package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: the original's options and defaults, the new ones, --help, errors naming the option. */
class DaemonOptionsTest {
    @Test
    void defaultsAreTheOriginals() {
        DaemonOptions o = DaemonOptions.defaults();
        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.port()).isEqualTo(10000);
        assertThat(o.serviceRegPort()).isEqualTo(8500);
        assertThat(o.haproxySocketPath()).isEqualTo(Path.of("/tmp/haproxy.status.sock"));
        assertThat(o.haproxyPidPath()).isEqualTo(Path.of("/var/run/haproxy.pid"));
        assertThat(o.haproxyCfgPath()).isEqualTo(Path.of("/etc/haproxy/haproxy.cfg"));
        assertThat(o.templateFile()).isEqualTo("default.haproxycfg.tmpl");
        assertThat(o.customTemplate()).isEmpty();
        assertThat(o.dbPath()).isEqualTo(Path.of("./node_modules/thalassa-crowsnest/bin/db"));
        assertThat(o.label()).isNull();
        assertThat(o.serviceReg()).isNull();
        assertThat(o.datacenter()).isNull();
        assertThat(o.location()).isNull();
        assertThat(o.persistence()).isNull();
        assertThat(o.haproxyUser()).isNull();
        assertThat(o.statsAuth()).isNull();
        assertThat(o.debug()).isFalse();
    }

    @Test
    void defaultsOfTheNewOptions() {
        DaemonOptions o = DaemonOptions.defaults();
        assertThat(o.registrationPort()).isEqualTo(9000);
        assertThat(o.haproxyBinary()).isEqualTo("haproxy");
        assertThat(o.statsPort()).isEqualTo(1988);
        assertThat(o.reloadWindow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.activityRetention()).isEqualTo(10_000);
        assertThat(o.historySize()).isEqualTo(200);
    }

    @Test
    void everyOptionIsParsed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path template = java.nio.file.Files.writeString(dir.resolve("t.stg"), "config(settings, frontends, backends) ::= <<>>");
        DaemonOptions o = DaemonOptions.parse("--host", "127.0.0.1", "--port", "0", "--label", "myapp-dev",
                "--serviceReg", "127.0.0.1", "--serviceRegPort", "8501", "--datacenter", "dc1", "--location", "eu",
                "--haproxySocketPath", "/tmp/a.sock", "--haproxyPidPath", "/tmp/a.pid", "--haproxyCfgPath",
                "/tmp/a.cfg", "--templateFile", template.toString(), "--persistence",
                dir.resolve("t.json").toString(), "--debug", "--dbPath", "/tmp/db", "--registrationPort", "0",
                "--haproxyBinary", "/usr/sbin/haproxy", "--statsPort", "1989", "--reloadWindow", "500ms",
                "--activityRetention", "50", "--historySize", "30");
        assertThat(o).isEqualTo(new DaemonOptions("127.0.0.1", 0, "myapp-dev", "127.0.0.1", 8501, "dc1", "eu",
                Path.of("/tmp/a.sock"), Path.of("/tmp/a.pid"), Path.of("/tmp/a.cfg"), template.toString(),
                dir.resolve("t.json"), true, Path.of("/tmp/db"), 0, "/usr/sbin/haproxy", 1989,
                Duration.ofMillis(500), 50, 0, false, null, null, null, null, null, "file", null, null,
                new RegistryOptions("consul", "127.0.0.1:2181", "/services", "version", "127.0.0.1", 53, null,
                        Duration.ofSeconds(1), Duration.ofSeconds(60), 50, Duration.ofSeconds(30)), 30,
                new HaproxyOptions(Duration.ofSeconds(5), Duration.ofSeconds(50), Duration.ofSeconds(50),
                        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofHours(1), 4096, 2000, true,
                        true)));
        assertThat(o.customTemplate()).contains(template);
        assertThat(DaemonOptions.parse("--reloadWindow", "PT1S").reloadWindow()).isEqualTo(Duration.ofSeconds(1));
        assertThat(DaemonOptions.parse("--reloadWindow", "250").reloadWindow()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void haproxysTimeoutsLimitsAndOptionsGoToItsSettings() {
        DaemonOptions o = DaemonOptions.parse("--timeoutConnect", "2s", "--timeoutClient", "30s", "--timeoutServer",
                "1m", "--timeoutHttpRequest", "5s", "--timeoutHttpKeepAlive", "2500ms", "--timeoutTunnel", "PT2H",
                "--maxconn", "20000", "--defaultMaxconn", "15000", "--forwardFor", "false", "--keepServerState",
                "false");
        assertThat(o.haproxy()).isEqualTo(new HaproxyOptions(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofMillis(2500), Duration.ofHours(2), 20_000,
                15_000, false, false));
        io.thalassa.haproxy.HaproxySettings s = o.haproxy().applyTo(io.thalassa.haproxy.HaproxySettings.builder())
                .build();
        assertThat(List.of(s.timeoutConnect(), s.timeoutClient(), s.timeoutServer(), s.timeoutHttpRequest(),
                s.timeoutHttpKeepAlive(), s.timeoutTunnel())).containsExactly(Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofMillis(2500),
                Duration.ofHours(2));
        assertThat(s.globalMaxconn()).isEqualTo(20_000);
        assertThat(s.defaultsMaxconn()).isEqualTo(15_000);
        assertThat(s.forwardFor()).isFalse();
        assertThat(s.keepServerState()).isFalse();
        String rendered = io.thalassa.haproxy.HaproxyConfigRenderer.defaultTemplate().render(
                io.thalassa.ThalassaConfig.empty(),
                s).text();
        assertThat(rendered).contains("timeout client 30000ms", "timeout http-keep-alive 2500ms", "maxconn 20000",
                "timeout tunnel 7200000ms");
    }

    @Test
    void haproxysOptionsOutOfRangeAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> DaemonOptions.parse("--timeoutClient", "0ms"))
                .hasMessage("--timeoutClient must be in 1ms..24h: 0ms");
        assertThatThrownBy(() -> DaemonOptions.parse("--timeoutTunnel", "25h"))
                .hasMessageStartingWith("--timeoutTunnel must be a duration like 500ms, 2s or PT2S");
        assertThatThrownBy(() -> DaemonOptions.parse("--timeoutServer", "PT25H"))
                .hasMessage("--timeoutServer must be in 1ms..24h: PT25H");
        assertThatThrownBy(() -> DaemonOptions.parse("--maxconn", "0")).hasMessage("--maxconn must be in"
                + " 1..10000000: 0");
        assertThatThrownBy(() -> DaemonOptions.parse("--maxconn", "100", "--defaultMaxconn", "200"))
                .hasMessage("--defaultMaxconn must be in 1..--maxconn (100): 200");
        assertThatThrownBy(() -> DaemonOptions.parse("--forwardFor", "maybe")).hasMessageContaining("--forwardFor");
    }

    @Test
    void fleetOptions() {
        DaemonOptions o = DaemonOptions.parse("--store", "consul", "--datacenter", "dc2", "--bindAddress", "127.0.0.2");
        assertThat(o.fleet()).isTrue();
        assertThat(o.storePrefix()).isEqualTo("thalassa/dc2/");
        assertThat(o.bindAddress()).isEqualTo("127.0.0.2");
        assertThat(DaemonOptions.parse("--store", "consul").storePrefix()).isEqualTo("thalassa/default/");
        assertThat(DaemonOptions.parse("--store", "consul", "--storePrefix", "lb/edge").storePrefix())
                .isEqualTo("lb/edge/");
        assertThat(DaemonOptions.defaults().fleet()).isFalse();
        assertThatThrownBy(() -> DaemonOptions.parse("--store", "etcd")).hasMessageContaining("--store");
        assertThatThrownBy(() -> DaemonOptions.parse("--storePrefix", "x/")).hasMessageContaining("--storePrefix");
        assertThatThrownBy(() -> DaemonOptions.parse("--store", "consul", "--storePrefix", "../x"))
                .hasMessageContaining("--storePrefix");
        assertThatThrownBy(() -> DaemonOptions.parse("--store", "consul", "--persistence", "/tmp/x.json"))
                .hasMessageContaining("--persistence");
        assertThatThrownBy(() -> DaemonOptions.parse("--bindAddress", "a b")).hasMessageContaining("--bindAddress");
    }

    @Test
    void errorsNameTheOption() {
        assertThatThrownBy(() -> DaemonOptions.parse("--port", "abc")).hasMessageContaining("--port");
        assertThatThrownBy(() -> DaemonOptions.parse("--port", "70000")).hasMessageContaining("--port")
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> DaemonOptions.parse("--registrationPort", "10000"))
                .hasMessageContaining("--registrationPort");
        assertThatThrownBy(() -> DaemonOptions.parse("--bogus")).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> DaemonOptions.parse("--reloadWindow", "soon")).hasMessageContaining("--reloadWindow");
        assertThatThrownBy(() -> DaemonOptions.parse("--templateFile", "/no/such.stg"))
                .hasMessageContaining("--templateFile");
        assertThatThrownBy(() -> DaemonOptions.parse("--persistence", "/no/such/dir/t.json"))
                .hasMessageContaining("--persistence");
        assertThatThrownBy(() -> DaemonOptions.parse("--activityRetention", "0"))
                .hasMessageContaining("--activityRetention");
    }

    @Test
    void helpListsEveryOptionWithItsDefault() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ThalassaMain.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(code).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        for (String option : new String[] {"--host", "--port", "--label", "--serviceReg", "--serviceRegPort",
            "--datacenter", "--location", "--haproxySocketPath", "--haproxyPidPath", "--haproxyCfgPath",
            "--templateFile", "--persistence", "--debug", "--dbPath", "--registrationPort",
            "--haproxyBinary", "--statsPort", "--reloadWindow", "--unsafeNatives", "--tokens", "--tlsCert",
            "--tlsKey", "--haproxyUser", "--statsAuth", "--help"}) {
            assertThat(help).containsPattern(java.util.regex.Pattern.quote(option) + "[= \\[]");
        }
        assertThat(help).contains("default: 10000", "default: 9000", "default: /tmp/haproxy.status.sock",
                "default: 0.0.0.0");
    }

    @Test
    void sudoIsRemovedWithAMessageSayingWhatToDoInstead() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DaemonOptions.parse("--sudo"))
                .hasMessageContaining("--sudo was removed").hasMessageContaining("--haproxyUser");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DaemonOptions.parse("--statsAuth", "nocolon"))
                .hasMessageContaining("--statsAuth");
        org.assertj.core.api.Assertions.assertThat(DaemonOptions.parse("--statsAuth", "ops:s3cret").statsAuth())
                .isEqualTo("ops:s3cret");
    }

    @Test
    void aBadCommandLineExitsWith2NamingTheOption() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ThalassaMain.run(new String[] {"--port", "x"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port").contains("--help");
    }

    @Test
    void registryOptionsMapToTheRegistryAndTheGuard() {
        assertThat(DaemonOptions.defaults().registries().kind()).isEqualTo("embedded");
        assertThat(DaemonOptions.parse("--serviceReg", "127.0.0.1").registries().kind()).isEqualTo("consul");
        assertThat(DaemonOptions.parse("--store", "consul").registries().kind()).isEqualTo("consul");
        RegistryOptions zk = DaemonOptions.parse("--registry", "zookeeper", "--zkConnect", "127.0.0.1:2182",
                "--zkBasePath", "/apps", "--zkVersionKey", "release").registries();
        assertThat(zk).extracting(RegistryOptions::zkConnect, RegistryOptions::zkBasePath,
                RegistryOptions::zkVersionKey).containsExactly("127.0.0.1:2182", "/apps", "release");
        RegistryOptions dns = DaemonOptions.parse("--registry", "dns", "--dnsServer", "127.0.0.1:53530", "--dnsName",
                "_{service}._tcp.v{version}.svc.example.", "--dnsMinInterval", "500ms", "--dnsMaxInterval", "10s",
                "--maxRemovalPct", "30", "--removalHold", "5s").registries();
        assertThat(dns.dnsPort()).isEqualTo(53530);
        assertThat(dns.dnsMinInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(dns.maxRemovalPct()).isEqualTo(30);
        assertThat(dns.removalHold()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void registryOptionsThatDoNotGoTogetherAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> DaemonOptions.parse("--registry", "etcd")).hasMessageContaining("--registry");
        assertThatThrownBy(() -> DaemonOptions.parse("--registry", "dns")).hasMessageContaining("--dnsName");
        assertThatThrownBy(() -> DaemonOptions.parse("--registry", "dns", "--dnsName", "_{service}.x."))
                .hasMessageContaining("--dnsName");
        assertThatThrownBy(() -> DaemonOptions.parse("--registry", "dns", "--dnsName", "_{service}.v{version}.x.",
                "--dnsServer", "localhost:53")).hasMessageContaining("--dnsServer");
        assertThatThrownBy(() -> DaemonOptions.parse("--store", "consul", "--registry", "zookeeper"))
                .hasMessageContaining("--store consul");
        assertThatThrownBy(() -> DaemonOptions.parse("--serviceReg", "127.0.0.1", "--registry", "dns"))
                .hasMessageContaining("--serviceReg");
        assertThatThrownBy(() -> DaemonOptions.parse("--zkConnect", "127.0.0.1:2181"))
                .hasMessageContaining("--zkConnect goes with --registry zookeeper");
        assertThatThrownBy(() -> DaemonOptions.parse("--registry", "zookeeper", "--zkBasePath", "services"))
                .hasMessageContaining("--zkBasePath");
        assertThatThrownBy(() -> DaemonOptions.parse("--maxRemovalPct", "101")).hasMessageContaining("--maxRemovalPct");
        assertThatThrownBy(() -> DaemonOptions.parse("--removalHold", "2h")).hasMessageContaining("--removalHold");
    }
}
