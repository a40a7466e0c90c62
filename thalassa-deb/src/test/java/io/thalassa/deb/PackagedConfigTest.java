package io.thalassa.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.thalassa.http.DaemonOptions;
import io.thalassa.http.internal.DaemonCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The packaged /etc/thalassa/thalassa.conf says every option of the command line: set to the package's value, or
 * commented out with the command line's default; the unit starts the launcher with it.
 */
class PackagedConfigTest {
    static final Path DATA = Path.of("src/deb/data");
    static final Path CONF = DATA.resolve("etc/thalassa/thalassa.conf");
    private static final Pattern SETTING = Pattern.compile("^(#\\s*)?([A-Za-z]+)\\s*=\\s*(.*)$");

    @TempDir
    Path dir;

    /** Every option a config file may set, with picocli's default ("" for none, false for a flag). */
    static Map<String, String> options() {
        Map<String, String> options = new HashMap<>();
        for (CommandLine.Model.OptionSpec o : new CommandLine(new DaemonCommand()).getCommandSpec().options()) {
            String key = o.longestName().substring(2);
            if (o.hidden() || o.usageHelp() || key.equals("config")) {
                continue;
            }
            String dflt = o.defaultValue();
            options.put(key, dflt != null ? dflt : o.type() == boolean.class ? "false" : "");
        }
        return options;
    }

    record Setting(boolean commented, String key, String value, int line) {
    }

    static List<Setting> settings(List<String> lines) {
        List<Setting> settings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SETTING.matcher(lines.get(i));
            if (m.matches() && options().containsKey(m.group(2))) {
                settings.add(new Setting(m.group(1) != null, m.group(2), m.group(3).strip(), i + 1));
            }
        }
        return settings;
    }

    @Test
    void everyOptionIsInTheFileOnceSetOrCommentedWithItsDefault() throws Exception {
        List<Setting> settings = settings(Files.readAllLines(CONF));
        Map<String, String> options = options();
        assertThat(settings).extracting(Setting::key).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(settings.stream().map(Setting::key).toList()))
                .as("the options of --help, each in the file").isEqualTo(new TreeSet<>(options.keySet()));
        for (Setting s : settings) {
            if (s.commented()) {
                assertThat(s.value()).as("line " + s.line() + ": " + s.key() + " commented with its default")
                        .isEqualTo(options.get(s.key()));
            }
        }
    }

    @Test
    void thePackagesChoicesKeepStateAndSocketsInTheUnitsDirectoriesAndTheApiOnLoopback() throws Exception {
        Map<String, String> set = new HashMap<>();
        for (Setting s : settings(Files.readAllLines(CONF))) {
            if (!s.commented()) {
                set.put(s.key(), s.value());
            }
        }
        assertThat(set).containsOnly(
                Map.entry("host", "127.0.0.1"),
                Map.entry("haproxyBinary", "/usr/sbin/haproxy"),
                Map.entry("haproxyCfgPath", "/var/lib/thalassa/haproxy.cfg"),
                Map.entry("haproxySocketPath", "/run/thalassa/haproxy.sock"),
                Map.entry("haproxyPidPath", "/run/thalassa/haproxy.pid"),
                Map.entry("persistence", "/var/lib/thalassa/config.json"),
                Map.entry("dbPath", "/var/lib/thalassa/db"));
    }

    @Test
    void theDaemonReadsTheFileAsItIs() throws Exception {
        // the same file with the directories the unit makes moved under a temporary one (the checks want them)
        Files.createDirectories(dir.resolve("var/lib/thalassa"));
        Files.createDirectories(dir.resolve("run/thalassa"));
        String text = Files.readString(CONF).replace("/var/lib/thalassa", dir.resolve("var/lib/thalassa").toString())
                .replace("/run/thalassa", dir.resolve("run/thalassa").toString());
        Path conf = Files.writeString(dir.resolve("thalassa.conf"), text);
        DaemonOptions o = DaemonOptions.parse("--config", conf.toString());
        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(10000);
        assertThat(o.registrationPort()).isEqualTo(9000);
        assertThat(o.haproxyPidPath()).isEqualTo(dir.resolve("run/thalassa/haproxy.pid"));
        assertThat(o.persistence()).isEqualTo(dir.resolve("var/lib/thalassa/config.json"));
        assertThat(o.haproxyUser()).isNull();
        assertThat(o.debug()).isFalse();
    }

    @Test
    void theUnitRunsTheLauncherWithTheConfigFileAsThalassaInTheDirectoriesTheFileNames() throws Exception {
        List<String> unit = Files.readAllLines(DATA.resolve("lib/systemd/system/thalassa.service"));
        assertThat(unit).contains("ExecStart=/usr/bin/thalassa --config /etc/thalassa/thalassa.conf", "User=thalassa",
                "StateDirectory=thalassa", "RuntimeDirectory=thalassa", "RuntimeDirectoryPreserve=yes",
                "KillMode=process", "AmbientCapabilities=CAP_NET_BIND_SERVICE");
        String launcher = Files.readString(DATA.resolve("usr/bin/thalassa"));
        assertThat(launcher).startsWith("#!/bin/sh\n").contains(". /etc/default/thalassa")
                .contains("-jar /usr/share/thalassa/thalassa.jar \"$@\"");
    }
}
