package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A thread pool whose timer's thread cannot be made (the thread limit) when a task with a timeout starts: it makes that
 * thread on first use (PoolTimer.onFirstUse), on the task's own thread, and only that task fails.
 */
class ThreadPoolTimerFailureTest {
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread (a test's)");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    @Test
    void aThreadPoolTaskWhoseTimeoutCannotBeSet_failsSayingSo_andDoesNotRun() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().threads(1).taskTimeout(TIMEOUT).build()) {
            failsSayingSo_andDoesNotRun(pool);
        }
    }

    @Test
    void aVirtualThreadPoolTaskWhoseTimeoutCannotBeSet_failsSayingSo_andDoesNotRun() throws Exception {
        try (VirtualThreadPool pool = VirtualThreadPool.builder().taskTimeout(TIMEOUT).build()) {
            failsSayingSo_andDoesNotRun(pool);
        }
    }

    private static void failsSayingSo_andDoesNotRun(Pool pool) throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Integer> failing;
        PoolTimer.failNextThread(NO_THREAD);
        try {
            failing = pool.applyAsync(x -> {
                ran.set(true);
                return x + 1;
            }, 1);
            // Before: the future failed with the bare OutOfMemoryError, which said neither that the task did not run
            // nor that the pool's timeout was to blame
            Throwable failed = catchThrowable(() -> failing.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(failed).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not run")
                    .hasMessageContaining("taskTimeout " + TIMEOUT)
                    .hasCause(NO_THREAD);
        } finally {
            PoolTimer.failNextThread(null);
        }
        assertThat(ran).isFalse();
        // Only that task: the next one sets its timeout, and runs
        assertThat(pool.applyAsync(x -> x + 1, 2).get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
    }

    @Test
    void close_inACallbackOfAThreadPoolTaskWhoseTimeoutCannotBeSet_isRefused_insteadOfWaitingForItself()
            throws Exception {
        closeInTheCallbackIsRefused(ThreadPool.builder().threads(1).taskTimeout(TIMEOUT).build());
    }

    @Test
    void close_inACallbackOfALimitedVirtualThreadPoolTaskWhoseTimeoutCannotBeSet_isRefused() throws Exception {
        closeInTheCallbackIsRefused(VirtualThreadPool.builder().maxConcurrency(1).taskTimeout(TIMEOUT).build());
    }

    /**
     * The failing future is completed on the pool's thread, where its callbacks run: there close() must be refused,
     * as in any other callback a task's end runs there (Pool's "Callbacks"), for that thread cannot leave until the
     * callback returns. The task is queued behind another, so that the callback is added before it fails.
     */
    private static void closeInTheCallbackIsRefused(Pool pool) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> closeThrew = new AtomicReference<>();
        AtomicBoolean closeReturned = new AtomicBoolean();
        try {
            CompletableFuture<?> blocker = pool.submit(() -> {
                started.countDown();
                release.await();
                return null;
            });
            assertThat(started.await(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            PoolTimer.failNextThread(NO_THREAD);
            CompletableFuture<Integer> failing = pool.applyAsync(x -> x + 1, 1);
            failing.whenComplete((v, e) -> {
                try {
                    pool.close();
                    closeReturned.set(true);
                } catch (Throwable t) {
                    closeThrew.set(t);
                }
            });
            release.countDown();
            blocker.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS);
            // Before: close() waited there for the pool to terminate, that is for its own thread, for good
            await().atMost(Delays.seconds(30)).until(() -> closeThrew.get() != null || closeReturned.get());
            assertThat(closeThrew.get()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("would wait for itself");
            assertThat(failing).isCompletedExceptionally();
        } finally {
            PoolTimer.failNextThread(null);
            release.countDown();
            pool.terminate(); // interrupts a close() left waiting in the callback, which then returns
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        }
    }
}
