package io.thalassa.consul;

import io.thalassa.runtime.BadInstanceScenario;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One instance whose host does not resolve, among 100 good ones registered in a real Consul agent behind Thalassa's
 * back (as another client would), blocks nothing.
 */
class ConsulBadInstanceIT {
    @TempDir
    Path dir;

    @Test
    void oneUnresolvableInstanceAmongAHundredIsLeftOutAloneAndEverythingElseFlows() throws Exception {
        try (ConsulAgent agent = ConsulAgent.start(Path.of("target", "consul-it"))) {
            ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort())
                    .wait(Duration.ofSeconds(5)).build();
            BadInstanceScenario.run(dir, registry, (name, version, host, port) -> agent.put(
                    "/v1/agent/service/register", "{\"ID\":\"" + name + "-" + host + "-" + port + "\",\"Name\":\""
                            + name + "\",\"Address\":\"" + host + "\",\"Port\":" + port + ",\"Meta\":{\"version\":\""
                            + version + "\"}}"), Duration.ofSeconds(120));
        }
    }
}
