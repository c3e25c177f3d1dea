package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * A worker joins the pool (and may be given tasks) a moment before its writer thread starts: what a reader thread
 * hands to that writer meanwhile ({@link Worker#flushInBackground()}) is written once it starts, not left in the
 * outbox while the worker idles and the task waits for ever. At the worker, and in a real pool held in that gap
 * ({@link OutcomeReader#beforeNextStart}).
 */
class WorkerWriterStartTest {
    @Test
    void aTaskGivenByAReaderThreadToAReplacementThatJoinedBeforeItsThreadsStarted_runs() throws Exception {
        Path hold = Files.createTempFile("mp4j-hold-task", ".flag");
        String gate = hold.toString();
        // Each worker retires after one task: the only one that takes work once the long task ends is the replacement
        ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).build();
        CompletableFuture<CompletableFuture<Integer>> handed = new CompletableFuture<>();
        long wait = Delays.seconds(60).toSeconds();
        try {
            CompletableFuture<Integer> longTask = pool.applyAsync(x -> {
                BootThreadFailureTest.waitWhileExists(gate);
                return x;
            }, 0);
            // Completed on the reader thread of its worker, which gives the new task to the replacement
            longTask.thenRun(() -> handed.complete(pool.applyAsync(x -> x + 1, 1)));
            // The replacement of the worker that runs the next task has joined the pool, its threads not started yet:
            // the long task ends, and its callback (on a reader thread) hands the new task to it; then they start
            OutcomeReader.beforeNextStart(() -> {
                try {
                    Files.delete(hold);
                    handed.get(wait, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(pool.applyAsync(x -> x + 1, 2).get(wait, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(longTask.get(wait, TimeUnit.SECONDS)).isZero();
            // Before (the writer parked before it first wrote): the task was never written to the replacement, whose
            // reader waited for its outcome for good
            assertThat(handed.get(wait, TimeUnit.SECONDS).get(wait, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            OutcomeReader.beforeNextStart(null);
            Files.deleteIfExists(hold);
            pool.shutdownNow();
        }
        assertThat(pool.awaitTermination(Delays.seconds(30).toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aFrameHandedToTheWriterBeforeItStarted_isWrittenOnceItStarts() throws Exception {
        WorkerConfig config = new WorkerConfig(1, new byte[0], 0, 0, null, 0, WorkerConfig.ADAPTIVE_PREFETCH,
                new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of()), "WriterStart");
        WorkerBoot boot = new WorkerBoot(config, new ReentrantLock());
        Worker w = boot.bootOne(boot.ticket());
        try {
            w.post(FrameType.STOP, 0, new byte[0]);
            w.flushInBackground(); // as a reader thread that gave the new worker work does
            w.startWriter();
            assertThat(w.child.process().waitFor(60, TimeUnit.SECONDS))
                    .as("the worker read its STOP and exited").isTrue();
        } finally {
            w.dead = true;
            w.stopWriter();
            w.child.discard();
        }
    }
}
