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

    /**
     * One native of a list: {@code index} names it in a refusal ({@code natives[2]}), its sentence starts with
     * {@code natives entry}.
     *
     * @throws io.thalassa.InvalidValueException naming {@code <field>[<index>]}
     */
    public static String check(String field, int index, String line) {
        Checks.Name name = Checks.Name.of(field + "[" + index + "]", field + " entry");
        Checks.notNull(name, line);
        Checks.noControl(name, line);
        if (line.length() > 4096) {
            throw new InvalidValueException(name.path(), line, name.label() + " must be at most 4096 characters: "
                    + line.length());
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidValueException(name.path(), line, name.label() + " must not be blank");
        }
        String first = trimmed.split("[ \t]", 2)[0].toLowerCase(Locale.ROOT);
        if (SECTION_KEYWORDS.contains(first)) {
            throw new InvalidValueException(name.path(), line, name.label() + " must be a directive inside this section,"
                    + " not a new " + first + " section: " + Checks.quote(line));
        }
        if (trimmed.endsWith("\\")) {
            throw new InvalidValueException(name.path(), line, name.label() + " must not end with a backslash: "
                    + Checks.quote(line));
        }
        return trimmed;
    }

    /** Every native of a list, each named by its index; see {@link #check(String, int, String)}. */
    public static List<String> checkAll(String field, Collection<String> lines) {
        Checks.notNull(field, lines);
        List<String> copy = new ArrayList<>(lines.size());
        for (String line : lines) {
            copy.add(check(field, copy.size(), line));
        }
        return copy;
    }
}
