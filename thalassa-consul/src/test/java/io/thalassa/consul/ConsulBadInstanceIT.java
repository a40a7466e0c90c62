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

    @Test
    void anInstanceWithAnAmbiguousAddressIsLeftOutWithOneEventAndTheOthersStay() throws Exception {
        Recorder rec = new Recorder();
        try (ConsulAgent agent = ConsulAgent.start(Path.of("target", "consul-it"));
             ConsulRegistry registry = ConsulRegistry.builder().agent("127.0.0.1", agent.httpPort())
                     .wait(Duration.ofSeconds(2)).build()) {
            registry.addListener(rec);
            registry.subscribe("odd", "1.0.0", rec);
            for (String[] i : new String[][] {{"good", "127.0.0.1", "8080"}, {"bad", "127.0.0.256", "8081"}}) {
                org.assertj.core.api.Assertions.assertThat(agent.put("/v1/agent/service/register", "{\"ID\":\"" + i[0]
                        + "\",\"Name\":\"odd\",\"Address\":\"" + i[1] + "\",\"Port\":" + i[2]
                        + ",\"Meta\":{\"version\":\"1.0.0\"}}")).as("registered " + i[0]).isEqualTo(200);
            }
            rec.awaitSet(s -> s.size() == 1 && s.iterator().next().port() == 8080, Duration.ofSeconds(20));
            rec.awaitEvent(io.thalassa.ThalassaEvent.Verb.MEMBER_REJECTED, Duration.ofSeconds(20));
            agent.put("/v1/agent/service/register", "{\"ID\":\"more\",\"Name\":\"odd\",\"Address\":"
                    + "\"127.0.0.1\",\"Port\":8082,\"Meta\":{\"version\":\"1.0.0\"}}");
            rec.awaitSet(s -> s.size() == 2, Duration.ofSeconds(20));
            org.assertj.core.api.Assertions.assertThat(rec.events).filteredOn(e -> e.verb()
                    == io.thalassa.ThalassaEvent.Verb.MEMBER_REJECTED).singleElement()
                    .satisfies(e -> org.assertj.core.api.Assertions.assertThat(e.object()).contains("127.0.0.256"));
        }
    }
}
