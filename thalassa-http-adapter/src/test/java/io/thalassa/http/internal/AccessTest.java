package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.internal.Tokens.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessTest {
    private static final String ADMIN = "admin-token-0123456789";
    private static final String REG = "register-token-0123456789";
    private static final String READ = "read-token-0123456789";
    private final Access access = new Access(Tokens.of("admin:" + ADMIN, "register:" + REG, "read:" + READ), false);

    private Access.Decision decide(String method, String path, String token) {
        return access.decide(method, path, false, token == null ? List.of() : List.of("Bearer " + token), List.of(),
                false);
    }

    @Test
    void eachRoleGetsWhatItIsFor() {
        assertThat(decide("PUT", "/frontends/x", ADMIN).role()).isEqualTo(Role.ADMIN);
        assertThat(decide("GET", "/frontends", READ).allowed()).isTrue();
        assertThat(decide("GET", "/ws", READ).allowed()).isTrue();
        assertThat(decide("POST", "/registrations/a/1/127.0.0.1/80", REG).allowed()).isTrue();
        assertThat(decide("DELETE", "/registrations/a/1/127.0.0.1/80", REG).allowed()).isTrue();
        assertThat(decide("GET", "/registrations", REG).allowed()).isTrue();
        assertThat(decide("POST", "/registrations/a/1/127.0.0.1/80", ADMIN).allowed()).isTrue();
    }

    @Test
    void aWrongRoleIs403NamingTheRoleNeeded() {
        Access.Decision d = decide("PUT", "/frontends/x", READ);
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.reason()).contains("needs role admin").contains("has role read");
        assertThat(decide("GET", "/frontends", REG).reason()).contains("needs role read or admin");
        assertThat(decide("POST", "/registrations/a/1/127.0.0.1/80", READ).reason())
                .contains("needs role register or admin");
    }

    @Test
    void noOrAnUnknownTokenIs401AndTheHealthAndUiFilesAreOpen() {
        assertThat(decide("GET", "/frontends", null).status()).isEqualTo(401);
        assertThat(decide("GET", "/frontends", "Bearer nope").error()).isEqualTo("invalid_token");
        assertThat(decide("GET", "/frontends", ADMIN + "x").status()).isEqualTo(401);
        assertThat(decide("GET", "/health/live", null).allowed()).isTrue();
        assertThat(access.decide("GET", "/", true, List.of(), List.of(), false).allowed()).isTrue();
        assertThat(access.decide("GET", "/ws", false, List.of(), List.of("thalassa, bearer." + READ), false).role())
                .isEqualTo(Role.READ);
        assertThat(decide("GET", "/frontends", ADMIN).reason()).isNull();
    }

    @Test
    void protectedModeServesLoopbackClientsOnlyWithoutTokensOnANonLoopbackHost() {
        Access open = new Access(null, false);
        assertThat(open.protectedMode()).isTrue();
        assertThat(open.decide("PUT", "/frontends/x", false, List.of(), List.of(), true).allowed()).isTrue();
        Access.Decision remote = open.decide("GET", "/frontends", false, List.of(), List.of(), false);
        assertThat(remote.status()).isEqualTo(403);
        assertThat(remote.error()).isEqualTo("protected_mode");
        assertThat(remote.reason()).contains("--tokens").contains("Authorization: Bearer");
        Access loopbackHost = new Access(null, true);
        assertThat(loopbackHost.protectedMode()).isFalse();
        assertThat(loopbackHost.decide("PUT", "/frontends/x", false, List.of(), List.of(), false).allowed()).isTrue();
        assertThat(new Access(Tokens.of("read:" + READ), false).protectedMode()).isFalse();
    }
}
