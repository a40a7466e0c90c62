package io.thalassa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NativePolicyTest {
    private static Frontend frontend(String nativeLine) {
        return Frontend.builder("web").bind("127.0.0.1:8080").defaultBackend("b").nativeLine(nativeLine).build();
    }

    private static Backend backend(String nativeLine) {
        return Backend.staticBackend("b").nativeLine(nativeLine).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "http-request return status 200 content-type text/plain file /etc/shadow",
        "http-request return status 200 content-type text/plain lf-file /etc/shadow",
        "http-request return status 200 content-type text/plain \"fi\"le /etc/shadow",
        "http-request return status 200 content-type text/plain fi\\x6ce /etc/shadow",
        "http-error status 503 errorfile /etc/shadow",
        "errorfile 503 /etc/shadow",
        "bind 127.0.0.1:1988",
        "bind :80",
        "acl secret path -f /etc/shadow",
        "http-request set-header X %[path,map(/etc/shadow)]",
        "http-request set-header X %[env(HOME)]",
        "http-request set-header X \"${HOME}\"",
        "http-request lua.hello",
        "http-request use-service lua.hello",
        "tcp-request content use-service lua.x",
        "lua-load /tmp/x.lua",
        "nbthread 64",
        "chroot /",
        "stats enable",
        "stats admin if TRUE",
        "log 127.0.0.1:514 local0",
        "log /dev/log local0",
        "http-request set-map(/tmp/m) %[src] 1",
        "http-request add-acl(/tmp/a) %[src]",
        "filter spoe engine x config /etc/shadow",
        "option external-check",
        "external-check command /bin/sh",
        "no listen",
        "server-state-file-name /etc/shadow",
        "unknown-keyword x"})
    void nativesThatReachFilesListenersCodeOrTheProcessAreRefused(String line) {
        assertThatThrownBy(() -> NativePolicy.SAFE.check(frontend(line)))
                .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                    assertThat(e.field()).isEqualTo("natives[0]");
                    assertThat(e.value()).isEqualTo(line);
                    assertThat(e.reason()).contains("frontend web").contains("is not allowed");
                });
        NativePolicy.UNRESTRICTED.check(frontend(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "server s1 127.0.0.1:80 ssl crt /etc/ssl/key.pem",
        "server s1 /var/run/haproxy.sock",
        "server s1 unix@/var/run/haproxy.sock",
        "tcp-check connect addr unix@/tmp/x",
        "use_backend x",
        "load-server-state-from-file global"})
    void backendNativesThatReachFilesOrSocketsAreRefused(String line) {
        assertThatThrownBy(() -> NativePolicy.SAFE.check(backend(line))).isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("natives[0]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "option forwardfor",
        "no option httplog",
        "option httplog",
        "timeout client 30s",
        "http-request set-header X-Forwarded-Proto https",
        "http-request deny if { src 127.0.0.0/8 }",
        "http-request return status 200 content-type text/plain string ok",
        "http-response set-header X-Frame-Options DENY",
        "acl is_api path_beg /api",
        "capture request header Host len 64",
        "compression algo gzip",
        "log global",
        "maxconn 1000",
        "tcp-request connection reject if { src 127.0.0.9 }",
        "redirect scheme https code 301 if !{ ssl_fc }",
        "stick-table type ip size 100k expire 30s store http_req_rate(10s)",
        "http-request track-sc0 src",
        "http-request set-var(txn.x) str(a)",
        "unique-id-format %{+X}o\\ %ci:%cp"})
    void trafficShapingNativesAreAllowed(String line) {
        NativePolicy.SAFE.check(frontend(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"server extra 127.0.0.1:9000 check", "http-check expect status 200", "balance leastconn",
        "cookie SRV insert indirect nocache", "option redispatch", "retries 3", "default-server inter 2s"})
    void backendTrafficNativesAreAllowed(String line) {
        NativePolicy.SAFE.check(backend(line));
    }

    @Test
    void theOverlapCheckSeesListenersOpenedByNatives() {
        ThalassaConfig config = ThalassaConfig.empty().withFrontend(Frontend.builder("one").bind("127.0.0.1:8080").defaultBackend("b")
                .build());
        for (String line : List.of("bind 127.0.0.1:8080", "bind :8080", "bind ipv4@127.0.0.1:8079-8081 ssl",
                "bind 127.0.0.2:1,*:8080")) {
            Frontend two = Frontend.builder("two").bind("127.0.0.1:9090").defaultBackend("b").nativeLine(line).build();
            assertThatThrownBy(() -> config.withFrontend(two)).as(line)
                    .isInstanceOfSatisfying(InvalidValueException.class,
                            e -> assertThat(e.reason()).contains("overlaps").contains("frontend one"));
        }
        Frontend sneaky = Frontend.builder("three").bind("127.0.0.1:9091").defaultBackend("b").nativeLine("bind *:8080").build();
        ThalassaConfig withSneaky = ThalassaConfig.empty().withFrontend(sneaky);
        assertThatThrownBy(() -> withSneaky.withFrontend(Frontend.builder("one").bind("127.0.0.1:8080").defaultBackend("b").build()))
                .hasMessageContaining("overlaps");
        assertThat(config.withFrontend(Frontend.builder("four").bind("127.0.0.1:9092").defaultBackend("b")
                .nativeLine("bind 127.0.0.1:9093").build()).frontends()).hasSize(2);
    }
}
