package io.thalassa.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyUserTest {
    @TempDir
    Path dir;

    @Test
    void asRootHaproxyDropsToTheHaproxyUserWhenItExistsElseTheConfiguredOne() throws Exception {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                + "haproxy:x:102:105::/var/lib/haproxy:/usr/sbin/nologin\nlb:x:1001:1001::/home/lb:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\nhaproxy:x:105:\nlb:x:1001:\n");
        assertThat(HaproxyUser.account(null, true, passwd, group)).contains(new HaproxyUser.Account("haproxy",
                "haproxy"));
        assertThat(HaproxyUser.account("lb", true, passwd, group)).contains(new HaproxyUser.Account("lb", "lb"));
        assertThat(HaproxyUser.account("", true, passwd, group)).isEmpty();
        assertThat(HaproxyUser.account(null, false, passwd, group)).as("not root: HAProxy cannot switch").isEmpty();
        Path noHaproxy = Files.writeString(dir.resolve("passwd2"), "root:x:0:0:root:/root:/bin/bash\n");
        assertThat(HaproxyUser.account(null, true, noHaproxy, group)).isEmpty();
        assertThatThrownBy(() -> HaproxyUser.account("nobody-here", true, passwd, group))
                .hasMessageContaining("--haproxyUser nobody-here does not exist");
    }

    @Test
    void theStatsPasswordIsGeneratedOnceKeptPrivateAndReused() throws Exception {
        Path file = dir.resolve("stats-auth");
        String first = HaproxyUser.statsAuth(null, file);
        assertThat(first).matches("admin:[0-9a-f]{24}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(HaproxyUser.statsAuth(null, file)).isEqualTo(first);
        assertThat(HaproxyUser.statsAuth(null, dir.resolve("other"))).isNotEqualTo(first);
        assertThat(HaproxyUser.statsAuth("ops:given", file)).isEqualTo("ops:given");
    }
}
