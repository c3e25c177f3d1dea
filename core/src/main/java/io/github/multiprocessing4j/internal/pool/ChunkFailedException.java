package io.github.multiprocessing4j.internal.pool;

import java.io.Serial;

/**
 * A chunk of a {@code map} failed at one of its items; {@link #getCause()} is that item's failure. The
 * map machinery turns the position into the item's index in the whole input and unwraps the cause.
 */
public final class ChunkFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int indexInChunk;

    public ChunkFailedException(int indexInChunk, Throwable cause) {
        super("item " + indexInChunk + " of the chunk failed", cause, false, false);
        this.indexInChunk = indexInChunk;
    }

    /** The failed item's position in its chunk, or -1 if the whole chunk failed (its worker died). */
    public int indexInChunk() {
        return indexInChunk;
    }
}
