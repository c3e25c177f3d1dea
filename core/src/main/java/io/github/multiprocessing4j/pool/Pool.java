package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A pool of workers that run functions for you: Python's {@code multiprocessing.Pool} and
 * {@code concurrent.futures} executors, as one {@link ExecutorService}. Three engines share this API:
 * {@link ProcessPool} (child JVMs: isolation, hard timeouts, survival of crashes), {@link ThreadPool}
 * (platform threads) and {@link VirtualThreadPool} (virtual threads).
 *
 * {@snippet :
 * try (Pool pool = ProcessPool.create(4)) {
 *     SerializableFunction<Integer, Integer> square = x -> x * x;
 *     int nine = pool.apply(square, 3);
 *     List<Integer> squares = pool.map(square, List.of(1, 2, 3, 4));          // [1, 4, 9, 16]
 *     CompletableFuture<Integer> later = pool.applyAsync(square, 5);
 *     try (ResultIterator<Integer> it = pool.imap(square, hugeLazyInput, 100)) {
 *         it.forEachRemaining(x -> consume(x));                                  // in input order, lazily
 *     }
 * }                                                                              // close(): waits for queued work
 * }
 *
 * <h2>Results and failures</h2>
 * Asynchronous calls return {@link CompletableFuture}s. A task's own exception arrives as the cause of an
 * {@link ExecutionException} (blocking calls) or a {@link java.util.concurrent.CompletionException}
 * ({@code join}, iterators), with the worker's stack trace. A worker that dies fails only the task it was
 * running, with a {@link WorkerCrashedException}; a task that outlives the pool's task timeout fails with a
 * {@link TaskTimeoutException}. {@link #map} rethrows the first failure and names the item's index.
 * Only a pool stops its tasks: {@code cancel(true)}, a timeout of {@link #apply(SerializableFunction, Object,
 * Duration)} or the pool's task timeout stop the task, while {@code orTimeout}, {@code completeOnTimeout} or
 * {@code complete} called on its future complete the future alone, as for any {@code CompletableFuture}, and
 * leave the task running; a task not yet started then may still run (its outcome dropped), or be skipped: a
 * thread pool skips it when a thread takes it up, a process pool if it has not yet sent it to a worker.
 *
 * <h2>Callbacks</h2>
 * A dependent stage added without an executor ({@code thenApply}, {@code thenAccept}, {@code whenComplete})
 * runs on the thread that completes the future: for a process pool, the thread that reads the worker's
 * results — as the {@code callback} of Python's {@code apply_async} runs on its pool's result thread (but for a
 * task that outlives the pool's task timeout, a thread of the library's timer, as below, and for one cancelled,
 * the thread that cancels it); one added once the future has completed runs at once, on the thread that adds it
 * ({@code CompletableFuture}'s rule). Keep such callbacks short. A callback that waits for the same pool ({@code apply}, {@code map},
 * {@code invokeAll}, {@code invokeAny}, {@code get()} of another of its futures, with a timeout or without,
 * {@code close()} or {@code join()}) would wait for the thread it runs on: a process pool refuses that with an
 * {@link IllegalStateException}. Give such work an executor
 * ({@code thenApplyAsync}, {@code thenAcceptAsync}), or chain the next task without waiting for it:
 * {@code thenCompose(r -> pool.applyAsync(f, r))}.
 * A thread or virtual-thread pool runs such callbacks on the task's own thread, except for a task whose future
 * another thread completes: one that outlives the pool's task timeout has its callbacks run on a thread of the
 * library's ({@code mp4j-pool-timeout}, shared by every pool, not one of the pool's), one cancelled or
 * dropped by {@code shutdownNow()} on the thread that cancels it. On the task's thread, waiting for another
 * future is allowed, but {@code close()} and {@code join()} would wait for the task itself to end, and are
 * refused in the same way (as they are in the pool's tasks). Mind that a thread pool whose every thread
 * waits for work queued behind it deadlocks, as any bounded executor does: a one-thread pool cannot run
 * an {@code apply} made from one of its own callbacks or tasks.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} stops accepting work, lets queued work finish and waits for it, as
 * {@link ExecutorService#close()} does (Python's {@code close(); join()}). {@link #shutdown()} is the
 * non-blocking half, {@link #join()} the waiting half. {@link #terminate()} stops at once: queued tasks are
 * cancelled and running ones stopped (a process pool kills its workers). Submitting after shutdown throws
 * {@link java.util.concurrent.RejectedExecutionException} ("the pool is shut down"), at the call; so does a
 * {@code map}, {@code starmap} or {@code imap} of an empty input, as Python's {@code map} after {@code close()}
 * does ({@code invokeAll} of an empty collection returns an empty list, as the JDK's executors do). A task of a thread pool (or a callback it runs) that
 * calls {@link #awaitTermination} waits until that timeout and gets {@code false}, as with any
 * {@code ExecutorService}: the pool cannot terminate while the task runs ({@code close()} and {@code join()}
 * refuse to wait there, as they would wait for good).
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread, by many threads at once.
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before it submits a task
 * <i>happen-before</i> the task runs; the task's actions happen-before its result is returned or its future
 * completes. For a process pool the task runs in another JVM on a copy of what it captured: see
 * {@linkplain io.github.multiprocessing4j.process the process package}.
 */
public interface Pool extends ExecutorService, AutoCloseable {

    /**
     * Runs {@code fn(arg)} in the pool and waits for the result (Python's {@code apply}).
     *
     * @throws ExecutionException   if the task failed; the cause says how
     * @throws InterruptedException if interrupted while waiting; the task is cancelled
     */
    <T, R> R apply(SerializableFunction<? super T, ? extends R> fn, T arg)
            throws InterruptedException, ExecutionException;

    /** Runs {@code fn(arg)} in the pool (Python's {@code apply_async}). */
    <T, R> CompletableFuture<R> applyAsync(SerializableFunction<? super T, ? extends R> fn, T arg);

    /**
     * Applies {@code fn} to every argument and returns the results in order (Python's {@code map}), as an
     * unmodifiable list (copy it to change it). The arguments travel in chunks of a size chosen as Python
     * does (about four chunks per worker); the function travels once per worker, not once per item.
     *
     * <p>The arguments are all read into a list first, as Python's {@code map} does: for a huge or endless
     * {@code Iterable}, use {@link #imap}.
     *
     * @throws ExecutionException   for the first item, in input order, that failed, naming its index; the cause
     *                              says how. It is thrown once the chunks before that item's are done (Python
     *                              waits for every chunk, and raises the failure that came first in time;
     *                              {@link #mapAsync} fails at the first failure in time). The chunks that had
     *                              not started are cancelled; those running are left to finish, their
     *                              results dropped.
     * @throws InterruptedException if interrupted while waiting; the remaining chunks are cancelled
     */
    <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args)
            throws InterruptedException, ExecutionException;

    /**
     * {@link #map(SerializableFunction, Iterable)} with a chosen chunk size (at least 1).
     *
     * @throws ExecutionException   as {@link #map(SerializableFunction, Iterable)}
     * @throws InterruptedException as {@link #map(SerializableFunction, Iterable)}
     */
    <T, R> List<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args, int chunkSize)
            throws InterruptedException, ExecutionException;

    /**
     * Python's {@code map_async}: the results as one future. It fails as soon as an item fails, with that
     * item's exception (the chunks not yet done are cancelled); cancelling it cancels them all. The arguments
     * are read before it returns, so the caller may reuse its list at once.
     */
    <T, R> CompletableFuture<List<R>> mapAsync(SerializableFunction<? super T, ? extends R> fn,
                                               Iterable<? extends T> args, int chunkSize);

    /**
     * Lazily applies {@code fn} to the arguments, one at a time (chunk size 1), and yields the results in
     * input order (Python's {@code imap}). The input is read only as far as a bounded window ahead of the
     * consumer, so an endless or huge {@code Iterable} is fine. A failure surfaces from {@code next()} at its
     * position, naming the item; with a chunk size above 1 the failed chunk's other results are lost (as in
     * Python). If the input throws, the results before it are still delivered, then its exception. See
     * {@link ResultIterator}.
     *
     * <p>The input is read, and the tasks submitted, by a background thread of the iterator (as Python reads it
     * on a thread of the pool), never by the caller: a virtual thread for a virtual caller, a daemon platform
     * thread for a platform caller (whose iteration then goes on while CPU-bound virtual threads hold every
     * carrier of the virtual-thread scheduler, which never preempts). This call returns at once, a result that
     * is ready is delivered even while the input waits (a queue, a network source), and an input that waits
     * for results of this very iteration gets them. The input's iterator is used by that thread alone; it has
     * the caller's {@link InheritableThreadLocal}s and context class loader, as a thread the caller started would.
     * {@link ResultIterator#hasNext()} waits until it knows whether a result will come. Closing the iterator
     * interrupts that thread if it is waiting in the input, does not wait for it, and submits nothing more.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down (a pool shut down later
     *                                                         ends the iteration, as {@link ResultIterator} says)
     */
    <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args);

    /** {@link #imap(SerializableFunction, Iterable)} sending {@code chunkSize} arguments per task. */
    <T, R> ResultIterator<R> imap(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> args,
                                  int chunkSize);

    /** Like {@link #imap(SerializableFunction, Iterable)}, but yields results as they complete. */
    <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                           Iterable<? extends T> args);

    /** Like {@link #imap(SerializableFunction, Iterable, int)}, but yields results as they complete. */
    <T, R> ResultIterator<R> imapUnordered(SerializableFunction<? super T, ? extends R> fn,
                                           Iterable<? extends T> args, int chunkSize);

    /**
     * Applies a two-argument function to argument pairs, in order (Python's {@code starmap}), e.g.
     * {@code pool.starmap(Integer::sum, List.of(Map.entry(1, 2), Map.entry(3, 4)))} gives {@code [3, 7]}.
     * Failures as for {@link #map}.
     *
     * @throws ExecutionException   for the first pair that failed, naming its index; the cause says how
     * @throws InterruptedException if interrupted while waiting; the remaining chunks are cancelled
     */
    <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                              Iterable<? extends Map.Entry<? extends T, ? extends U>> args)
            throws InterruptedException, ExecutionException;

    /**
     * {@link #starmap(SerializableBiFunction, Iterable)} with a chosen chunk size.
     *
     * @throws ExecutionException   as {@link #starmap(SerializableBiFunction, Iterable)}
     * @throws InterruptedException as {@link #starmap(SerializableBiFunction, Iterable)}
     */
    <T, U, R> List<R> starmap(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                              Iterable<? extends Map.Entry<? extends T, ? extends U>> args, int chunkSize)
            throws InterruptedException, ExecutionException;

    /** Python's {@code starmap_async}. */
    <T, U, R> CompletableFuture<List<R>> starmapAsync(SerializableBiFunction<? super T, ? super U, ? extends R> fn,
                                                       Iterable<? extends Map.Entry<? extends T, ? extends U>> args,
                                                       int chunkSize);

    /** Runs a callable in the pool. */
    <V> CompletableFuture<V> submit(SerializableCallable<V> task);

    /** Runs a runnable in the pool; the future completes with {@code null}. */
    CompletableFuture<?> submit(SerializableRunnable task);

    /**
     * {@inheritDoc}
     *
     * <p>A process pool needs a task that can be serialized and throws
     * {@link io.github.multiprocessing4j.codec.EncodingException} for one that cannot.
     */
    @Override
    <V> CompletableFuture<V> submit(Callable<V> task);

    /** {@inheritDoc} (Serializable for a process pool, as for {@link #submit(Callable)}.) */
    @Override
    CompletableFuture<?> submit(Runnable task);

    /**
     * {@inheritDoc}
     *
     * <p>Runs the task as {@link #submit(Runnable)} does (Serializable for a process pool). Nobody holds its
     * future, so if it fails, the failure is logged as a {@code WARNING} by the {@link System.Logger} named
     * {@code io.github.multiprocessing4j.pool.Pool}, unless the task was cancelled (by {@link #shutdownNow()},
     * say). Unlike a {@link java.util.concurrent.ThreadPoolExecutor}'s, the exception does not reach the
     * thread's {@link Thread.UncaughtExceptionHandler}, and the thread goes on to the next task. As a
     * {@code ThreadPoolExecutor} does, {@link #shutdownNow()} gives {@code command} itself back if it takes it
     * off a queue before anything ran it (see there).
     */
    @Override
    void execute(Runnable command);

    /** {@inheritDoc} (Serializable for a process pool, as for {@link #submit(Callable)}.) */
    @Override
    <V> CompletableFuture<V> submit(Runnable task, V result);

    /**
     * Waits until the pool has terminated after {@link #shutdown()}, {@link #close()} or
     * {@link #terminate()} (Python's {@code join}).
     *
     * @throws IllegalStateException if the pool was not shut down first (as Python raises), or if called by a
     *                               callback that runs on a process pool's result thread, or by a task of a
     *                               thread pool or a callback it runs (it would wait for itself)
     * @throws InterruptedException  if interrupted while waiting
     */
    void join() throws InterruptedException;

    /**
     * Stops now (Python's {@code terminate}): no new work; queued tasks are cancelled; running tasks are
     * stopped (a process pool kills its workers; a thread pool interrupts them); returns once the workers
     * are gone (for threads: at once, once they have been told; a thread that ignores its interrupt runs on;
     * in a callback on a process pool's result thread: once they have been killed, as that thread handles their
     * end only after the callback). Idempotent.
     */
    void terminate();

    /**
     * {@inheritDoc}
     *
     * <p>As {@link #terminate()}, without waiting for the workers to end. The list holds one entry per queued
     * task that this call cancelled (not the tasks cancelled before), and the pool runs none of them:
     * <ul>
     *   <li>a {@code Runnable} given to {@link #execute(Runnable)} and taken off a queue before anything could have
     *       run it (the queue of a {@link ThreadPool}, of a {@link VirtualThreadPool} with a concurrency limit, or
     *       a {@link ProcessPool}'s own) is listed as itself, the very object given, as a
     *       {@link java.util.concurrent.ThreadPoolExecutor} lists it: running it runs the command, on the caller's
     *       thread. So a {@code CompletableFuture} stage whose executor is the pool ({@code supplyAsync(s, pool)},
     *       {@code thenApplyAsync(f, pool)}, which hand the pool a task through {@code execute}) and whose task is
     *       still queued completes if the caller runs the listed {@code Runnable}s, as with a JDK executor, and
     *       never completes otherwise: complete or cancel such stages yourself then;</li>
     *   <li>every other task (of {@code submit}, {@code apply}, {@code map}, {@code invokeAll}...) is listed as a
     *       placeholder, its future already cancelled (where a JDK executor's drained {@code FutureTask}s stay
     *       pending for good): a placeholder cannot run its task (running it throws a
     *       {@link java.util.concurrent.CancellationException}); it serves to count or log them (its
     *       {@code toString()} names the task).</li>
     * </ul>
     * A {@link VirtualThreadPool} without a concurrency limit queues nothing (each task starts on a thread of its
     * own), so its list is empty: every task it holds is running, and is interrupted. A {@link ProcessPool} lists
     * the tasks sent ahead to a worker behind its running one ({@link ProcessPool.Builder#prefetch}) too, and the
     * worker may have run some of them just before it was killed, their outcomes still on the way (and dropped): so
     * such a task is listed as a placeholder even if it came from {@code execute} (running it again could run it
     * twice), and so is one queued to run again after its worker died running it ({@link ProcessPool.Builder#retries})
     * or after the pool killed the worker it had been sent ahead to (see {@link ProcessPool.Builder#prefetch});
     * a placeholder says that the task's future was cancelled, not that the task never ran, so a task that must not
     * run twice should not be submitted again just for being listed.
     */
    @Override
    List<Runnable> shutdownNow();

    /**
     * Orderly shutdown: no new work; queued work finishes; waits for it (see
     * {@link ExecutorService#close()}). Idempotent. If interrupted while waiting, terminates the pool and
     * re-asserts the interrupt; then it returns as {@link #terminate()} does, where
     * {@code ExecutorService.close()} would wait on for the tasks it stopped: a thread pool's close() returns at
     * once, with its interrupted tasks perhaps still ending ({@link #isTerminated()} may still be false).
     *
     * @throws IllegalStateException if called by a callback that runs on a process pool's result thread,
     *                               or by a task of a thread pool or a callback it runs (see Callbacks
     *                               above): the pool is shut down, but this thread cannot wait for it, as
     *                               it would wait for itself
     */
    @Override
    void close();

    /**
     * How many tasks run at once: the number of worker processes or threads; for a virtual-thread pool,
     * its concurrency limit, or 0 if it has none.
     */
    int parallelism();

    /**
     * {@link #apply(SerializableFunction, Object)} with a bound on the wait (Python's
     * {@code apply_async(...).get(timeout)}); at the timeout the task is cancelled. A timeout too long for a
     * {@code long} of nanoseconds ({@link java.time.temporal.ChronoUnit#FOREVER}) waits without bound.
     *
     * @throws ExecutionException                    if the task failed; the cause says how
     * @throws InterruptedException                  if interrupted while waiting; the task is cancelled
     * @throws java.util.concurrent.TimeoutException if the result did not arrive in time
     */
    default <T, R> R apply(SerializableFunction<? super T, ? extends R> fn, T arg, Duration timeout)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        // Saturated, and before the task is sent: a null or huge timeout must not leave it running unwatched.
        long nanos = TimeUnit.NANOSECONDS.convert(Objects.requireNonNull(timeout, "timeout"));
        CompletableFuture<R> future = applyAsync(fn, arg);
        try {
            return future.get(nanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            if (!future.cancel(true) && !future.isCancelled()) {
                return future.get(); // it completed between the timeout and the cancel: its outcome, not a loss
            }
            // CompletableFuture's has no message: say what elapsed and what became of the task, as the
            // library's other timeouts do
            throw new java.util.concurrent.TimeoutException("no result within " + timeout
                    + "; the task was cancelled (stopped if it had started)");
        } catch (InterruptedException e) {
            future.cancel(true); // as apply(fn, arg) does when interrupted
            throw e;
        }
    }
}
