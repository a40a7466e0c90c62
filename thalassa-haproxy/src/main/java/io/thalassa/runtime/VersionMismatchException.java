package io.thalassa.runtime;

import io.thalassa.ThalassaException;

/**
 * A write that expected an item at a version (HTTP's {@code If-Match}) found it at another: someone changed it first,
 * or it does not exist. Nothing was changed.
 */
public class VersionMismatchException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final long expected;
    private final long actual;

    /**
     * @param id       the item, {@code frontend/<key>} or {@code backend/<key>}
     * @param expected the version the writer expected
     * @param actual   the version it has ({@link ItemVersions#ABSENT} when it does not exist)
     */
    public VersionMismatchException(String id, long expected, long actual) {
        super(id + (actual == ItemVersions.ABSENT ? " does not exist" : " is at version " + (actual
                == ItemVersions.UNSAVED ? "newer than " + expected : actual)) + ", not " + expected
                + ": someone changed it first; read it again");
        this.id = id;
        this.expected = expected;
        this.actual = actual;
    }

    public String id() {
        return id;
    }

    public long expected() {
        return expected;
    }

    /** The version found, {@link ItemVersions#ABSENT} when the item does not exist. */
    public long actual() {
        return actual;
    }
}
