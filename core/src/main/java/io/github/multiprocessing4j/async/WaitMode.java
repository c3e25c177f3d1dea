package io.github.multiprocessing4j.async;

/**
 * When {@link Coroutines#await} returns: Python's {@code asyncio.FIRST_COMPLETED},
 * {@code FIRST_EXCEPTION} and {@code ALL_COMPLETED}.
 */
public enum WaitMode {
    /** As soon as any task is done: returned a value, failed, or was cancelled. */
    FIRST_COMPLETED,
    /**
     * As soon as any task fails (its callable threw), or else when all are done. A cancelled task is not a
     * failure here, as in asyncio.
     */
    FIRST_EXCEPTION,
    /** When every task is done. */
    ALL_COMPLETED
}
