package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of one task in a pool. {@link #cancel(boolean)} does what {@link java.util.concurrent.Future}
 * promises and a plain {@link CompletableFuture} does not: it tells the engine, which removes a task that
 * has not started and, with {@code mayInterruptIfRunning}, stops one that has (interrupting its thread, or
 * killing its worker process).
 *
 * <p>Dependent stages ({@code thenApply}...) are plain {@code CompletableFuture}s. Completion happens on
 * the engine's threads; dependents added without an {@code ...Async} executor run there too, so they must
 * not wait for the same pool (see {@link PoolEngine#refuseToWaitOnOwnReader()}).
 *
 * @param <V> the result type
 */
public final class TaskFuture<V> extends CompletableFuture<V> {

    /** What the engine does when a task's future is cancelled. */
    public interface Canceller {
        void cancelled(boolean mayInterruptIfRunning);
    }

    private volatile Canceller canceller;
    /** Whether the canceller is told before the future completes; see {@link #canceller(Canceller, boolean)}. */
    private volatile boolean stopsFirst;
    /** The engine whose outcome this is, checked before an untimed wait; null for none. */
    private volatile PoolEngine owner;

    /** Set once, by the engine, when the task is queued. */
    public void canceller(Canceller c) {
        this.canceller = c;
    }

    /**
     * As {@link #canceller(Canceller)}; with {@code stopsFirst}, {@link #cancel} tells the engine before it
     * completes the future. Plain dependents of a cancelled future run on the cancelling thread, inside
     * {@code cancel}: told first, a process engine has killed the worker of a running task before they run,
     * and a thread engine has interrupted its thread, so a callback that waits for the pool ({@code close()},
     * say) does not wait for the task it cancelled. Only for an engine whose stopping cannot complete the
     * future itself (a killed worker's task is left to its canceller; a thread engine's task, which the
     * interrupt may end at once, finds its outcome claimed by the cancel and drops it), or for a future that
     * its canceller's futures complete, which then ends cancelled through them.
     */
    public void canceller(Canceller c, boolean stopsFirst) {
        this.stopsFirst = stopsFirst;
        this.canceller = c;
    }

    /** Set once, by whoever creates the future: waiting for it must not block that engine's own reader. */
    public void owner(PoolEngine engine) {
        this.owner = engine;
    }

    /**
     * The exception a task threw, as its future is to be completed with: a {@link CancellationException} that
     * the task threw itself (it joined a future that someone cancelled, say) is wrapped in a
     * {@link CompletionException}, as {@code CompletableFuture.supplyAsync} wraps it. The task failed; its future
     * was not cancelled: {@code get()} throws an {@code ExecutionException} caused by it, {@code isCancelled()} is
     * false, as with {@code FutureTask}.
     */
    public static Throwable taskFailure(Throwable thrown) {
        return thrown instanceof CancellationException ? new CompletionException(thrown) : thrown;
    }

    /**
     * Completes the future, and drops the canceller, which has nothing left to stop: a caller who keeps the future
     * keeps its result, not the engine's record of the task.
     */
    @Override
    public boolean complete(V value) {
        boolean completed = super.complete(value);
        if (completed) {
            released();
        }
        return completed;
    }

    /** As {@link #complete}; a {@link CancellationException} cancels the future, which keeps its canceller. */
    @Override
    public boolean completeExceptionally(Throwable failure) {
        boolean completed = super.completeExceptionally(failure);
        if (completed) {
            released();
        }
        return completed;
    }

    /**
     * The future has its outcome: the canceller, which reaches the engine's record of the task (its serialized
     * argument and target, the worker it ran on), is dropped, so that a caller who keeps the future keeps its
     * result only ({@link #cancel} returns false for a future done otherwise than by a cancel anyway). A future
     * cancelled without interrupt keeps it: a cancel with interrupt must still reach a task left running; one
     * cancelled with interrupt drops it in {@link #cancel}.
     */
    private void released() {
        if (!isCancelled()) {
            canceller = null;
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        Canceller c = canceller;
        if (c != null && stopsFirst) {
            if (isDone() && !isCancelled()) {
                return false;
            }
            // Told even if cancelled already (without interrupt, say), so that cancel(true) still stops a task
            // that cancel(false) left running; the answer is then true, as CompletableFuture's. A future fed by
            // the futures its canceller cancels may also end cancelled through them.
            c.cancelled(mayInterruptIfRunning);
            boolean cancelled = super.cancel(mayInterruptIfRunning) || isCancelled();
            if (cancelled && mayInterruptIfRunning) {
                canceller = null; // told to stop the task with interrupt: a later cancel has nothing left to stop
            }
            return cancelled;
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && c != null) {
            c.cancelled(mayInterruptIfRunning);
        }
        return cancelled;
    }

    /** A dependent stage: cancelling it does not reach the engine, but waiting for it is guarded alike. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        TaskFuture<U> dependent = new TaskFuture<>();
        dependent.owner(owner);
        return dependent;
    }

    /**
     * @throws IllegalStateException if called, before the outcome is there, on a thread that delivers the
     *                               engine's outcomes (a plain dependent stage of a pool future): it could
     *                               wait for itself
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        refuseIfOwnReader();
        spinBriefly();
        return super.get();
    }

    /**
     * @throws IllegalStateException as {@link #get()}, unless the timeout is zero or negative (a poll): waiting
     *                               would only last until the timeout, with the outcome never there
     */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (timeout > 0) {
            refuseIfOwnReader();
        }
        spinBriefly();
        return super.get(timeout, unit);
    }

    /** @throws IllegalStateException as {@link #get()} */
    @Override
    public V join() {
        refuseIfOwnReader();
        spinBriefly();
        return super.join();
    }

    private void refuseIfOwnReader() {
        PoolEngine o = owner;
        if (o != null && !isDone()) {
            o.refuseToWaitOnOwnReader();
        }
    }

    /**
     * Pool results often arrive within microseconds: a waiter that parks at once pays for a futex wait and
     * a wake-up per result, which at a hundred thousand results a second is most of the work. So a
     * platform thread first waits for up to {@value #SPIN_NANOS} ns yielding its processor (a virtual
     * thread would hold its carrier, so it does not). Yielding rather than spinning matters on a small
     * machine: the thread that completes the future (the pool's reader) may be queued on the same core.
     */
    private void spinBriefly() {
        if (isDone() || Thread.currentThread().isVirtual()) {
            return;
        }
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (!isDone() && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    private static final long SPIN_NANOS = 50_000;
}
