package io.github.multiprocessing4j.testing;

import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * An exception whose serialization fails with an Error rather than an exception: it carries a value whose
 * {@code writeObject} throws {@link AssertionError}, as a broken {@code writeObject} (or a class that fails
 * to link) does. Thrown by tasks in child JVMs to check that such a failure still reaches the parent.
 */
public final class UnwritableException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;
    @SuppressWarnings("unused")
    private final WritingFails payload = new WritingFails();

    public UnwritableException(String message) {
        super(message);
    }

    /** Serializable, but writing it throws an Error. */
    static final class WritingFails implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void writeObject(ObjectOutputStream out) {
            throw new AssertionError("writeObject is broken");
        }
    }
}
