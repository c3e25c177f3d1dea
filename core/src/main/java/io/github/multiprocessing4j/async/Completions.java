package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;

/**
 * Tasks handed out in the order they complete: what {@link Coroutines#asCompleted} returns. Python's
 * {@code asyncio.as_completed}, giving back the tasks themselves (as Python 3.13 does), so that the caller
 * knows which one finished.
 *
 * {@snippet :
 * Completions<String> done = Coroutines.asCompleted(tasks);
 * while (done.hasNext()) {
 *     Task<String> task = done.next();           // waits for the next task to complete
 *     System.out.println("task " + tasks.indexOf(task) + ": " + task.state());   // "task 1: SUCCESS"
 * }
 * }
 *
 * <p>Each task is handed out exactly once. A task is complete when it is {@linkplain Task#isDone() done}:
 * it returned, failed, or was cancelled. A task handed out is no longer held here (nor its value), as
 * Python's drops each future it has handed out, so one Completions may be drained over a long stream of tasks.
 *
 * <p>A Completions may be dropped before every task is handed out, after a timed-out {@code next} or at
 * any time: its tasks do not keep it (they hold their completion listeners' Completions weakly, and drop a
 * dropped one's listeners as they get new ones), so a polling loop that makes a new one each turn, as in
 * {@code Coroutines.asCompleted(tasks).next(timeout)}, does not pile up memory on tasks that run for long.
 * (Python's {@code as_completed} removes its done-callbacks when its timeout elapses; a timed-out
 * {@code next} here leaves the Completions usable, so its listeners stay while it is reachable.)
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread; concurrent callers of {@code next}
 * each receive different tasks.
 *
 * @param <T> the type of the tasks' values
 */
public sealed interface Completions<T> permits CompletionsImpl {

    /** Whether some task has not been handed out yet (it may not be complete yet). */
    boolean hasNext();

    /**
     * Waits until a task not handed out yet is complete, and returns it.
     *
     * @throws NoSuchElementException if every task has been handed out, or is while this waits (to other
     *                                callers)
     * @throws InterruptedException   if interrupted before or while waiting, also when a task is complete
     *                                already (the interrupt status is cleared); no task is consumed
     */
    Task<T> next() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for a task not handed out yet to complete, and returns it. A zero or
     * negative timeout only takes a task that is already complete.
     *
     * @throws TimeoutException       if no task completed in time; no task is consumed
     * @throws NoSuchElementException if every task has been handed out, or is while this waits
     * @throws InterruptedException   if interrupted before or while waiting, with a zero timeout too (the
     *                                interrupt status is cleared); no task is consumed
     */
    Task<T> next(Duration timeout) throws InterruptedException, TimeoutException;
}
