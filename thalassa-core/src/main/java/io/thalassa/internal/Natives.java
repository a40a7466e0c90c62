package io.thalassa.internal;

import io.thalassa.InvalidValueException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Checks raw configuration directives ("natives") so that each stays one line inside its own section. */
public final class Natives {
    /** Keywords that open a section in haproxy.cfg; a native starting with one would escape its section. */
    private static final Set<String> SECTION_KEYWORDS = Set.of("global", "defaults", "frontend", "backend", "listen",
            "userlist", "peers", "resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
            "log-forward", "crt-store", "traces");

    private Natives() {
    }

    public static String check(String field, String line) {
        Checks.notNull(field + " entry", line);
        Checks.noControl(field + " entry", line);
        if (line.length() > 4096) {
            throw new InvalidValueException(field, line, field + " entry must be at most 4096 characters: " + line.length());
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidValueException(field, line, field + " entry must not be blank");
        }
        String first = trimmed.split("[ \t]", 2)[0].toLowerCase(Locale.ROOT);
        if (SECTION_KEYWORDS.contains(first)) {
            throw new InvalidValueException(field, line, field + " entry must be a directive inside this section, not a new "
                    + first + " section: " + Checks.quote(line));
        }
        if (trimmed.endsWith("\\")) {
            throw new InvalidValueException(field, line, field + " entry must not end with a backslash: " + Checks.quote(line));
        }
        return trimmed;
    }

    public static List<String> checkAll(String field, Collection<String> lines) {
        Checks.notNull(field, lines);
        List<String> copy = new ArrayList<>(lines.size());
        for (String line : lines) {
            copy.add(check(field, line));
        }
        return copy;
    }
}
