package io.thalassa.haproxy;

import io.thalassa.ThalassaException;

/** A haproxy.cfg template failed to compile or to render; the message names the template and the line. */
public class ConfigTemplateException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final int line;

    public ConfigTemplateException(String message, int line) {
        super(message);
        this.line = line;
    }

    /** Line of the template the error is on, or 0 when unknown. */
    public int line() {
        return line;
    }
}
