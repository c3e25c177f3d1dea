package io.github.multiprocessing4j.testing;

import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * An exception that travels, but whose deserialization (in the parent) fails with a {@link VirtualMachineError}: it
 * carries a value whose {@code readObject} throws {@link InternalError}, which the codec does not turn into a
 * decoding failure (as it does other Errors). Thrown by code in child JVMs to check that the parent still gets the
 * exception's text.
 */
public final class UnreadableException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;
    @SuppressWarnings("unused")
    private final ReadingFails payload = new ReadingFails();

    public UnreadableException(String message) {
        super(message);
    }

    /** Serializable, but reading it throws an InternalError. */
    static final class ReadingFails implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private void readObject(ObjectInputStream in) {
            throw new InternalError("readObject is broken");
        }
    }
}
