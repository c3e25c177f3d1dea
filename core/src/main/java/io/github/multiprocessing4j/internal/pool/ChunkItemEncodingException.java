package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.codec.EncodingException;
import java.io.Serial;

/**
 * An item of a {@code map} chunk cannot travel: the {@link EncodingException} of that item alone, with its index
 * in the chunk, so that the pool can name it by its place in the caller's input ({@link #inInput}) rather than
 * report the chunk's array, with a path counted within the chunk.
 */
public final class ChunkItemEncodingException extends EncodingException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int indexInChunk;

    ChunkItemEncodingException(int indexInChunk, EncodingException itemFailure) {
        super("item " + indexInChunk + " of the chunk: " + itemFailure.getMessage(), itemFailure.offendingClass(),
                itemFailure);
        this.indexInChunk = indexInChunk;
    }

    /** The same failure, for the item at {@code chunkStart + its index in the chunk} of the caller's input. */
    public EncodingException inInput(long chunkStart) {
        EncodingException item = (EncodingException) getCause();
        return new EncodingException("item " + (chunkStart + indexInChunk) + " of the input cannot be sent: "
                + item.getMessage(), item.offendingClass(), item);
    }
}
