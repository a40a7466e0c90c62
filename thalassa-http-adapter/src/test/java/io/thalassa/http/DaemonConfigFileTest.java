package io.thalassa.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --config}: key = value lines with the options' names; the command line wins; refusals name the line. */
class DaemonConfigFileTest {
    @TempDir
    Path dir;

    private String conf(String... lines) throws Exception {
        return Files.writeString(dir.resolve("thalassa.conf"), String.join("\n", lines) + "\n").toString();
    }

    @Test
    void theFileSetsOptionsByTheirNames() throws Exception {
        String file = conf("# the packaged daemon's paths",
                "host = 127.0.0.1",
                "port = 10001",
                "registrationPort=9001",
                "haproxySocketPath = /run/thalassa/haproxy.sock",
                "haproxyPidPath: /run/thalassa/haproxy.pid",
                "dbPath = /var/lib/thalassa/db   ",
                "reloadWindow = 500ms",
                "debug = true",
                "haproxyUser =",
                "",
                "! a comment too",
                "# statsPort = 1988");
        DaemonOptions o = DaemonOptions.parse("--config", file);
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(10001);
        assertThat(o.registrationPort()).isEqualTo(9001);
        assertThat(o.haproxySocketPath()).isEqualTo(Path.of("/run/thalassa/haproxy.sock"));
        assertThat(o.haproxyPidPath()).isEqualTo(Path.of("/run/thalassa/haproxy.pid"));
        assertThat(o.dbPath()).as("trailing blanks are not part of a value").isEqualTo(Path.of("/var/lib/thalassa/db"));
        assertThat(o.reloadWindow()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.debug()).isTrue();
        assertThat(o.haproxyUser()).as("empty: HAProxy stays the daemon's user").isEmpty();
        assertThat(o.statsPort()).as("a commented line keeps the default").isEqualTo(1988);
        assertThat(o.haproxyCfgPath()).as("a key not in the file keeps the default")
                .isEqualTo(Path.of("/etc/haproxy/haproxy.cfg"));
    }

    @Test
    void theCommandLineWinsOverTheFile() throws Exception {
        String file = conf("host = 127.0.0.1", "port = 10001", "debug = true", "label = from-file");
        DaemonOptions o = DaemonOptions.parse("--port", "10002", "--config", file, "--label", "from-line");
        assertThat(o.port()).isEqualTo(10002);
        assertThat(o.label()).isEqualTo("from-line");
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.debug()).isTrue();
        assertThat(DaemonOptions.parse("--config", file, "--debug").debug()).as("a flag sets, never flips").isTrue();
        assertThat(DaemonOptions.parse("--config", file, "--debug=false").debug()).isFalse();
        assertThat(DaemonOptions.parse("--debug").debug()).isTrue();
        assertThat(DaemonOptions.parse("--debug", "--unsafeNatives").unsafeNatives()).isTrue();
    }

    @Test
    void anEmptyFileGivesTheDefaults() throws Exception {
        assertThat(DaemonOptions.parse("--config", conf("# nothing set"))).isEqualTo(DaemonOptions.defaults());
    }

    @Test
    void anUnknownKeyIsRefusedNamingItsLine() throws Exception {
        String file = conf("host = 127.0.0.1", "# a comment", "hots = 127.0.0.1");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ":3: hots: unknown key");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("--port = 1")))
                .as("keys are names without --").hasMessageContaining(":1: --port: unknown key");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("config = /etc/other.conf")))
                .as("no file names another").hasMessageContaining(":1: config: unknown key");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("help = true")))
                .hasMessageContaining(":1: help: unknown key");
    }

    @Test
    void aValueOfTheWrongTypeIsRefusedNamingKeyAndLine() throws Exception {
        String file = conf("host = 127.0.0.1", "", "port = ten thousand");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", file))
                .hasMessageStartingWith(file + ":3: port: ").hasMessageContaining("ten thousand");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", file, "--port", "10001"))
                .as("a broken line is refused even when the command line replaces it")
                .hasMessageStartingWith(file + ":3: port: ");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("debug = yes please")))
                .hasMessageContaining(":1: debug: ");
    }

    @Test
    void aValueTheChecksRefuseNamesKeyAndLine() throws Exception {
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("host = 127.0.0.1", "port = 70000")))
                .hasMessageContaining(":2: port: --port must be in 0..65535: 70000");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("reloadWindow = soon")))
                .hasMessageContaining(":1: reloadWindow: --reloadWindow must be a duration");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("sudo = true")))
                .hasMessageContaining(":1: sudo: --sudo was removed");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("statsAuth = nocolon")))
                .hasMessageContaining(":1: statsAuth: --statsAuth must be").hasMessageNotContaining("nocolon");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("persistence = /no/such/dir/t.json")))
                .hasMessageContaining(":1: persistence: --persistence: directory /no/such/dir does not exist");
    }

    @Test
    void aClashNamesTheLineOfTheFileThatMadeIt() throws Exception {
        // the registration port is the file's 10000, the API port keeps its default 10000
        String file = conf("host = 127.0.0.1", "registrationPort = 10000");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", file))
                .hasMessageContaining(":2: registrationPort: --registrationPort must differ from --port");
        // the file's port clashes with the default registration port
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("port = 9000")))
                .hasMessageContaining(":1: port: --registrationPort must differ from --port: 9000");
        // the file's port and the command line's registration port: the file's line
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("port = 10001"), "--registrationPort", "10001"))
                .hasMessageContaining(":1: port: --registrationPort must differ from --port");
        // the clash is the command line's alone: no line to name
        assertThatThrownBy(() -> DaemonOptions.parse("--config", conf("host = 127.0.0.1"), "--port", "10001",
                "--registrationPort", "10001")).hasMessageStartingWith("--registrationPort must differ from --port");
        // the command line mends the file's value
        assertThat(DaemonOptions.parse("--config", file, "--registrationPort", "9001").registrationPort())
                .isEqualTo(9001);
    }

    @Test
    void theLineIsTheOneTheKeyIsOnAfterContinuationsAndRepeats() throws Exception {
        String file = conf("label = a label \\",
                "    that goes on",
                "port = 10001",
                "port = 70000",
                "# port = 1");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", file))
                .as("the last setting counts, on line 4").hasMessageStartingWith(file + ":4: port: ");
        assertThat(DaemonOptions.parse("--config", file, "--port", "1").label()).isEqualTo("a label that goes on");
        String after = conf("label = a \\", "  b", "bogus = 1");
        assertThatThrownBy(() -> DaemonOptions.parse("--config", after)).hasMessageStartingWith(after + ":3: bogus: ");
    }

    @Test
    void aMissingFileIsRefused() {
        assertThatThrownBy(() -> DaemonOptions.parse("--config", dir.resolve("none.conf").toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--config cannot be read")
                .hasMessageContaining("none.conf");
    }

    @Test
    void aBadFileExitsWith2BeforeAnythingStarts() throws Exception {
        String file = conf("port = 70000");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ThalassaMain.run(new String[] {"--config", file}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ":1: port: --port must be in 0..65535");
    }

    @Test
    void helpNamesTheConfigOption() throws Exception {
        assertThat(DaemonOptions.usage()).contains("--config=<file>").contains("key = value");
    }
}
