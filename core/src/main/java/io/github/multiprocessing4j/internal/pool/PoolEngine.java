package io.github.multiprocessing4j.internal.pool;

import java.util.List;

/**
 * What a pool engine (child JVMs, platform threads, virtual threads) offers the {@code Pool} front end,
 * which builds {@code apply}, {@code map}, {@code imap}, {@code submit} and the {@code ExecutorService}
 * contract on top of it.
 *
 * <p>Thread-safe.
 */
public interface PoolEngine {

    /**
     * Makes a function, callable or runnable ready for calls. The process engine serializes it here —
     * so a value that cannot travel fails in the caller's thread — and sends it to each worker once.
     *
     * @param reusable whether the reference outlives one call; a one-shot reference is released by its call
     * @throws io.github.multiprocessing4j.codec.EncodingException if the process engine cannot serialize it
     */
    Definition define(Object target, boolean reusable);

    /**
     * Queues one call.
     *
     * @param arg the argument for {@link CallMode#APPLY}, the list of arguments for {@link CallMode#CHUNK}
     *            (which the engine copies or encodes before it returns, so the caller may reuse it),
     *            else ignored
     * @throws java.util.concurrent.RejectedExecutionException if the engine is shut down
     */
    <V> TaskFuture<V> call(Definition target, CallMode mode, Object arg);

    /**
     * Queues a runnable given to {@code execute()}: a {@link CallMode#RUN} call of {@code target}, defined from
     * {@code command}. If {@link #shutdownNow()} takes it off a queue before anything can have run it, it lists
     * {@code command} itself, as a JDK executor does, so that the caller may run it; a call that may have run (sent
     * ahead to a worker, or queued again after its worker died running it or was killed by the pool while holding it)
     * gets a placeholder, as any other call.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the engine is shut down
     */
    TaskFuture<?> callCommand(Definition target, Runnable command);

    /**
     * Queues one call and waits for its outcome. An engine may run it more directly than {@link #call}.
     *
     * @throws InterruptedException if interrupted while waiting; the call is then cancelled
     */
    default <V> V callAndWait(Definition target, CallMode mode, Object arg) throws InterruptedException,
            java.util.concurrent.ExecutionException {
        TaskFuture<V> future = call(target, mode, arg);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    /** How many tasks run at once (0: unbounded). */
    int parallelism();

    void shutdown();

    /**
     * Cancels the queued tasks and stops the running ones; returns one entry per queued task this call cancelled: a
     * placeholder, or the command of a {@link #callCommand} that nothing can have run.
     */
    List<Runnable> shutdownNow();

    boolean isShutdown();

    boolean isTerminated();

    boolean awaitTermination(long nanos) throws InterruptedException;

    /**
     * Whether the calling thread is the one that delivers this engine's outcomes (it runs their plain
     * callbacks), so that it must not wait for an outcome, or for the engine to end.
     */
    default boolean isOwnReaderThread() {
        return false;
    }

    /**
     * Throws {@link IllegalStateException} if the calling thread must not wait for an outcome of this engine
     * because it may be the thread that has to deliver it; else does nothing.
     */
    default void refuseToWaitOnOwnReader() {
    }

    /**
     * Throws {@link IllegalStateException} if the calling thread must not wait for this engine to terminate
     * (as {@code close()} and {@code join()} do) because the engine cannot end before this thread moves on;
     * else does nothing. By default, the same rule as {@link #refuseToWaitOnOwnReader()}.
     */
    default void refuseToAwaitTerminationHere() {
        refuseToWaitOnOwnReader();
    }

    /**
     * Whether {@link #shutdownNow()} ends every running task for certain (a process can be killed), so that
     * waiting for termination after it is bounded; a thread that ignores its interrupt cannot be stopped.
     */
    default boolean stopsForSure() {
        return false;
    }

    /** A target made ready by {@link #define}; {@link #close()} (idempotent) says no more calls will use it. */
    interface Definition extends AutoCloseable {
        @Override
        void close();
    }
}
