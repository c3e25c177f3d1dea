package io.github.multiprocessing4j.async;

/**
 * When {@link Coroutines#await} returns: Python's {@code asyncio.FIRST_COMPLETED},
 * {@code FIRST_EXCEPTION} and {@code ALL_COMPLETED}.
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.open()) {
 *     Task<String> primary = group.spawn(() -> fetch("https://primary.example/data"));
 *     Task<String> mirror = group.spawn(() -> fetch("https://mirror.example/data"));
 *     WaitResult<String> first = Coroutines.await(List.of(primary, mirror), WaitMode.FIRST_COMPLETED);
 *     first.pending().forEach(t -> t.cancel(true));      // the slower one is no longer needed
 * }
 * }
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
