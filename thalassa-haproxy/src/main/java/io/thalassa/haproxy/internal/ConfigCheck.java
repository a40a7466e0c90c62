package io.thalassa.haproxy.internal;

import io.thalassa.ConfigRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code haproxy -c} output: HAProxy's own error lines and the line of the configuration they name. */
public final class ConfigCheck {
    private static final Pattern LINE = Pattern.compile("\\[[^\\]\\[]*:(\\d+)\\]");

    private ConfigCheck() {
    }

    /** The exception for a failed check: the {@code [ALERT]} lines (else everything printed) and the first line number. */
    public static ConfigRejectedException rejected(String output) {
        String message = alerts(output);
        int line = 0;
        Matcher m = LINE.matcher(message);
        if (m.find()) {
            line = Integer.parseInt(m.group(1));
        }
        return new ConfigRejectedException(message, line);
    }

    /**
     * HAProxy's {@code [ALERT]} lines without their prefix (what it says went wrong), joined by newlines; everything
     * printed when there is none.
     */
    public static String alerts(String output) {
        List<String> alerts = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("[ALERT]") && !line.contains("Fatal errors found in configuration")
                    && !line.contains("Error(s) found in configuration file")) {
                alerts.add(line.replaceFirst("^\\[ALERT\\]\\s*\\(\\d+\\)\\s*:\\s*", "").strip());
            }
        }
        return alerts.isEmpty() ? output.strip() : String.join("\n", alerts);
    }
}
