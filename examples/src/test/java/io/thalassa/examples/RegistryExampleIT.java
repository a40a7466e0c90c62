package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.haproxy;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the registry example against the real HAProxy and checks what it printed. */
class RegistryExampleIT {
    @TempDir
    Path dir;

    @Test
    void theExampleRoutesToTheRegisteredInstanceAndSwitchesVersionWithoutAReload() throws Exception {
        String[] args = {dir.toString(), Integer.toString(freePort()), haproxy()};
        assertThat(printedLines(() -> RegistryExample.main(args))).containsExactly("1.0.0 -> blue",
                "2.0.0 -> green", "reloads since the backend existed: 0");
    }
}
