package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The module-level functions of Python's {@code asyncio}, on virtual threads: {@link #sleep},
 * {@link #gather}, {@link #gatherSettled}, {@link #timeout} / {@link #deadline} ({@code wait_for} /
 * {@code timeout_at}), {@link #asCompleted}, {@link #await} ({@code asyncio.wait}) and a bounded-concurrency
 * {@link #map}.
 *
 * {@snippet :
 * List<String> pages = Coroutines.gather(() -> fetch("/a"), () -> fetch("/b"), () -> fetch("/c"));
 * List<Integer> sizes = Coroutines.map(url -> fetch(url).length(), urls, 200);   // never more than 200 at once
 * String quick = Coroutines.timeout(Duration.ofSeconds(2), () -> fetch("/slow"));
 * }
 *
 * <p>Every function that runs calls does so in a {@link TaskGroup} of its own, which the calling thread
 * owns and closes before returning: when a function returns or throws, every call it started has ended —
 * no thread is left behind, whatever happened. Each call runs on a new virtual thread.
 *
 * <p><b>Interrupts.</b> If the calling thread is interrupted while one of these functions waits, the
 * function cancels the calls it started (interrupting them), waits for them to end, and throws
 * {@link InterruptedException} with the interrupt status cleared. If the caller is a {@link TaskGroup} task
 * that was cancelled, and its interrupt had been taken before the function waited, the calls are cancelled
 * with it and the function throws {@link CancellationException} once they have ended.
 *
 * <p><b>Thread-safety:</b> all methods may be called from any thread, platform or virtual.
 *
 * <p><b>Memory consistency effects:</b> see the {@linkplain io.github.multiprocessing4j.async package}.
 */
public final class Coroutines {
    private Coroutines() {
    }

    /**
     * Sleeps for {@code duration}: Python's {@code await asyncio.sleep(delay)}. Like
     * {@link Thread#sleep(Duration)}, but a million sleeping coroutines wake on time: the wait is kept in a
     * timing wheel with a 1 ms tick instead of the scheduler's delay heap (see the benchmark notes). The
     * thread wakes no earlier than {@code duration} from now and, on a machine that is not overloaded,
     * normally within a millisecond after.
     *
     * <p>A zero or negative duration only checks the interrupt status (a task behind its schedule, pacing
     * itself with {@code sleep(next - now)}, still sees its cancellation, as {@code asyncio.sleep(-1)} lets a
     * pending cancel in); a duration shorter than a millisecond is left to {@link Thread#sleep(Duration)},
     * which is precise at that scale.
     *
     * @throws InterruptedException if the thread is interrupted before or while sleeping; the interrupt
     *                              status is cleared. A cancelled task therefore stops sleeping at once.
     */
    public static void sleep(Duration duration) throws InterruptedException {
        long nanos = Deadline.saturatedNanos(Objects.requireNonNull(duration, "duration"));
        if (nanos < CoroutineTimer.TICK_NANOS) {
            // not a negative one: Thread.sleep(Duration) returns at once without looking at the interrupt status
            Thread.sleep(nanos < 0 ? Duration.ZERO : duration);
            return;
        }
        // Read before the timer is reached, whose first use (the JIT warm-up, starting its thread) takes a while;
        // the timer would read the clock anyway, so this costs the sleep nothing. The warm-up, once per JVM, waits
        // half the sleep at most, as a group's deadline lets it (afterwards this is one read of a flag).
        long since = System.nanoTime();
        JitWarmup.ensure(nanos / 2);
        CoroutineTimer.get().sleep(since, nanos);
    }

    /**
     * Runs every call concurrently and returns their values in the order of the calls: Python's
     * {@code asyncio.gather}. Unlike {@code asyncio.gather}, the first failure cancels the other calls (as in a
     * {@link TaskGroup}, which this is).
     *
     * @return the values, in order; an unmodifiable list that may contain nulls
     * @throws TaskGroupException   if a call threw: the first exception is its cause, the rest suppressed
     * @throws InterruptedException if interrupted while waiting; every call has been cancelled and has ended
     */
    @SafeVarargs
    public static <T> List<T> gather(Callable<? extends T>... calls) throws InterruptedException {
        Objects.requireNonNull(calls, "calls");
        List<Callable<? extends T>> list = new ArrayList<>(calls.length);
        for (Callable<? extends T> call : calls) {
            list.add(call);
        }
        return gather(list);
    }

    /**
     * {@link #gather(Callable[])} for a collection of calls.
     *
     * @throws TaskGroupException   if a call threw: the first exception is its cause, the rest suppressed
     * @throws InterruptedException if interrupted while waiting; every call has been cancelled and has ended
     * @throws NullPointerException if a call is null (no call is left running)
     */
    public static <T> List<T> gather(Collection<? extends Callable<? extends T>> calls) throws InterruptedException {
        Objects.requireNonNull(calls, "calls"); // before a group opens
        TaskGroupImpl group = TaskGroupImpl.open(true, null);
        List<Task<T>> tasks = spawnAll(group, calls);
        group.closeInterruptibly(true);
        List<T> values = new ArrayList<>(tasks.size());
        for (Task<T> t : tasks) {
            values.add(t.resultNow());
        }
        return Collections.unmodifiableList(values);
    }

    /**
     * {@link #gatherSettled(Collection)} with the calls as arguments, as {@link #gather(Callable[])} takes them:
     * {@code gatherSettled(() -> a(), () -> b())} for {@code asyncio.gather(a(), b(), return_exceptions=True)}.
     *
     * @throws InterruptedException  as {@link #gatherSettled(Collection)}
     * @throws CancellationException as {@link #gatherSettled(Collection)}
     * @throws NullPointerException  if {@code calls} is null or a call is null (no call is left running)
     */
    @SafeVarargs
    public static <T> List<Outcome<T>> gatherSettled(Callable<? extends T>... calls) throws InterruptedException {
        Objects.requireNonNull(calls, "calls");
        List<Callable<? extends T>> list = new ArrayList<>(calls.length); // not Arrays.asList: the array would escape
        for (Callable<? extends T> call : calls) {
            list.add(call);
        }
        return gatherSettled(list);
    }

    /**
     * Runs every call concurrently until all have ended, and returns how each ended, in the order of the
     * calls: Python's {@code asyncio.gather(..., return_exceptions=True)}. A failure does not cancel the
     * other calls.
     *
     * @return an unmodifiable list with one {@link Outcome} per call
     * @throws InterruptedException  if interrupted while waiting; every call has been cancelled and has ended
     * @throws CancellationException if the caller is a {@link TaskGroup} task that was cancelled (see
     *                               <b>Interrupts</b> above); every call has been cancelled and has ended
     * @throws NullPointerException  if a call is null (no call is left running)
     */
    public static <T> List<Outcome<T>> gatherSettled(Collection<? extends Callable<? extends T>> calls)
            throws InterruptedException {
        Objects.requireNonNull(calls, "calls"); // before a group opens
        TaskGroupImpl group = TaskGroupImpl.open(false, null);
        List<Task<T>> tasks = spawnAll(group, calls);
        group.closeInterruptibly(false);
        if (group.cancelledByOwner()) {
            // The calls were cancelled with the task that called this, so there is no outcome to tell for them
            // (a cancelled task has neither a value nor an exception); as gather and timeout do.
            throw new CancellationException("the task that called gatherSettled() was cancelled; its calls were "
                    + "cancelled and have ended");
        }
        List<Outcome<T>> outcomes = new ArrayList<>(tasks.size());
        for (Task<T> t : tasks) {
            outcomes.add(t.state() == Task.State.SUCCESS ? new Outcome.Success<>(t.resultNow())
                    : new Outcome.Failure<>(t.exceptionNow()));
        }
        return Collections.unmodifiableList(outcomes);
    }

    /**
     * Runs {@code call} on a new virtual thread and waits at most {@code timeout} for it: Python's
     * {@code asyncio.wait_for}. When the time is up the call is cancelled (interrupted), and this method
     * waits for it to end before throwing {@link TimeoutException}. A zero or negative timeout has already
     * elapsed: the call is not started.
     *
     * <p>Returns in one of these ways:
     * <ul>
     *   <li>the call's value, if it returned in time;</li>
     *   <li>{@link ExecutionException} whose cause is what the call threw, if it failed in time;</li>
     *   <li>{@link TimeoutException}, if the time was up first; the call has ended;</li>
     *   <li>{@link InterruptedException}, if the caller was interrupted; the call has been cancelled and has
     *       ended, and the interrupt status is cleared;</li>
     *   <li>{@link java.util.concurrent.CancellationException}, if the caller is a {@link TaskGroup} task that
     *       was cancelled, and its interrupt had been taken before this method waited; the call has ended.</li>
     * </ul>
     *
     * @throws ExecutionException   if the call failed in time; the cause is what it threw
     * @throws TimeoutException     if the time was up first; the call has ended
     * @throws InterruptedException if interrupted while waiting; the call has been cancelled and has ended
     */
    public static <T> T timeout(Duration timeout, Callable<? extends T> call)
            throws InterruptedException, ExecutionException, TimeoutException {
        return runUntil(Deadline.after(timeout), call);
    }

    /**
     * {@link #timeout} with a point in time instead of a duration: Python's {@code asyncio.timeout_at}. The
     * deadline is read against the system clock once, when this method is called; a deadline in the past
     * has already elapsed (the call is not started).
     *
     * @throws ExecutionException   as {@link #timeout}
     * @throws TimeoutException     as {@link #timeout}
     * @throws InterruptedException as {@link #timeout}
     */
    public static <T> T deadline(Instant deadline, Callable<? extends T> call)
            throws InterruptedException, ExecutionException, TimeoutException {
        return runUntil(Deadline.at(deadline), call);
    }

    /**
     * Hands out the tasks in the order they complete: Python's {@code asyncio.as_completed}. Does not wait
     * itself; see {@link Completions}. A task given more than once is handed out once, as Python's makes a
     * set of its futures. The tasks may have different value types, as asyncio's awaitables may: {@code T} is
     * then a common supertype ({@code Completions<Object> done = asCompleted(List.of(user, orders))}).
     *
     * @throws NullPointerException if {@code tasks} is or contains null
     */
    public static <T> Completions<T> asCompleted(Collection<? extends Task<? extends T>> tasks) {
        return new CompletionsImpl<>(distinct(tasks));
    }

    /**
     * Waits until {@code mode} is satisfied and tells which tasks are done: Python's {@code asyncio.wait}.
     * Does not cancel anything. Returns at once for an empty collection. A task given more than once is
     * listed once, as Python's makes a set of its futures. The tasks may have different value types, as with
     * {@link #asCompleted}.
     *
     * @throws InterruptedException if interrupted before or while waiting, also when {@code mode} is satisfied
     *                              already (the interrupt status is cleared); not for an empty collection
     * @throws NullPointerException if {@code tasks} is or contains null, or {@code mode} is null
     */
    public static <T> WaitResult<T> await(Collection<? extends Task<? extends T>> tasks, WaitMode mode)
            throws InterruptedException {
        return Await.await(distinct(tasks), Objects.requireNonNull(mode, "mode"), Long.MAX_VALUE);
    }

    /**
     * Waits until {@code mode} is satisfied or {@code timeout} has elapsed, whichever comes first, and tells
     * which tasks are done; a timeout is not an error here (the pending list says what is left), as in
     * {@code asyncio.wait}. A zero or negative timeout only looks. Does not cancel anything. A task given more
     * than once is listed once.
     *
     * @throws InterruptedException if interrupted before or while waiting, with a zero timeout too (the interrupt
     *                              status is cleared), so that a cancelled task polling with it sees its
     *                              cancellation; not for an empty collection, for which this returns at once
     * @throws NullPointerException if {@code tasks} is or contains null, or an argument is null
     */
    public static <T> WaitResult<T> await(Collection<? extends Task<? extends T>> tasks, WaitMode mode,
            Duration timeout) throws InterruptedException {
        long nanos = Deadline.saturatedNanos(Objects.requireNonNull(timeout, "timeout"));
        return Await.await(distinct(tasks), Objects.requireNonNull(mode, "mode"),
                nanos == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : nanos);
    }

    /**
     * The tasks in the order given, each once; NullPointerException for a null collection or task. A
     * {@code Task<? extends T>} is handed back as a {@code Task<T>}: a task only gives out its value (no method of
     * {@link Task} or {@link java.util.concurrent.Future} takes a {@code T}), so that cannot put a wrong value in it.
     */
    @SuppressWarnings("unchecked")
    private static <T> List<Task<T>> distinct(Collection<? extends Task<? extends T>> tasks) {
        LinkedHashSet<Task<? extends T>> set = new LinkedHashSet<>(Objects.requireNonNull(tasks, "tasks"));
        if (set.contains(null)) {
            throw new NullPointerException("tasks contains null");
        }
        List<Task<? extends T>> distinct = List.copyOf(set);
        return (List<Task<T>>) (List<?>) distinct;
    }

    /**
     * Applies {@code fn} to every item, at most {@code maxConcurrency} calls at a time, and returns the
     * results in the order of the items. The items are read lazily, one more each time a call finishes, so a
     * huge or endless {@code Iterable} is fine as input (the results of course are kept). The items are read
     * on the calling thread. The first failure cancels the running calls and stops reading items. What
     * Python spells with an {@code asyncio.Semaphore} around each task; the semaphore here never lets more
     * than {@code maxConcurrency} calls run at once.
     *
     * <p>If a call fails while the calling thread is in the input's {@code hasNext()} or {@code next()}
     * (an input that blocks until its next item comes), that thread is interrupted, as Python's TaskGroup
     * cancels its parent task, so that map ends without waiting for the item: what the input then returns
     * is dropped, what it throws is {@linkplain Throwable#getSuppressed() suppressed} on the
     * {@link TaskGroupException}, and that interrupt is taken back (cleared) before map throws. An input
     * that does not answer interrupts holds map until it returns. An interrupt of the caller's own that comes
     * at that very moment cannot be told from this one and is cleared with it.
     *
     * @return an unmodifiable list that may contain nulls
     * @throws IllegalArgumentException if {@code maxConcurrency < 1}
     * @throws TaskGroupException       if a call threw: the first exception is its cause, the rest suppressed;
     *                                  its "n of m tasks failed" counts the calls that were started
     * @throws InterruptedException     if interrupted while waiting; every call has been cancelled and has
     *                                  ended
     */
    public static <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items,
            int maxConcurrency) throws InterruptedException {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency < 1: " + maxConcurrency);
        }
        return BoundedMap.map(fn, items, maxConcurrency);
    }

    private static <T> T runUntil(Deadline deadline, Callable<? extends T> call)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(call, "call");
        TaskGroupImpl group = TaskGroupImpl.open(true, deadline);
        Task<T> task = group.trySpawn(call);
        group.closeInterruptibly(false);
        if (group.cancelledByOwner()) {
            // not the deadline: the task that called this was cancelled (and had its interrupt taken elsewhere;
            // a pending one made closeInterruptibly throw InterruptedException, as documented)
            throw new CancellationException("the task that called timeout() or deadline() was cancelled; the call "
                    + (task == null ? "was not started" : "was cancelled and has ended"));
        }
        if (task == null) {
            throw new TimeoutException(deadline.description() + " had elapsed already; the call was not started");
        }
        return switch (task.state()) {
            case SUCCESS -> task.resultNow();
            // not new ExecutionException(cause), which quotes cause.toString(): one that throws would lose the cause
            case FAILED -> throw new ExecutionException(ThrowableCodec.describe(task.exceptionNow()), task.exceptionNow());
            case CANCELLED -> throw new TimeoutException(deadline.description() + " elapsed; the call was "
                    + "cancelled and has ended");
            case RUNNING -> throw new AssertionError("a task is running after its group closed: " + task);
        };
    }

    private static <T> List<Task<T>> spawnAll(TaskGroupImpl group, Collection<? extends Callable<? extends T>> calls) {
        List<Task<T>> tasks = new ArrayList<>(calls.size());
        try {
            for (Callable<? extends T> call : calls) {
                tasks.add(group.spawn(call));
            }
        } catch (Throwable e) {
            group.cancel();
            closeAfter(group, e);
            throw e;
        }
        return tasks;
    }

    /**
     * Closes {@code group} after the owner failed with {@code e}, and attaches to {@code e} the failures of
     * the calls (suppressed), so that none is lost, each once, and without a cycle: {@code e} may be one of
     * them (an input of map that throws what its function threw). An interrupt meanwhile is kept: in the
     * interrupt status, unless {@code e} is itself an InterruptedException, which is thrown with the status
     * cleared.
     */
    static void closeAfter(TaskGroupImpl group, Throwable e) {
        try {
            group.closeInterruptibly(false);
        } catch (InterruptedException ie) {
            Suppressed.attach(e, ie, group.failures()); // ie carries the failures already
            if (!(e instanceof InterruptedException)) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (e instanceof InterruptedException) {
            Thread.interrupted(); // an interrupt that came as the calls ended: e stands for it
        }
        Suppressed.attachEach(e, group.failures());
    }
}
