package io.thalassa.haproxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.Backend;
import io.thalassa.Balance;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultServerTest {
    @Test
    void defaultServerLinesAreReplayedInOrderForAddServer() {
        assertThat(DefaultServer.replayable(List.of("option redispatch", "default-server weight 50 maxconn 20",
                "default-server 'on-marked-down' shutdown-sessions send-proxy")))
                .contains(List.of("weight", "50", "maxconn", "20", "on-marked-down", "shutdown-sessions",
                        "send-proxy"));
        assertThat(DefaultServer.replayable(List.of())).contains(List.of());
    }

    @Test
    void aKeywordAddServerDoesNotTakeMakesTheBackendGrowWithAReload() {
        assertThat(DefaultServer.replayable(List.of("default-server cookie abc"))).isEmpty();
        assertThat(DefaultServer.replayable(List.of("default-server source 127.0.0.9"))).isEmpty();
        assertThat(DefaultServer.replayable(List.of("default-server weight"))).as("an argument missing").isEmpty();
        Backend plain = Backend.staticBackend("a").build();
        assertThat(DefaultServer.growsAtRunTime(plain)).isTrue();
        assertThat(DefaultServer.growsAtRunTime(plain.toBuilder().nativeLine("default-server init-addr none")
                .build())).isFalse();
        assertThat(DefaultServer.growsAtRunTime(plain.toBuilder().balance(Balance.SOURCE).build())).isFalse();
    }
}
