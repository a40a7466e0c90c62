package io.thalassa;

/** HAProxy refused a configuration ({@code haproxy -c} failed); carries HAProxy's own message and line. */
public class ConfigRejectedException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final String haproxyMessage;
    private final int line;

    /**
     * @param haproxyMessage what HAProxy printed, trimmed to its error lines
     * @param line           the line of the rejected configuration HAProxy named, or 0 when it named none
     */
    public ConfigRejectedException(String haproxyMessage, int line) {
        super("HAProxy rejected the configuration" + (line > 0 ? " at line " + line : "") + ": " + haproxyMessage);
        this.haproxyMessage = haproxyMessage;
        this.line = line;
    }

    /** HAProxy's own error text. */
    public String haproxyMessage() {
        return haproxyMessage;
    }

    /** Line of the rejected configuration HAProxy complained about; 0 if none. */
    public int line() {
        return line;
    }
}
