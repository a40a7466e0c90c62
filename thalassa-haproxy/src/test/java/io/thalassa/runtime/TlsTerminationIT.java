package io.thalassa.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.Backend;
import io.thalassa.Frontend;
import io.thalassa.InvalidModelException;
import io.thalassa.InvalidValueException;
import io.thalassa.ThalassaEvent;
import io.thalassa.Tls;
import io.thalassa.haproxy.NamedHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination through the real HAProxy with a throwaway CA: HTTPS, HTTP/2 through ALPN, rotation at run time. */
class TlsTerminationIT {
    @TempDir
    Path dir;
    private Thalassa thalassa;
    private NamedHttpServer app;
    private TestCertificates ca;
    private int port;
    private final List<ThalassaEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        app = new NamedHttpServer("app");
        ca = new TestCertificates(dir.resolve("ca"));
        port = NamedHttpServer.freePort();
        thalassa = Thalassa.builder().workDir(dir.resolve("work")).haproxyBinary(NamedHttpServer.haproxyBinary())
                .listener(events::add).start();
    }

    @AfterEach
    void stop() {
        if (thalassa != null) {
            thalassa.stop();
        }
        app.close();
    }

    private Frontend https(String... certificates) {
        return Frontend.builder("web").bind("127.0.0.1:" + port).defaultBackend("live")
                .tls(Tls.of(certificates)).build();
    }

    private void serve(Frontend frontend) {
        thalassa.update(c -> c.withBackend(Backend.staticBackend("live").member("127.0.0.1", app.port()).build())
                .withFrontend(frontend)).await(Duration.ofSeconds(20));
    }

    @Test
    void httpsWithTheStoredCertificateAndHttp2ThroughAlpn() throws Exception {
        CertificateInfo stored = thalassa.certificates().put("site", ca.issue("site one", 30, "rsa:2048"));
        assertThat(stored.subject()).isEqualTo("CN=site one");
        assertThat(stored.sans()).containsExactly("DNS:localhost", "IP:127.0.0.1");
        assertThat(stored.chainLength()).isEqualTo(2);
        assertThat(stored.notAfter()).isBetween(Instant.now().plus(Duration.ofDays(29)),
                Instant.now().plus(Duration.ofDays(31)));
        Path file = thalassa.workDir().resolve("certificates/site.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        serve(https("site"));

        String http11 = ca.curl("https://127.0.0.1:" + port + "/", "--http1.1");
        assertThat(http11).contains("1.1 200").contains("subject: CN=site one");
        String h2 = ca.curl("https://localhost:" + port + "/", "--http2");
        assertThat(h2).as("ALPN h2").contains("ALPN: server accepted h2").contains("\n2 200");
        assertThat(thalassa.haproxyConfig()).contains("bind 127.0.0.1:" + port + " ssl crt-list ")
                .contains(".crtlist alpn h2,http/1.1");
        assertThat(thalassa.certificates().get("site").orElseThrow().usedBy()).containsExactly("web");
    }

    @Test
    void aCertificateReplacedAtRunTimeIsServedByTheNextConnectionWithTheSameWorker() throws Exception {
        thalassa.certificates().put("site", ca.issue("first", 30, "rsa:2048"));
        serve(https("site"));
        assertThat(ca.curl("https://127.0.0.1:" + port + "/")).contains("subject: CN=first");
        List<Long> workers = thalassa.controller().workerPids();
        long reloads = thalassa.controller().reloadCount();

        CertificateInfo renewed = thalassa.certificates().put("site", ca.issue("second", 90, "ec"));
        assertThat(renewed.subject()).isEqualTo("CN=second");
        assertThat(ca.curl("https://127.0.0.1:" + port + "/")).contains("subject: CN=second").contains("2 200");
        assertThat(thalassa.controller().workerPids()).as("the same worker: no reload").isEqualTo(workers);
        assertThat(thalassa.controller().reloadCount()).isEqualTo(reloads);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.verb()).isEqualTo(ThalassaEvent.Verb.CERTIFICATE_CHANGED);
            assertThat(e.detail()).contains("replaced at run time in worker " + workers.get(0));
        });
        // what the file holds, so a reload keeps it
        assertThat(Files.readString(thalassa.workDir().resolve("certificates/site.pem")))
                .contains("-----BEGIN PRIVATE KEY-----").doesNotContain(ca.key("first"));
    }

    @Test
    void aKeyThatIsNotTheCertificatesAnUnknownNameAndADeleteInUseAreRefusedAndChangeNothing() throws Exception {
        String site = ca.issue("site", 30, "rsa:2048");
        ca.issue("other", 30, "rsa:2048");
        String mismatched = site.substring(0, site.indexOf("-----BEGIN PRIVATE KEY-----")) + ca.key("other");
        assertThatThrownBy(() -> thalassa.certificates().put("site", mismatched))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("pem");
                    assertThat(e.getMessage()).contains("belongs to none of the 2 certificates");
                });
        assertThatThrownBy(() -> thalassa.certificates().put("../etc", site))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThat(thalassa.certificates().list()).isEmpty();
        assertThatThrownBy(() -> serve(https("site")))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> assertThat(e.field())
                        .isEqualTo("tls.certificates[0]"));
        assertThat(thalassa.config().frontends()).isEmpty();

        thalassa.certificates().put("site", site);
        serve(https("site"));
        assertThatThrownBy(() -> thalassa.certificates().delete("site"))
                .isInstanceOfSatisfying(InvalidModelException.class, e -> {
                    assertThat(e.field()).isEqualTo("name");
                    assertThat(e.getMessage()).contains("used by frontend(s) web");
                });
        assertThat(thalassa.certificates().get("site")).isPresent();
        thalassa.update(c -> c.withoutFrontend("web")).await(Duration.ofSeconds(20));
        assertThat(thalassa.certificates().delete("site")).isPresent();
        assertThat(thalassa.certificates().list()).isEmpty();
    }
}
