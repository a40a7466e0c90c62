package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with {@code --registry dns} on a DNS server that is not there (a free loopback port): registrations are
 * refused with 405 saying where instances are registered, and /health/ready says degraded, not failed, while the
 * registry cannot be reached; the metrics give the registry's sync age.
 */
class RegistryOptionsIT {
    @TempDir
    Path dir;

    @Test
    void aReadOnlyUnreachableRegistryRefusesRegistrationsAndLeavesTheDaemonDegradedNotFailed() throws Exception {
        int nothing = TestStack.freePort();
        try (TestStack stack = TestStack.start(dir, "--registry", "dns", "--dnsServer", "127.0.0.1:" + nothing,
                "--dnsName", "_{service}._tcp.v{version}.svc.example.", "--dnsMinInterval", "200ms",
                "--dnsMaxInterval", "1s")) {
            Http.Reply refused = stack.registrations.post("/registrations/webapp/1.0.0/127.0.0.1/8080", "{}");
            assertThat(refused.status()).isEqualTo(405);
            assertThat(refused.json().path("error").asText()).isEqualTo("registry_read_only");
            assertThat(refused.body()).contains("read-only").contains("127.0.0.1:" + nothing);

            assertThat(stack.api.put("/backends/web", Http.q("{'type':'dynamic','name':'webapp',"
                    + "'version':'1.0.0'}")).status()).isEqualTo(200);
            TestStack.await(() -> stack.api.get("/health/ready").json().path("status").asText().equals("degraded"));
            Http.Reply ready = stack.api.get("/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.json().path("reason").asText()).contains("dns registry cannot be reached")
                    .contains("members last known are kept");
            String metrics = stack.api.get("/metrics").body();
            assertThat(metrics).contains("thalassa_registry_sync_age_seconds").contains("thalassa_members_rejected")
                    .contains("thalassa_removals_held");
        }
    }
}
