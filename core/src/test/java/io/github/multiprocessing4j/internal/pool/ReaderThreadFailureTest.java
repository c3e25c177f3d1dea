package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A pool whose workers booted, but whose threads that serve them cannot be made. */
class ReaderThreadFailureTest {
    @Test
    void aBuildWhoseWorkersThreadsCannotStart_throwsThatError_andLeavesNoWorkerRunning() {
        String marker = "mp4j.test.unserved=" + System.nanoTime();
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread (a test's)");
        OutcomeReader.failNextStart(noThread);
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> ProcessPool.builder().processes(2).jvmOptions(List.of("-D" + marker)).build());
        } finally {
            OutcomeReader.failNextStart(null);
        }
        assertThat(thrown).isSameAs(noThread);
        // The booted workers ran on, connected and idle, with no pool to serve, until this JVM exited
        try {
            Awaitility.await().atMost(Delays.seconds(20)).alias("no worker left")
                    .until(() -> workersWith(marker).isEmpty());
        } finally {
            workersWith(marker).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aReplacementWhoseThreadsCannotStart_isKilled_andItsTaskRunsOnTheNextReplacement() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // the next worker to be served is the replacement of the one that retires after its one task
            OutcomeReader.failNextStart(new OutOfMemoryError("unable to create native thread (a test's)"));
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // The Error left the replacement in the pool, unread, with the task given to it: it waited for good
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            OutcomeReader.failNextStart(null);
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void replacementsWhoseThreadsCannotStart_threeInARow_breakThePool_whichStopsItsIdleWorkers_andTerminates()
            throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).build();
        try {
            // the worker that runs this task retires after it; none of its replacements can be served
            OutcomeReader.failNextStarts(new OutOfMemoryError("unable to create native thread (a test's)"), 3);
            assertThat(pool.applyAsync(x -> x + 1, 1).get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(2);
            Awaitility.await().atMost(Delays.seconds(60)).alias("the pool is broken").until(pool::isShutdown);
            // Broken, as by replacements that cannot boot: the other worker, idle, is stopped, and the pool terminates
            // by itself. It was never told to stop: the pool waited for a shutdown() that nobody calls
            assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            OutcomeReader.failNextStarts(null, 0);
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aReplacementWhoseThreadsCannotStart_asThePoolIsTerminated_hasTheTaskGivenToItCancelled() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // the next worker to be served is the replacement of the one that retires after its one task; the pool is
            // terminated (shutdownNow) after the task queued was given to it, before its threads fail to start
            OutcomeReader.failNextStart(new OutOfMemoryError("unable to create native thread (a test's)"),
                    pool::shutdownNow);
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // It went back to the pool's queue, which shutdownNow had emptied already: it waited for good
            Throwable cancelled = catchThrowable(() -> second.get(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS));
            assertThat(cancelled).isInstanceOf(CancellationException.class);
        } finally {
            OutcomeReader.failNextStart(null);
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aReplacementWhoseThreadsCannotStart_whenNoThreadCanBeMadeForTheTimerEither_isTriedAgain() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            // The next worker to be served is the replacement of the one that retires after its one task. Its threads
            // cannot start, nor could a thread of the pool's timer, that times the pause before the next try (the
            // thread limit that failed the one fails the other): the timer needs none, its thread made with the pool
            OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread (a test's)");
            OutcomeReader.failNextStart(noThread, () -> PoolTimer.failNextThread(noThread));
            CompletableFuture<Integer> first = pool.applyAsync(x -> x + 1, 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
            // The Error left the next try counted as booting, with no timer to start it, and the task waiting for it
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            OutcomeReader.failNextStart(null);
            PoolTimer.failNextThread(null);
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    private static List<ProcessHandle> workersWith(String marker) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
