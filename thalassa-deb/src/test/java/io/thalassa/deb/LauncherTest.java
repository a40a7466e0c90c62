package io.thalassa.deb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The package's launcher (/usr/bin/thalassa) run by sh with a stand-in {@code java} first on the PATH: a script in a
 * runtime directory whose release file says which version it is, and which prints the arguments and environment it
 * was started with. A stand-in, because what is checked is which flags the launcher gives each version of the
 * runtime, and only one version is installed here.
 */
class LauncherTest {
    static final Path LAUNCHER = PackagedConfigTest.DATA.resolve("usr/bin/thalassa");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "Java {0}: trims = {1}")
    @CsvSource({"17.0.15, true", "17.0.9, true", "17.0.8, false", "17.0.2.1, false", "17, false", "21, false",
            "21.0.1, true", "21.0.0, false", "19.0.2, false", "22, true", "25.0.1, true"})
    void theJvmTrimsItsNativeHeapWhereItsVersionKnowsTheFlag(String version, boolean trims) throws Exception {
        String run = launch("JAVA_VERSION=\"" + version + "\"\nIMPLEMENTOR=\"test\"\n");
        assertThat(run).contains("-Xms64m -Xmx256m -XX:+UseSerialGC", "MALLOC_ARENA_MAX=2",
                "-jar /usr/share/thalassa/thalassa.jar --version");
        if (trims) {
            assertThat(run).contains("-XX:TrimNativeHeapInterval=30000 -jar");
        } else {
            assertThat(run).doesNotContain("TrimNativeHeapInterval");
        }
    }

    @Test
    void aRuntimeWithoutAReleaseFileRunsWithoutTheFlag() throws Exception {
        String run = launch(null);
        assertThat(run).contains("-XX:+ExitOnOutOfMemoryError -jar /usr/share/thalassa/thalassa.jar --version")
                .doesNotContain("TrimNativeHeapInterval");
    }

    /** Runs the launcher with {@code --version}; answers what the stand-in java printed. */
    private String launch(String release) throws IOException, InterruptedException {
        Path home = dir.resolve("jre");
        Files.createDirectories(home.resolve("bin"));
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (release != null) {
            Files.writeString(home.resolve("release"), release);
        } else {
            Files.deleteIfExists(home.resolve("release"));
        }
        ProcessBuilder pb = new ProcessBuilder(List.of("sh", LAUNCHER.toString(), "--version"))
                .redirectErrorStream(true);
        pb.environment().put("PATH", home.resolve("bin") + ":/usr/bin:/bin");
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
