package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a task may leave behind in a pool's worker, and how the worker and the pool cope. */
class WorkerTaskEdgesTest {

    @Test
    void aTaskThatReturnsWithItsThreadInterrupted_costsNothing_theNextTaskRunsInTheSameWorker_notInterrupted()
            throws Exception {
        // The initializer and the first task each leave the worker's thread interrupted. The worker used to die
        // the next time it waited for its connection (an interrupt closes the channel), or, if the next task came
        // at once, run that task interrupted.
        try (ProcessPool pool = ProcessPool.builder().processes(1)
                .initializer(() -> Thread.currentThread().interrupt()).build()) {
            List<Long> first = pool.<Integer, List<Long>>apply(x -> {
                boolean interrupted = Thread.currentThread().isInterrupted();
                Thread.currentThread().interrupt();
                return List.of(ProcessHandle.current().pid(), interrupted ? 1L : 0L);
            }, 1);
            List<Long> second = pool.<Integer, List<Long>>apply(x ->
                    List.of(ProcessHandle.current().pid(), Thread.currentThread().isInterrupted() ? 1L : 0L), 2);
            assertThat(first.get(1)).as("the first task was interrupted by the initializer").isZero();
            assertThat(second.get(1)).as("the second task was interrupted by the first").isZero();
            assertThat(second.get(0)).as("the worker of the second task").isEqualTo(first.get(0));
        }
    }
}
