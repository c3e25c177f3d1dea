package io.github.multiprocessing4j.internal.pool;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread that fires a pool's task timeouts, started on first use (a pool without a task
 * timeout never starts it). Cancelled timeouts are removed at once, so a pool that runs millions of short
 * tasks does not accumulate them.
 */
final class PoolTimer {
    private volatile ScheduledExecutorService executor;

    ScheduledFuture<?> schedule(Runnable action, long nanos) {
        return executor().schedule(action, nanos, TimeUnit.NANOSECONDS);
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1,
                            Thread.ofPlatform().daemon().name("mp4j-pool-timer").factory());
                    s.setRemoveOnCancelPolicy(true);
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
