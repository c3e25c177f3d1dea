package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * Coroutines that end together: Python's {@code asyncio.TaskGroup} on virtual threads. Leaving the block
 * waits for every task; the first failure cancels the others, and {@link #close()} throws one exception
 * that carries every failure.
 *
 * {@snippet :
 * Task<User> user;
 * Task<List<Order>> orders;
 * try (TaskGroup group = TaskGroup.withTimeout(Duration.ofSeconds(5))) {
 *     user = group.spawn(() -> fetchUser(id));
 *     orders = group.spawn(() -> fetchOrders(id));
 * }   // both ended here; had one failed, the other was cancelled and close() threw TaskGroupException
 * render(user.resultNow(), orders.resultNow());
 * }
 *
 * <h2>Life of a group</h2>
 * The thread that opens a group is its <em>owner</em>, and opens it in a try-with-resources statement.
 * {@link #spawn} starts each task at once on a new virtual thread. {@link #close()} waits until every task's
 * thread has ended — tasks spawned while it waits included — and then reports. Once it has returned or
 * thrown, the group is closed and {@code spawn} throws {@link IllegalStateException}.
 *
 * <h2>Failure and cancellation</h2>
 * A task <em>fails</em> when its callable throws. The first failure cancels the group: every task that is
 * still running is {@linkplain Task#cancel(boolean) cancelled with an interrupt}, and a task spawned after
 * that is returned already cancelled, without running. What the cancelled tasks throw while they unwind is
 * not a failure. The owner is not a task and is not interrupted: its own code in the block runs on until
 * it reaches {@code close()}, where in Python the failure cancels the body of the {@code async with} block
 * too. A block that waits should wait on a task (a {@code get()} throws at once when the group is
 * cancelled) or look at {@link #isCancelled()}. {@link #cancel()} cancels the group in the same way without a
 * failure. A task cancelled on its own (through its {@code Future}) does not cancel the group; if that was a
 * {@code cancel(false)} and its callable still runs, the group's cancellation interrupts it too.
 *
 * <p>Groups nest: a task may open a group of its own. Cancelling that task with an interrupt (its group's
 * failure, deadline or {@code cancel()}, or {@code cancel(true)} on its {@code Future}) also cancels the
 * groups it has open, innermost first, as cancelling a Python task cancels the {@code TaskGroup} it is in.
 * So a task that leaves its block because of the interrupt (say, from a {@code get()}) does not wait in
 * {@code close()} for inner tasks that nobody stops. For the same reason a group that a cancelled task opens
 * while the interrupt is still pending (it was computing when it was cancelled) is cancelled as it opens;
 * once the task has taken the interrupt, say to clean up, the groups it opens run as usual.
 *
 * <p>{@code close()} cannot see an exception thrown by the block itself (Java gives it no way to), so such
 * an exception does not cancel the tasks: {@code close()} still waits for them, and the block's exception
 * propagates with {@code close()}'s attached as suppressed. To stop the tasks when the owner gives up, use
 * {@link #run(Body)}, which does see the block's exception and cancels the group, as leaving an
 * {@code async with TaskGroup()} block by an exception does in Python; or call {@link #cancel()} before
 * leaving, for example in a {@code catch}.
 *
 * <h2>Deadline</h2>
 * {@link #withTimeout} and {@link #withDeadline} bound the whole group: when the deadline passes, the group
 * is cancelled as above. The owner's own code in the block is not interrupted (it is not a task); run it in
 * a task if it must be bounded too. The deadline is precise to about a millisecond. It bounds when the tasks
 * are cancelled, not when {@code close()} returns: a task that catches the interrupt and carries on holds
 * {@code close()} past the deadline for as long as it runs (a Python coroutine that swallows its
 * {@code CancelledError} holds its group, and the {@code asyncio.timeout} around it, alike), and is reported
 * as cancelled all the same.
 *
 * <h2>What {@code close()} throws</h2>
 * After every task has ended, what cancelled the group first decides:
 * <ul>
 *   <li>the owner was interrupted while waiting in {@code close()}: {@link CancellationException}. The
 *       interrupt cancels the group, {@code close()} still waits for every task to end, then throws;</li>
 *   <li>the owner is a task, and was cancelled: {@link CancellationException} too;</li>
 *   <li>the deadline, and it cancelled at least one task or refused a spawn:
 *       {@link TaskGroupTimeoutException}, whose cause is a {@link java.util.concurrent.TimeoutException};</li>
 *   <li>otherwise, if any task failed: {@link TaskGroupException}, with the first failure as its cause and
 *       the others suppressed ({@link TaskGroupException#failures()} lists them all).</li>
 * </ul>
 * Failures are attached as suppressed to the first two as well. Otherwise {@code close()} returns
 * normally, and every task that was not cancelled has its value. If the owner was interrupted while waiting
 * in {@code close()}, its interrupt status is set again when {@code close()} returns or throws. A second
 * call to {@code close()} does nothing.
 *
 * <p><b>Thread-safety:</b> {@link #spawn}, {@link #cancel()} and {@link #isCancelled()} may be called from
 * any thread while the group is open — the owner, its tasks (a task may spawn siblings, as in a crawler),
 * or any thread the group is handed to, as with a Trio nursery. Only the owner may call {@link #close()}.
 * Nothing here pins a virtual thread.
 *
 * <p><b>Memory consistency effects:</b> see the {@linkplain io.github.multiprocessing4j.async package}.
 */
public interface TaskGroup extends AutoCloseable {

    /** Opens a group without a deadline; the current thread is its owner. */
    static TaskGroup open() {
        return TaskGroupImpl.open(true, null);
    }

    /**
     * Opens a group that is cancelled when {@code timeout} has elapsed; the current thread is its owner.
     * A zero or negative timeout opens a group that is already past its deadline: every spawn returns a
     * cancelled task, and {@code close()} then throws {@link TaskGroupTimeoutException} (it returns normally
     * if nothing was spawned).
     */
    static TaskGroup withTimeout(Duration timeout) {
        return TaskGroupImpl.open(true, Deadline.after(timeout));
    }

    /**
     * Opens a group that is cancelled at {@code deadline} (read on the system clock once, now, and kept
     * on the monotonic clock from then on); the current thread is its owner. A deadline in the past opens
     * a group that is already cancelled, as {@link #withTimeout} does with a zero timeout.
     */
    static TaskGroup withDeadline(Instant deadline) {
        return TaskGroupImpl.open(true, Deadline.at(deadline));
    }

    /**
     * Runs {@code body} with a new group and closes the group, as a try-with-resources block would, but
     * also when the body throws, cancels the group first: the tasks are interrupted instead of awaited.
     * This is Python's {@code async with TaskGroup() as tg:} in full; a plain block cannot do it, since
     * {@link #close()} does not see the block's exception.
     *
     * {@snippet :
     * Task<Price> price = TaskGroup.run(group -> {
     *     Task<Price> p = group.spawn(() -> fetchPrice(item));
     *     group.spawn(() -> audit(item));
     *     if (!stock.has(item)) {
     *         throw new OutOfStockException(item);   // cancels both tasks, then propagates
     *     }
     *     return p;
     * });                                            // both tasks ended here
     * show(price.resultNow());
     * }
     *
     * <p>If the body returns, the group is closed normally and the body's value returned: it waits for every
     * task and throws what {@link #close()} throws. If the body throws, the group is {@linkplain #cancel()
     * cancelled}, every task has ended when the body's exception propagates, and an exception from
     * {@code close()} (a task that failed before, the deadline that cut the group short, the cancellation of
     * the task that owns the group) is attached to it as suppressed; if the body threw a task's own exception,
     * which {@code close()} reports too, or one that carries it (the {@code ExecutionException} of
     * {@code get()}), the other failures are attached instead, so that each is carried once. An interrupt
     * while the tasks end is no such exception, the group being cancelled already: the interrupt status is
     * set again. The current thread is the group's owner.
     *
     * @param body the block; it may throw one checked exception type, which {@code run} then throws too (a
     *             body that throws two, as {@code task.get()} does, makes {@code run} throw their common
     *             supertype: {@code Exception})
     * @return what the body returned
     * @throws X                         what the body threw
     * @throws TaskGroupException        if the body returned and a task failed
     * @throws CancellationException     as {@link #close()}
     */
    static <R, X extends Exception> R run(Body<R, X> body) throws X {
        return TaskGroupImpl.run(TaskGroupImpl.open(true, null), body);
    }

    /**
     * {@link #run(Body)} with a group that is cancelled when {@code timeout} has elapsed, as
     * {@link #withTimeout} opens it.
     *
     * @throws X                         what the body threw
     * @throws TaskGroupTimeoutException if the body returned and the deadline cut the group short
     */
    static <R, X extends Exception> R run(Duration timeout, Body<R, X> body) throws X {
        return TaskGroupImpl.run(TaskGroupImpl.open(true, Deadline.after(timeout)), body);
    }

    /**
     * The block that {@link TaskGroup#run(Body)} runs with its group.
     *
     * {@snippet :
     * TaskGroup.Body<Integer, IOException> crawlList = group -> {
     *     List<String> urls = Files.readAllLines(listFile);     // may throw IOException
     *     for (String url : urls) {
     *         group.spawn(() -> fetch(url));
     *     }
     *     return urls.size();
     * };
     * int crawled = TaskGroup.run(crawlList);                  // throws IOException
     * }
     *
     * @param <R> what the block returns
     * @param <X> the checked exception it may throw ({@link RuntimeException} when it throws none)
     */
    @FunctionalInterface
    interface Body<R, X extends Exception> {
        R run(TaskGroup group) throws X;
    }

    /**
     * Starts {@code task} on a new virtual thread and returns it as a {@link Task}. If the group has been
     * cancelled, the returned task is already cancelled and never runs.
     *
     * @throws IllegalStateException if the group is closed
     * @throws NullPointerException  if {@code task} is null
     */
    <T> Task<T> spawn(Callable<? extends T> task);

    /**
     * Cancels the group: interrupts every running task and makes later spawns return cancelled tasks.
     * {@code close()} still waits for the tasks to end, and does not count the cancellation as a failure.
     * Does nothing if the group is already cancelled or closed.
     */
    void cancel();

    /** Whether the group has been cancelled: by a failure, its deadline, {@link #cancel()} or an interrupt. */
    boolean isCancelled();

    /**
     * Waits until every task has ended, then reports as described in the class comment. If interrupted while
     * waiting, cancels the group, keeps waiting, and throws {@link CancellationException}; but a group that
     * was cancelled before (by a failure, its deadline or {@link #cancel()}) reports that first cause
     * instead, and the interrupt status is set again either way.
     *
     * @throws TaskGroupException        if a task failed
     * @throws TaskGroupTimeoutException if the deadline cut the group short
     * @throws CancellationException     if the owner's interrupt while waiting here is what cancelled the group,
     *                                   or the cancellation of the task that owns the group
     * @throws WrongThreadException      if called by a thread other than the owner
     */
    @Override
    void close();
}
