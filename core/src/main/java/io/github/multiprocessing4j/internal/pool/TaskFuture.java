package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.CompletableFuture;

/**
 * The future of one task in a pool. {@link #cancel(boolean)} does what {@link java.util.concurrent.Future}
 * promises and a plain {@link CompletableFuture} does not: it tells the engine, which removes a task that
 * has not started and, with {@code mayInterruptIfRunning}, stops one that has (interrupting its thread, or
 * killing its worker process).
 *
 * <p>Dependent stages ({@code thenApply}...) are plain {@code CompletableFuture}s. Completion happens on
 * the engine's threads; dependents added without an {@code ...Async} executor run there too.
 *
 * @param <V> the result type
 */
public final class TaskFuture<V> extends CompletableFuture<V> {

    /** What the engine does when a task's future is cancelled. */
    public interface Canceller {
        void cancelled(boolean mayInterruptIfRunning);
    }

    private volatile Canceller canceller;

    /** Set once, by the engine, when the task is queued. */
    public void canceller(Canceller c) {
        this.canceller = c;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        Canceller c = canceller;
        if (cancelled && c != null) {
            c.cancelled(mayInterruptIfRunning);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public V get() throws InterruptedException, java.util.concurrent.ExecutionException {
        spinBriefly();
        return super.get();
    }

    @Override
    public V get(long timeout, java.util.concurrent.TimeUnit unit)
            throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        spinBriefly();
        return super.get(timeout, unit);
    }

    @Override
    public V join() {
        spinBriefly();
        return super.join();
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
