/**
 * Structured coroutines on virtual threads: Python's {@code asyncio} toolkit, where a coroutine is a
 * {@link java.util.concurrent.Callable} on a virtual thread of its own and {@code await} is simply a
 * blocking call (which parks the virtual thread, not its carrier).
 *
 * {@snippet :
 * try (TaskGroup group = TaskGroup.withTimeout(Duration.ofSeconds(10))) {
 *     for (String url : urls) {
 *         group.spawn(() -> fetch(url));
 *     }
 * }   // every task has ended here; the first failure cancelled the others
 * List<Integer> sizes = Coroutines.map(url -> fetch(url).length(), urls, 200);   // at most 200 at once
 * }
 *
 * <ul>
 *   <li>{@link io.github.multiprocessing4j.async.TaskGroup} and
 *       {@link io.github.multiprocessing4j.async.Task}: {@code asyncio.TaskGroup} and {@code asyncio.Task};
 *       failures aggregated in {@link io.github.multiprocessing4j.async.TaskGroupException}, a deadline for
 *       the whole group ({@link io.github.multiprocessing4j.async.TaskGroupTimeoutException}).</li>
 *   <li>{@link io.github.multiprocessing4j.async.Coroutines}: {@code sleep}, {@code gather} (and
 *       {@code gatherSettled}, exceptions as {@link io.github.multiprocessing4j.async.Outcome} values),
 *       {@code timeout}/{@code deadline} ({@code wait_for}/{@code timeout_at}), {@code asCompleted},
 *       {@code await} ({@code asyncio.wait}) and a bounded-concurrency {@code map}.</li>
 *   <li>{@link io.github.multiprocessing4j.async.Event}: {@code asyncio.Event}, the one synchronizer the JDK
 *       lacks (a flag that can be set and cleared).</li>
 * </ul>
 *
 * <h2>What the JDK already serves</h2>
 * The {@code java.util.concurrent} synchronizers park a virtual thread without pinning its carrier, so they
 * are asyncio's as they are, and this package does not wrap them: {@code asyncio.Semaphore} is
 * {@link java.util.concurrent.Semaphore}; {@code asyncio.Queue} is
 * {@link java.util.concurrent.LinkedBlockingQueue} or {@link java.util.concurrent.ArrayBlockingQueue}
 * ({@code maxsize}); {@code asyncio.Lock} and {@code Condition} are
 * {@link java.util.concurrent.locks.ReentrantLock} and its conditions (and {@code synchronized} no longer
 * pins since JDK 24); {@code asyncio.Barrier} is {@link java.util.concurrent.CyclicBarrier}. For
 * {@code Queue.join()}/{@code task_done()}, spawn a task per item in a {@code TaskGroup} and let
 * {@code close()} do the joining, or use a {@link java.util.concurrent.Phaser}.
 *
 * <h2>Cancellation</h2>
 * Cancelling a coroutine interrupts its virtual thread. On a virtual thread every blocking call of the JDK
 * that matters here is interruptible: {@code Thread.sleep}, {@link io.github.multiprocessing4j.async.Coroutines#sleep},
 * {@code BlockingQueue.take}, {@code Semaphore.acquire}, {@code Process.waitFor}, socket reads (an
 * interrupt closes the socket), reads of a {@code Subprocess}'s {@code stdout()}, {@code stderr()} and their
 * lines (an {@link java.io.InterruptedIOException}; what the command writes next is kept for the next read),
 * and writes, flushes and closes of its {@code stdin()} that a full pipe holds up (an
 * {@code InterruptedIOException} too; the bytes the write took still go, in order, and a close still closes).
 * A task that catches the interrupt and carries on delays the end of its group: a group always waits for its
 * threads. Not interruptible, on any thread: a read of a file or of a JDK {@code Process}'s pipe
 * ({@code Process.getInputStream()}); a cancelled task blocked there ends when the read returns, so end the
 * process (or close the stream) to stop it, or read through a {@code Subprocess}.
 *
 * <h2>What a task sees of the thread that spawned it</h2>
 * A task's thread inherits the spawning thread's {@link java.lang.InheritableThreadLocal} values (copied at
 * spawn, much as {@code asyncio.create_task} copies the {@code contextvars}) and its context class loader.
 * It does not see the spawning thread's {@link java.lang.ScopedValue} bindings: only
 * {@code StructuredTaskScope}, a preview API in JDK 25 that this package does not use, can carry them into
 * its threads. Read the value before spawning and bind it again in the task:
 * {@snippet :
 * String user = USER.get();
 * group.spawn(() -> ScopedValue.where(USER, user).call(() -> fetchOrders()));
 * }
 *
 * <h2 id="MemoryVisibility">Memory consistency effects</h2>
 * As in {@code java.util.concurrent}: actions in a thread before it spawns a task
 * <i>happen-before</i> the task's actions; a task's actions happen-before its {@code Future} reports it done
 * (the return of {@code get()}, {@code isDone()} returning true, {@code state()}) and happen-before
 * {@link io.github.multiprocessing4j.async.TaskGroup#close()} returns or throws, and before a helper of
 * {@link io.github.multiprocessing4j.async.Coroutines} that ran the task returns or throws. Everything here
 * lives in one JVM: nothing crosses a process boundary.
 */
package io.github.multiprocessing4j.async;
