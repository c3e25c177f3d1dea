package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
}
