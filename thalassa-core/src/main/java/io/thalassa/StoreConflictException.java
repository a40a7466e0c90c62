package io.thalassa;

/** A check-and-set write of a {@link io.thalassa.spi.ConfigStore} found another version than it expected. */
public class StoreConflictException extends ThalassaException {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final long expected;

    /**
     * @param id       the item
     * @param expected the version the writer expected
     */
    public StoreConflictException(String id, long expected) {
        super(id + " is not at version " + expected + " any more: someone changed it first; read it again");
        this.id = id;
        this.expected = expected;
    }

    public String id() {
        return id;
    }

    public long expected() {
        return expected;
    }
}
