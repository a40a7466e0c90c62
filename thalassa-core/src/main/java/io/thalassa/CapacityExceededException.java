package io.thalassa;

/**
 * A configuration needs more file descriptors than the HAProxy process can have: HAProxy would refuse to start or
 * reload with it ({@code Cannot raise FD limit}), so it is refused before it is accepted.
 */
public class CapacityExceededException extends ConfigRejectedException {
    private static final long serialVersionUID = 1L;

    private final long needed;
    private final long available;

    /**
     * @param needed    file descriptors HAProxy would ask for, computed as HAProxy computes them
     * @param available the hard limit the HAProxy process has
     * @param detail    what the need is made of, e.g. {@code 2 x maxconn 4096 + 16032 servers + ...}
     */
    public CapacityExceededException(long needed, long available, String detail) {
        super("the configuration needs " + needed + " file descriptors (" + detail + ") but HAProxy's limit is "
                + available + "; lower maxconn, remove backends or members, or raise the limit (ulimit -n, "
                + "LimitNOFILE) of the process that starts HAProxy", 0);
        this.needed = needed;
        this.available = available;
    }

    /** File descriptors the configuration needs. */
    public long needed() {
        return needed;
    }

    /** File descriptors HAProxy may have. */
    public long available() {
        return available;
    }
}
