package io.github.multiprocessing4j.async;

import java.util.List;

/**
 * What {@link Coroutines#await} returns: the tasks that were done and those that were not, each list in
 * the order the tasks were given. Python's {@code (done, pending)} pair from {@code asyncio.wait}; lists
 * rather than sets so that the order is deterministic. Both lists are unmodifiable.
 *
 * {@snippet :
 * WaitResult<Report> r = Coroutines.await(tasks, WaitMode.ALL_COMPLETED, Duration.ofSeconds(10));
 * for (Task<Report> t : r.done()) {
 *     if (t.state() == Task.State.SUCCESS) {
 *         publish(t.resultNow());
 *     }
 * }
 * r.pending().forEach(t -> t.cancel(true));             // still running after 10 s: give up on them
 * }
 *
 * @param done    tasks that were done when the wait returned ({@link Task#isDone()})
 * @param pending tasks that were not
 * @param <T>     the type of the tasks' values
 */
public record WaitResult<T>(List<Task<T>> done, List<Task<T>> pending) {
    public WaitResult {
        done = List.copyOf(done);
        pending = List.copyOf(pending);
    }
}
