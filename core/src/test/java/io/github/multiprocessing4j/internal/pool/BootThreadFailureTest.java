package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A process pool whose thread that boots a replacement cannot be made (out of memory, the thread limit). */
class BootThreadFailureTest {
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread (a test's)");

    @Test
    void aBuildWhoseSecondBootThreadCannotStart_throwsThatError_andLeavesNoWorkerRunning() {
        String marker = "mp4j.test.unbooted=" + System.nanoTime();
        WorkerBoot.failThreads(NO_THREAD, 1, 1);
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> ProcessPool.builder().processes(3).jvmOptions(List.of("-D" + marker)).build());
        } finally {
            WorkerBoot.failThreads(null, 0, 0);
        }
        assertThat(thrown).isSameAs(NO_THREAD);
        // The first boot, started, ran on: its worker, ready, with no pool to serve, until this JVM exited
        try {
            Awaitility.await().atMost(Delays.seconds(30)).alias("no worker left")
                    .until(() -> workersWith(marker).isEmpty());
        } finally {
            workersWith(marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aReplacementWhoseBootThreadCannotStart_isTriedAgain_andTheTaskQueuedRunsOnIt() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // the next replacement is that of the worker that retires after its one task
            WorkerBoot.failThreads(NO_THREAD, 0, 1);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            // The Error, under the lock, as the first task's outcome was read (its worker retired), left that task
            // never completed, and the boot counted for good: no replacement ever came, and the pool never terminated
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            WorkerBoot.failThreads(null, 0, 0);
            pool.shutdown();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aReplacementWhoseBootThreadCannotStart_threeTimesInARow_breaksThePool_whichFailsTheTaskQueued_andTerminates()
            throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            WorkerBoot.failThreads(NO_THREAD, 0, 3);
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
            WorkerBoot.failThreads(null, 0, 0);
            pool.shutdownNow();
        }
    }

    private static List<ProcessHandle> workersWith(String marker) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
