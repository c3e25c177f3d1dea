package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread that fires a pool's task timeouts (and, in a process pool, the check that a task
 * cancelled with interrupt while queued on a worker did not start there, and the retry of a replacement that
 * failed to start), started on first use (a pool
 * with neither never starts it) and ended after a few idle seconds. Cancelled timeouts are removed at once,
 * so a pool that runs millions of short tasks does not accumulate them.
 *
 * <p>A timeout that fires runs on a virtual thread of its own, not on the timer's thread: it completes the
 * task's future, whose plain callbacks run right there, and one that waits (for the pool to close, for
 * another of its tasks) would otherwise hold up every later timeout, such as the one of the task it waits for.
 */
final class PoolTimer {
    private static final long IDLE_SECONDS = 5;
    /** For tests: what the next {@link #schedule} throws, as when the timer's thread cannot be made; or null. */
    private static volatile Error nextFailure;
    private volatile ScheduledExecutorService executor;

    /** For tests: makes the next {@link #schedule} (of any pool) throw {@code failure}; null for none. */
    static void failNextSchedule(Error failure) {
        nextFailure = failure;
    }

    /**
     * Runs {@code action} on a new virtual thread in {@code nanos}, unless the returned future is cancelled first.
     *
     * @throws Error as starting the timer's thread threw it (it ends after a few idle seconds, and the next timeout
     *         starts another: OutOfMemoryError when no thread can be made)
     */
    ScheduledFuture<?> schedule(Runnable action, long nanos) {
        Error failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure;
        }
        return executor().schedule(() -> Thread.ofVirtual().name("mp4j-pool-timeout").start(action), nanos,
                TimeUnit.NANOSECONDS);
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1,
                            Thread.ofPlatform().daemon().name("mp4j-pool-timer")
                                    .inheritInheritableThreadLocals(false).factory());
                    s.setRemoveOnCancelPolicy(true);
                    // The thread ends when no timeout is pending, so a pool that is never awaited or closed does
                    // not keep it for good; the next timeout starts another.
                    s.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
                    s.allowCoreThreadTimeOut(true);
                    executor = s;
                }
                e = executor;
            }
        }
        return e;
    }

    void shutdown() {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
