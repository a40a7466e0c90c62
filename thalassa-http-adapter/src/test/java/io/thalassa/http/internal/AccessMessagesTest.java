package io.thalassa.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.internal.Tokens.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 401 and 403 answers name each role that would do once, exactly those that would, admin last. */
class AccessMessagesTest {
    private static final String REG = "register-token-0123456789";
    private static final String READ = "read-token-0123456789";
    private final Access access = new Access(Tokens.of("admin:admin-token-0123456789", "register:" + REG,
            "read:" + READ), false);

    private String reason(String method, String path, String token) {
        return access.decide(method, path, false, token == null ? List.of() : List.of("Bearer " + token), List.of(),
                false).reason();
    }

    @Test
    void aWriteWithoutATokenNamesAdminOnce() {
        String reason = reason("PUT", "/frontends/x", null);
        assertThat(reason).isEqualTo("this request needs a token with role admin: send Authorization: Bearer <token>");
        assertThat(reason).doesNotContain("admin or admin");
    }

    @Test
    void aReadWithoutATokenNamesReadAndAdmin() {
        assertThat(reason("GET", "/frontends", null)).contains("needs a token with role read or admin:");
        assertThat(reason("POST", "/registrations/a/1/127.0.0.1/80", null))
                .contains("needs a token with role register or admin:");
    }

    @Test
    void aReadOfRegistrationsNamesEveryRoleThatMayReadThem() {
        assertThat(reason("GET", "/registrations", null)).contains("role read, register or admin:");
        assertThat(access.decide("GET", "/registrations", false, List.of("Bearer " + REG), List.of(), false)
                .allowed()).as("what the message promises holds").isTrue();
    }

    @Test
    void aWrongRoleIs403NamingEachRoleOnce() {
        assertThat(reason("PUT", "/frontends/x", READ)).isEqualTo("PUT /frontends/x needs role admin; the token has"
                + " role read");
        assertThat(reason("DELETE", "/backends/b", REG)).isEqualTo("DELETE /backends/b needs role admin; the token"
                + " has role register");
        assertThat(reason("GET", "/frontends", REG)).isEqualTo("GET /frontends needs role read or admin; the token"
                + " has role register");
        assertThat(reason("POST", "/registrations/a/1/127.0.0.1/80", READ)).isEqualTo(
                "POST /registrations/a/1/127.0.0.1/80 needs role register or admin; the token has role read");
    }

    @Test
    void theRolesNamedAreExactlyThoseGranted() {
        for (String path : List.of("/frontends", "/registrations", "/registrations/a", "/status")) {
            for (Role needed : Role.values()) {
                String named = Access.rolesGranted(needed, path);
                for (Role r : Role.values()) {
                    assertThat(List.of(named.split(", | or ")).contains(r.wireName()))
                            .as(r + " for " + needed + " on " + path + ": " + named)
                            .isEqualTo(Access.grants(r, needed, path));
                }
                assertThat(named).doesNotContain("admin or admin").endsWith("admin");
            }
        }
    }
}
