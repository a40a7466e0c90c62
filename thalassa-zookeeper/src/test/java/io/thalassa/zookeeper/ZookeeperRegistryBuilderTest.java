package io.thalassa.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.thalassa.InvalidValueException;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The builder refuses a wrong setting at the call that sets it, naming the field and the value; no server needed. */
class ZookeeperRegistryBuilderTest {
    private static void refused(ThrowingCallable call, String field, String message) {
        assertThatThrownBy(call).isInstanceOf(InvalidValueException.class).hasMessage(message)
                .satisfies(e -> assertThat(((InvalidValueException) e).field()).isEqualTo(field));
    }

    @Test
    void connectStringsZookeeperAcceptsAreAccepted() {
        for (String ok : new String[] {"127.0.0.1:2181", "127.0.0.1", "zk1.example:2181,zk2.example:2181",
                "127.0.0.1:2181/thalassa", "[::1]:2181"}) {
            assertThatCode(() -> ZookeeperRegistry.builder().connect(ok)).as(ok).doesNotThrowAnyException();
        }
    }

    @Test
    void aWrongConnectStringIsRefusedWithTheValue() {
        refused(() -> ZookeeperRegistry.builder().connect(" "), "connect",
                "connect must be host:port[,host:port...][/chroot]: \" \"");
        refused(() -> ZookeeperRegistry.builder().connect(null), "connect",
                "connect must be host:port[,host:port...][/chroot]: null");
        refused(() -> ZookeeperRegistry.builder().connect("127.0.0.1:70000"), "connect",
                "connect must be host:port[,host:port...][/chroot]: \"127.0.0.1:70000\"");
        refused(() -> ZookeeperRegistry.builder().connect("a:1,,b:2"), "connect",
                "connect must be host:port[,host:port...][/chroot]: \"a:1,,b:2\"");
        assertThatThrownBy(() -> ZookeeperRegistry.builder().connect("127.0.0.1:2181/chroot/"))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("\"127.0.0.1:2181/chroot/\"")
                .hasMessageContaining("chroot");
    }

    @Test
    void aBasePathMustBeAZookeeperPathBelowTheRoot() {
        assertThatCode(() -> ZookeeperRegistry.builder().basePath("/discovery/prod")).doesNotThrowAnyException();
        refused(() -> ZookeeperRegistry.builder().basePath("/"), "basePath",
                "basePath must be a ZooKeeper path below the root, such as /services: \"/\"");
        for (String bad : new String[] {"services", "/services/", "/a//b", null}) {
            assertThatThrownBy(() -> ZookeeperRegistry.builder().basePath(bad)).as(bad)
                    .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("basePath must be")
                    .hasMessageEndingWith(bad == null ? "null" : "\"" + bad + "\"");
        }
    }

    @Test
    void aVersionKeyIsAPlainMetadataKey() {
        assertThatCode(() -> ZookeeperRegistry.builder().versionKey("instance.version_2")).doesNotThrowAnyException();
        refused(() -> ZookeeperRegistry.builder().versionKey("my version"), "versionKey",
                "versionKey must be 1..128 characters of [A-Za-z0-9_.-]: \"my version\"");
        refused(() -> ZookeeperRegistry.builder().versionKey(""), "versionKey",
                "versionKey must be 1..128 characters of [A-Za-z0-9_.-]: \"\"");
    }

    @Test
    void durationsOutsideTheirRangesAreRefused() {
        refused(() -> ZookeeperRegistry.builder().sessionTimeout(Duration.ofMillis(500)), "sessionTimeout",
                "sessionTimeout must be in 1000..600000 ms: 500 ms");
        refused(() -> ZookeeperRegistry.builder().connectionTimeout(Duration.ofMinutes(6)), "connectionTimeout",
                "connectionTimeout must be in 100..300000 ms: 360000 ms");
        refused(() -> ZookeeperRegistry.builder().reaperInterval(Duration.ZERO), "reaperInterval",
                "reaperInterval must be in 1..60000 ms: 0 ms");
        refused(() -> ZookeeperRegistry.builder().removalGrace(Duration.ofSeconds(-1)), "removalGrace",
                "removalGrace must be in 0..60000 ms: -1000 ms");
        refused(() -> ZookeeperRegistry.builder().sessionTimeout(null), "sessionTimeout",
                "sessionTimeout is required");
    }

    @Test
    void aConnectionTimeoutLongerThanTheSessionIsRefusedAtBuild() {
        ZookeeperRegistry.Builder b = ZookeeperRegistry.builder().sessionTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(3));

        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessage("connectionTimeout must not be longer than sessionTimeout: 3000 ms > 2000 ms");
    }

    @Test
    void anInstanceIdIsItsRegistrationWithUnsafeCharactersEscaped() {
        assertThat(ZookeeperRegistry.instanceId("myapp", "1.0.0", "127.0.0.1", 8080))
                .isEqualTo("myapp~1.0.0~127.0.0.1~8080");
        assertThat(ZookeeperRegistry.instanceId("my_app", "1.0.0+b~2", "::1", 8080))
                .isEqualTo("my_5fapp~1.0.0_2bb_7e2~_3a_3a1~8080");
    }
}
