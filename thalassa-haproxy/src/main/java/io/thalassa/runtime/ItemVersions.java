package io.thalassa.runtime;

/**
 * The version of each stored item as a write sees it: what an ETag names. A version is the number of the last write
 * of that item (its {@linkplain Revision revision}; in a fleet, the store's version of the item, the same on every
 * node), never changed by members, health or time.
 */
@FunctionalInterface
public interface ItemVersions {
    /** The version of an item that does not exist. */
    long ABSENT = 0;
    /** The version of an item another write of the same commit changed: no version a reader can have seen. */
    long UNSAVED = -2;

    /**
     * The version of item {@code id} ({@code frontend/<key>} or {@code backend/<key>}) in the configuration the write
     * is given: {@link #ABSENT} when it is not there, {@link #UNSAVED} when a write committed together with this one
     * changed it.
     */
    long of(String id);
}
