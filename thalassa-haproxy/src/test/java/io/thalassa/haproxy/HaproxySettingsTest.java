package io.thalassa.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HaproxySettingsTest {
    @Test
    void eachTimeoutAndMaxconnIsSetAloneAndRendered() {
        HaproxySettings s = HaproxySettings.defaults().toBuilder()
                .timeoutConnect(Duration.ofSeconds(3)).timeoutClient(Duration.ofSeconds(7))
                .timeoutServer(Duration.ofSeconds(8)).timeoutHttpRequest(Duration.ofSeconds(4))
                .timeoutHttpKeepAlive(Duration.ofSeconds(2)).timeoutTunnel(Duration.ofHours(2))
                .globalMaxconn(1000).defaultsMaxconn(500).build();
        assertThat(s.timeoutConnect()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.timeoutTunnel()).isEqualTo(Duration.ofHours(2));
        assertThat(s.timeoutClient()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.globalMaxconn()).isEqualTo(1000);
        assertThat(s.defaultsMaxconn()).isEqualTo(500);
        String cfg = HaproxyConfigRenderer.defaultTemplate().render(io.thalassa.ThalassaConfig.empty(), s).text();
        assertThat(cfg).contains("timeout connect 3000ms", "timeout client 7000ms", "timeout server 8000ms",
                "timeout http-request 4000ms", "timeout http-keep-alive 2000ms", "timeout tunnel 7200000ms",
                "maxconn 1000", "maxconn 500");
    }

    @Test
    void aTimeoutHaproxysTimersCannotHoldIsRefusedNamingIt() {
        HaproxySettings.Builder b = HaproxySettings.builder();
        // HAProxy 2.6 refuses "timeout client 2147483648ms" in its configuration check: its timers are 32-bit
        assertThat(b.timeoutClient(Duration.ofMillis(Integer.MAX_VALUE)).build().timeoutClient().toMillis())
                .isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> b.timeoutTunnel(Duration.ofDays(30))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeoutTunnel must be at most 2147483647 ms (about 24.8 days, HAProxy's longest timer):"
                        + " PT720H");
        assertThatThrownBy(() -> b.timeoutConnect(Duration.ofNanos(999_999)))
                .hasMessageStartingWith("timeoutConnect must be at least 1 ms");
        assertThatThrownBy(() -> b.timeoutServer(Duration.ofSeconds(Long.MAX_VALUE)))
                .hasMessageStartingWith("timeoutServer must be at most 2147483647 ms");
        assertThatThrownBy(() -> b.hardStopAfter(Duration.ofDays(25))).hasMessageStartingWith("hardStopAfter must be");
        assertThatThrownBy(() -> b.globalMaxconn(0)).hasMessage("globalMaxconn must be >= 1: 0");
    }

    @Test
    void aGroupOfTimeoutsWithOneBadValueChangesNone() {
        HaproxySettings.Builder b = HaproxySettings.builder();
        assertThatThrownBy(() -> b.timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ZERO))
                .hasMessageStartingWith("timeoutServer must be at least 1 ms");
        assertThatThrownBy(() -> b.httpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofDays(40)))
                .hasMessageStartingWith("timeoutTunnel must be at most");
        assertThatThrownBy(() -> b.maxconn(10, -1)).hasMessage("defaultsMaxconn must be >= 1: -1");
        HaproxySettings s = b.build();
        HaproxySettings d = HaproxySettings.builder().build();
        assertThat(s.timeoutConnect()).isEqualTo(d.timeoutConnect());
        assertThat(s.timeoutClient()).isEqualTo(d.timeoutClient());
        assertThat(s.timeoutHttpRequest()).isEqualTo(d.timeoutHttpRequest());
        assertThat(s.globalMaxconn()).isEqualTo(d.globalMaxconn());
    }
}
