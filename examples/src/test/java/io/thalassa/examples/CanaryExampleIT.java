package io.thalassa.examples;

import static io.thalassa.examples.ExampleRun.freePort;
import static io.thalassa.examples.ExampleRun.haproxy;
import static io.thalassa.examples.ExampleRun.printedLines;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the canary example against the real HAProxy and checks the shares it measured. */
class CanaryExampleIT {
    private static final Pattern STEP = Pattern.compile("split (\\S+) -> green served (\\d+) % of 200 requests");

    @TempDir
    Path dir;

    @Test
    void theOneGreenInstanceServesItsVersionsShareNotAQuarterAndNothingReloads() throws Exception {
        String[] args = {dir.toString(), Integer.toString(freePort()), haproxy()};
        List<String> lines = printedLines(() -> CanaryExample.main(args));
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("1.0.0 -> blue");
        String[] splits = {"1.0.0:90,2.0.0:10", "1.0.0:50,2.0.0:50", "1.0.0:0,2.0.0:100"};
        int[] shares = {10, 50, 100};
        for (int i = 0; i < 3; i++) {
            Matcher m = STEP.matcher(lines.get(i + 1));
            assertThat(m.matches()).as(lines.get(i + 1)).isTrue();
            assertThat(m.group(1)).isEqualTo(splits[i]);
            assertThat(Integer.parseInt(m.group(2))).as(lines.get(i + 1)).isBetween(shares[i] - 2, shares[i] + 2);
        }
        assertThat(lines.get(4)).isEqualTo("reloads since the backend existed: 0");
    }
}
