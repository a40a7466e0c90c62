package io.thalassa.zookeeper;

import io.thalassa.runtime.BadInstanceScenario;
import io.thalassa.spi.Registration;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One instance whose host does not resolve, among 100 good ones in a real ZooKeeper, blocks nothing. */
class ZookeeperBadInstanceIT {
    @TempDir
    Path dir;

    @Test
    void oneUnresolvableInstanceAmongAHundredIsLeftOutAloneAndEverythingElseFlows() throws Exception {
        try (ZookeeperServer server = ZookeeperServer.start()) {
            ZookeeperRegistry registry = ZookeeperRegistry.builder().connect(server.connectString()).build();
            BadInstanceScenario.run(dir, registry, (name, version, host, port) -> registry.register(
                    Registration.of(name, version, host, port, null, Duration.ofMinutes(5))), Duration.ofSeconds(120));
        }
    }
}
