package io.github.multiprocessing4j.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps all but one thread of the common ForkJoinPool busy until closed, so that the one left, given to the
 * code under test (through {@code CompletableFuture.runAsync}, say), is the pool's last: for tests of code
 * that must not need the common pool while it is full (the JDK completes {@code Process.onExit()} there).
 *
 * {@snippet :
 * try (BusyCommonPool busy = BusyCommonPool.allButOneThread()) {
 *     CompletableFuture.runAsync(pool::close).get(30, TimeUnit.SECONDS);
 * }
 * }
 */
public final class BusyCommonPool implements AutoCloseable {
    private final AtomicBoolean release = new AtomicBoolean();

    private BusyCommonPool() {
    }

    public static BusyCommonPool allButOneThread() throws InterruptedException {
        BusyCommonPool busy = new BusyCommonPool();
        int others = ForkJoinPool.getCommonPoolParallelism() - 1;
        CountDownLatch started = new CountDownLatch(others);
        for (int i = 0; i < others; i++) {
            CompletableFuture.runAsync(() -> {
                started.countDown();
                while (!busy.release.get()) {
                    LockSupport.parkNanos(10_000_000); // not a managed block: the pool adds no thread for it
                }
            });
        }
        if (!started.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
            busy.close();
            throw new IllegalStateException("the common pool did not run " + others + " tasks within 30 s");
        }
        return busy;
    }

    @Override
    public void close() {
        release.set(true);
    }
}
