package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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

    @Test
    void aReplacementKilledAsNoLongerNeeded_asACrashSendsATaskBack_isNoFailedStart_andThatTaskRuns() throws Exception {
        String marker = "mp4j.test.dropped=" + System.nanoTime();
        Path bootGate = Files.createTempFile("mp4j-hold-boot", ".flag");
        Files.delete(bootGate);
        Path taskGate = Files.createTempFile("mp4j-hold-task", ".flag");
        Path pidFile = Files.createTempFile("mp4j-pid", ".txt");
        Files.delete(pidFile);
        String bootHeld = bootGate.toString();
        String taskHeld = taskGate.toString();
        String pidAt = pidFile.toString();
        long wait = Delays.seconds(60).toSeconds();
        // A worker's initializer waits while bootGate exists: the two built now do not
        ProcessPool pool = ProcessPool.builder().processes(2).retries(1).jvmOptions(List.of("-D" + marker))
                .initializer(() -> BootThreadFailureTest.waitWhileExists(bootHeld)).build();
        try {
            CompletableFuture<Integer> task = pool.applyAsync(
                    x -> BootThreadFailureTest.writePidAndWait(pidAt, taskHeld, x), 7);
            Awaitility.await().atMost(Delays.seconds(60)).alias("the task runs").until(() -> Files.exists(pidFile));
            long runner = Long.parseLong(Files.readString(pidFile));
            List<ProcessHandle> idle = workersWith(marker).stream().filter(p -> p.pid() != runner).toList();
            assertThat(idle).hasSize(1);
            // The idle worker dies: its replacement's boot thread cannot start twice, and its third try boots a
            // worker that waits in its initializer
            Files.createFile(bootGate);
            WorkerBoot.failThreads(NO_THREAD, 0, 2);
            idle.get(0).destroyForcibly();
            long died = idle.get(0).pid();
            Awaitility.await().atMost(Delays.seconds(60)).alias("the third try boots").until(() -> workersWith(marker)
                    .stream().anyMatch(p -> p.pid() != runner && p.pid() != died));
            CountDownLatch sentBack = new CountDownLatch(1);
            WorkerTurnover.beforeNextBootEnds(() -> {
                // Killed, that boot has ended, not yet handled: the worker that runs the task dies meanwhile, and the
                // task goes back to the queue (retries(1)); the boot of the replacement that crash wants cannot start
                // at once (its thread start is tried just after the task went back)
                WorkerBoot.failThreads(NO_THREAD, 0, 1, sentBack::countDown);
                ProcessHandle.of(runner).ifPresent(ProcessHandle::destroyForcibly);
                try {
                    assertThat(sentBack.await(wait, TimeUnit.SECONDS)).as("the task went back to the queue").isTrue();
                    Files.delete(bootGate);
                    Files.delete(taskGate);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            pool.shutdown(); // no task queued: the replacement booting is no longer needed, and is killed
            // Before: the kill counted as the third failed start of that replacement, which broke the pool, and the
            // task sent back failed with "the pool is broken"
            assertThat(task.get(wait, TimeUnit.SECONDS)).isEqualTo(7);
            assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
        } finally {
            WorkerTurnover.beforeNextBootEnds(null);
            WorkerBoot.failThreads(null, 0, 0);
            Files.deleteIfExists(bootGate);
            Files.deleteIfExists(taskGate);
            Files.deleteIfExists(pidFile);
            pool.shutdownNow();
        }
    }

    static int writePidAndWait(String pidFile, String gate, int x) {
        try {
            Path written = Files.writeString(Path.of(pidFile + ".tmp"), Long.toString(ProcessHandle.current().pid()));
            Files.move(written, Path.of(pidFile), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        waitWhileExists(gate);
        return x;
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
