package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.TaskTimeoutException;
import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A process pool whose timer's thread cannot be made (the thread limit). It schedules with its lock held, after it
 * changed its state: the thread is made with the pool, so a failure fails the build, and never a schedule.
 */
class PoolTimerFailureTest {
    private static final OutOfMemoryError NO_THREAD = new OutOfMemoryError("unable to create native thread (a test's)");

    @Test
    void aBuildWhoseTimersThreadCannotBeMade_throwsThatError_andStartsNoWorker() {
        String marker = "mp4j.test.untimed=" + System.nanoTime();
        PoolTimer.failNextThread(NO_THREAD);
        Throwable thrown;
        try {
            thrown = catchThrowable(() -> ProcessPool.builder().processes(1).jvmOptions(List.of("-D" + marker)).build());
        } finally {
            PoolTimer.failNextThread(null);
        }
        assertThat(thrown).isSameAs(NO_THREAD);
        assertThat(workersWith(marker)).isEmpty();
    }

    @Test
    void aBuildWhoseWorkerFailsToBoot_leavesNoTimerThreadBehind() {
        long before = timerThreads();
        Throwable thrown = catchThrowable(() -> ProcessPool.builder().processes(1).initializer(() -> {
            throw new IllegalStateException("a test's initializer fails");
        }).build());
        assertThat(thrown).isInstanceOf(IllegalStateException.class);
        // Made with the pool, the timer's thread would have stayed for good: no pool is left to end it
        Awaitility.await().atMost(Delays.seconds(20)).alias("the timer's thread ended")
                .until(() -> timerThreads() <= before);
    }

    @Test
    void aPoolBrokenByReplacementsThatCannotStart_whenNoThreadCanBeMadeForTheKillTimer_stillStopsItsIdleWorker()
            throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).build();
        try {
            // The worker that runs this task retires after it; none of its replacements can be served. The third
            // failure breaks the pool, which stops its other worker, idle, and times the kill of a STOP not obeyed:
            // that needs a thread of the timer, which could not be made (the thread limit that failed the replacement)
            OutcomeReader.failNextStarts(NO_THREAD, 3, () -> PoolTimer.failNextThread(NO_THREAD));
            assertThat(pool.applyAsync(x -> x + 1, 1).get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(2);
            // (the Error ends a thread of the pool's: not this test's failure, which is what follows)
            Awaitility.await().atMost(Delays.seconds(60)).alias("the pool is broken").dontCatchUncaughtExceptions()
                    .until(pool::isShutdown);
            // The Error, under the lock, left the STOP posted but never written: the worker lived on, and the pool
            // never terminated
            assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            OutcomeReader.failNextStarts(null, 0);
            PoolTimer.failNextThread(null);
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskThatBecomesTheHeadOfItsWorker_whenNoThreadCanBeMadeForItsTimeout_stillRuns() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Duration.ofMinutes(10)).build();
        try {
            CompletableFuture<Integer> first = pool.applyAsync(PoolTimerFailureTest::sleep, 2000);
            // Its timeout is timed as it is sent (to the idle worker) or as the first one's outcome is read, after
            // the task was given to the worker: that needs a thread of the timer, which cannot be made
            PoolTimer.failNextThread(NO_THREAD);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x + 1, 2);
            assertThat(first.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(2000);
            // The Error, under the lock, left the task on the worker, never written to it: it waited for good
            assertThat(second.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS)).isEqualTo(3);
        } finally {
            PoolTimer.failNextThread(null);
            pool.shutdown();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTimeoutThatFires_whenNoThreadCanBeMadeToRunIt_stillFailsTheTask() throws Exception {
        ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Duration.ofSeconds(1)).build();
        try {
            PoolTimer.failNextActionThread(NO_THREAD);
            CompletableFuture<Integer> hangs = pool.applyAsync(PoolTimerFailureTest::sleep, 600_000);
            // The Error was kept in the timer's future, which nobody reads: the timeout never happened
            Throwable failed = catchThrowable(() -> hangs.get(Delays.seconds(60).toSeconds(), TimeUnit.SECONDS));
            assertThat(failed).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
        } finally {
            PoolTimer.failNextActionThread(null);
            pool.shutdownNow();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    static int sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
        return millis;
    }

    private static long timerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("mp4j-pool-timer")).count();
    }

    private static List<ProcessHandle> workersWith(String marker) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
