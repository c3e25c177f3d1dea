package io.github.multiprocessing4j.async;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * A coroutine spawned in a {@link TaskGroup}: a {@link java.util.concurrent.Callable} running on a virtual
 * thread of its own, seen as a {@link Future}. Python's {@code asyncio.Task}.
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.open()) {
 *     Task<Integer> answer = group.spawn(() -> 6 * 7);
 *     System.out.println(answer.get());   // 42; get() waits, as Future.get() does
 * }
 * }
 *
 * <p>A task follows the {@link Future} contract exactly, as {@link java.util.concurrent.FutureTask} does:
 * <ul>
 *   <li>{@link #get()} returns the value, or throws {@link ExecutionException} whose cause is what the
 *       callable threw, or {@link CancellationException} if the task was cancelled, or
 *       {@link InterruptedException} if the waiting thread is interrupted (the interrupt status is
 *       cleared); {@code get(timeout, unit)} also throws {@link java.util.concurrent.TimeoutException}, and
 *       a zero or negative timeout only polls;</li>
 *   <li>{@link #cancel(boolean) cancel(true)} interrupts the task's thread; {@code cancel(false)} only
 *       keeps a task that has not started from starting. Either way the task is done at once: {@code get()}
 *       throws {@link CancellationException} from then on, even while the thread is still unwinding. A
 *       callable that a {@code cancel(false)} left running is interrupted when its group is cancelled, as
 *       the group's other running tasks are.</li>
 *   <li>{@link #state()}, {@link #resultNow()} and {@link #exceptionNow()} tell a finished task's outcome
 *       without waiting.</li>
 * </ul>
 *
 * <p>Cancelling one task leaves its siblings alone and is not a failure of the group. Its group, though,
 * waits for the thread itself to end before {@link TaskGroup#close()} returns: "done" in the {@code Future}
 * sense and "ended" are different moments, and the group keeps the stronger promise. A cancelled coroutine
 * blocked in {@link Thread#sleep}, {@link Coroutines#sleep}, a {@link java.util.concurrent.BlockingQueue},
 * a socket read or {@link Process#waitFor()} ends promptly, because each of those is interruptible on a
 * virtual thread (a socket is closed by the interrupt).
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread.
 *
 * <p><b>Memory consistency effects:</b> see the {@linkplain io.github.multiprocessing4j.async package}.
 *
 * @param <T> the type of the value
 */
public sealed interface Task<T> extends Future<T> permits TaskImpl {
}
