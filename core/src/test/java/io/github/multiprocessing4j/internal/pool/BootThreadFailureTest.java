package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void aPoolBrokenWhileAnotherReplacementBoots_runsTheTaskQueuedOnThatReplacement_andTerminates() throws Exception {
        Path hold = Files.createTempFile("mp4j-hold-boot", ".flag");
        Files.delete(hold);
        String gate = hold.toString();
        // A worker's initializer waits while the file exists: the two built now do not, the replacement does
        ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1)
                .initializer(() -> BootThreadFailureTest.waitWhileExists(gate)).build();
        try {
            Files.createFile(hold);
            // Both workers retire after one task each. The first replacement's boot thread starts, and its worker
            // waits in its initializer; the other replacement's cannot, three times in a row: that breaks the pool
            WorkerBoot.failThreads(NO_THREAD, 1, 3);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            CompletableFuture<Integer> queued = pool.applyAsync(x -> x + 1, 3);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
            Awaitility.await().atMost(Delays.seconds(60)).alias("the pool is broken").until(pool::isShutdown);
            Files.delete(hold); // the replacement that boots is ready now
            // Before: the task queued failed as the pool broke (no live worker took work), though the replacement
            // that booted meanwhile would have run it; that replacement was then killed as no longer needed
            assertThat(queued.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(4);
            assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            WorkerBoot.failThreads(null, 0, 0);
            Files.deleteIfExists(hold);
            pool.shutdownNow();
        }
    }

    static void waitWhileExists(String file) {
        try {
            while (Files.exists(Path.of(file))) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<ProcessHandle> workersWith(String marker) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
