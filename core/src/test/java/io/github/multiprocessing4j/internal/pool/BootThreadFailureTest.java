package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A process pool whose thread that boots a replacement cannot be made (out of memory, the thread limit). */
class BootThreadFailureTest {
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread (a test's)");

    @Test
    void aReplacementWhoseBootThreadCannotStart_isTriedAgain_andTheTaskQueuedRunsOnIt() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // the next replacement is that of the worker that retires after its one task
            WorkerTurnover.failNextBootThreads(NO_THREAD, 1);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            // The Error, under the lock, as the first task's outcome was read (its worker retired), left that task
            // never completed, and the boot counted for good: no replacement ever came, and the pool never terminated
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            WorkerTurnover.failNextBootThreads(null, 0);
            pool.shutdown();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aReplacementWhoseBootThreadCannotStart_threeTimesInARow_breaksThePool_whichFailsTheTaskQueued_andTerminates()
            throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            WorkerTurnover.failNextBootThreads(NO_THREAD, 3);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            Throwable failed = catchThrowable(() -> second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(failed).isInstanceOf(ExecutionException.class).cause()
                    .hasMessageContaining("the pool is broken")
                    .hasMessageContaining("could not start the thread that boots a replacement worker");
            // Broken with no worker left: it terminates by itself, nobody calls shutdown()
            assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            WorkerTurnover.failNextBootThreads(null, 0);
            pool.shutdownNow();
        }
    }
}
