package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.pool.ProcessPoolTest.pid;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks sent ahead to a worker (prefetch) and queued behind a task that turns out long are taken back for an
 * idle worker, as an idle worker of Python's {@code Pool} takes the next task: with real worker JVMs.
 */
class ProcessPoolReclaimTest {

    @TempDir
    Path tmp;

    /** {@code pool.applyAsync(f, from + i)} for each i below {@code count}, in order. */
    private static List<CompletableFuture<Integer>> applyEach(ProcessPool pool, SerializableFunction<Integer, Integer> f,
                                                              int from, int count) {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(pool.applyAsync(f, from + i));
        }
        return futures;
    }

    /** How many times each task ran, by "round-task", from the marks that {@link #leavesAMarkThenSleeps(Path)} leaves. */
    private static Map<String, Long> runsPerTask(Path dir) throws IOException {
        try (Stream<Path> marks = Files.list(dir)) {
            return marks.map(p -> p.getFileName().toString().split("-"))
                    .collect(Collectors.groupingBy(parts -> parts[0] + "-" + parts[1], Collectors.counting()));
        }
    }

    /** Task 2 waits for the gate and returns -1; every other returns twice its argument at once. */
    private static SerializableFunction<Integer, Integer> task2WaitsFor(Path gate) {
        String path = gate.toString();
        return x -> {
            if (x == 2) {
                while (!Files.exists(Path.of(path))) {
                    LockSupport.parkNanos(5_000_000);
                }
                return -1;
            }
            return x * 2;
        };
    }

    @Test
    void withTheDefaultPrefetch_quickTasksQueuedBehindALongOne_runOnTheIdleWorker_whileItRuns() throws Exception {
        Path gate = tmp.resolve("gate");
        try (ProcessPool pool = ProcessPool.create(2)) {
            // A run of short tasks: the adaptive prefetch sends up to 128 tasks ahead to a worker.
            assertThat(pool.map(x -> x, IntStream.range(0, 300).boxed().toList(), 1)).hasSize(300);
            // Tasks 0 and 1 go to the two idle workers, the rest wait in the pool; the outcome of 0 (or 1) sends the
            // long task 2 to its worker, and quick ones behind it. The other worker soon has nothing left to run.
            SerializableFunction<Integer, Integer> f = task2WaitsFor(gate);
            List<CompletableFuture<Integer>> futures = applyEach(pool, f, 0, 40);
            CompletableFuture<Integer> longTask = futures.get(2);
            try {
                Awaitility.await("every quick task").atMost(Delays.seconds(60)).until(() ->
                        IntStream.range(0, 40).filter(i -> i != 2).allMatch(i -> futures.get(i).isDone()));
                assertThat(longTask).as("the long task, which only ends once the gate is there").isNotDone();
                for (int i = 0; i < 40; i++) {
                    if (i != 2) {
                        assertThat(futures.get(i).get()).isEqualTo(2 * i);
                    }
                }
            } finally {
                Files.createFile(gate); // also when a check failed: close() waits for the long task
            }
            assertThat(longTask.get(60, TimeUnit.SECONDS)).isEqualTo(-1);
            assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).as("the pool serves on").containsExactly(2, 3, 4);
        }
    }

    /**
     * Task {@code round * 1000 + i}: leaves a file named after it (and its pid) when it starts, sleeps, returns
     * its argument. Task 2 of each round sleeps {@code 5 + 13 * round % 50} ms, around the time the pool takes
     * back what is queued behind it; tasks from 3 on sleep 0, 2, 0 or 7 ms.
     */
    private static SerializableFunction<Integer, Integer> leavesAMarkThenSleeps(Path dir) {
        return leavesAMarkThenSleeps(dir, -1);
    }

    /** As {@link #leavesAMarkThenSleeps(Path)}, but task 2 sleeps {@code task2Millis}, unless that is negative. */
    private static SerializableFunction<Integer, Integer> leavesAMarkThenSleeps(Path dir, long task2Millis) {
        String path = dir.toString();
        return x -> {
            int round = x / 1000;
            int i = x % 1000;
            try {
                Files.createFile(Path.of(path, round + "-" + i + "-" + pid() + "-" + System.nanoTime()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long millis = i < 2 ? 0 : i == 2 ? (task2Millis >= 0 ? task2Millis : 5 + (13L * round) % 50)
                    : new long[] {0, 2, 0, 7}[i % 4];
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
            return x;
        };
    }

    @Test
    void tasksTakenBackAsTheirWorkerMovesOn_eachRunExactlyOnce_overManyRounds() throws Exception {
        // Each round queues tasks behind task 2 on one worker while the other runs dry; task 2 ends before, while,
        // or after the pool asks for them back, so that a CANCEL meets a task just started, one already run, one
        // still queued. Each must run exactly once (and deliver its own result), whichever worker runs it.
        Path dir = Files.createDirectories(tmp.resolve("marks"));
        int rounds = 60;
        int tasks = 12;
        try (ProcessPool pool = ProcessPool.builder().processes(2).prefetch(8).build()) {
            SerializableFunction<Integer, Integer> f = leavesAMarkThenSleeps(dir);
            for (int round = 0; round < rounds; round++) {
                List<CompletableFuture<Integer>> futures = applyEach(pool, f, round * 1000, tasks);
                for (int i = 0; i < tasks; i++) {
                    assertThat(futures.get(i).get(60, TimeUnit.SECONDS)).as("round %d, task %d", round, i)
                            .isEqualTo(round * 1000 + i);
                }
            }
        }
        Map<String, Long> runs = runsPerTask(dir);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < tasks; i++) {
                assertThat(runs.get(round + "-" + i)).as("runs of round %d, task %d", round, i).isEqualTo(1L);
            }
        }
        assertThat(runs).hasSize(rounds * tasks);
    }

    @Test
    void aLongTaskWhoseQueueWasTakenBack_stillTimesOut_andTheTasksTakenBackRanElsewhere() throws Exception {
        Path gate = tmp.resolve("never-opened");
        try (ProcessPool pool = ProcessPool.builder().processes(2).taskTimeout(Delays.seconds(8)).build()) {
            assertThat(pool.map(x -> x, IntStream.range(0, 300).boxed().toList(), 1)).hasSize(300);
            SerializableFunction<Integer, Integer> f = task2WaitsFor(gate);
            List<CompletableFuture<Integer>> futures = applyEach(pool, f, 0, 40);
            CompletableFuture<Integer> longTask = futures.get(2);
            Awaitility.await("every quick task").atMost(Delays.seconds(60)).until(() ->
                    IntStream.range(0, 40).filter(i -> i != 2).allMatch(i -> futures.get(i).isDone()));
            for (int i = 0; i < 40; i++) {
                if (i != 2) {
                    assertThat(futures.get(i).get()).isEqualTo(2 * i);
                }
            }
            assertThat(longTask).failsWithin(Delays.seconds(60)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(TaskTimeoutException.class);
            assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).as("the pool serves on").containsExactly(2, 3, 4);
        }
    }

    @Test
    void aTaskCancelledWhileItIsTakenBack_neverRunsAfterTheCancel_andTheOthersRunExactlyOnce() throws Exception {
        // As the race above, and task 5 is cancelled (without interrupt) a few ms into the round: before, while or
        // after the pool takes it back. Cancelled, it runs at most once (if it had started); else (done already) it
        // ran once. Nothing is lost.
        Path dir = Files.createDirectories(tmp.resolve("marks"));
        int rounds = 30;
        int tasks = 12;
        boolean[] cancelled = new boolean[rounds];
        try (ProcessPool pool = ProcessPool.builder().processes(2).prefetch(8).build()) {
            SerializableFunction<Integer, Integer> f = leavesAMarkThenSleeps(dir);
            for (int round = 0; round < rounds; round++) {
                List<CompletableFuture<Integer>> futures = applyEach(pool, f, round * 1000, tasks);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos((7L * round) % 40));
                cancelled[round] = futures.get(5).cancel(false);
                for (int i = 0; i < tasks; i++) {
                    if (i != 5 || !cancelled[round]) {
                        assertThat(futures.get(i).get(60, TimeUnit.SECONDS)).as("round %d, task %d", round, i)
                                .isEqualTo(round * 1000 + i);
                    }
                }
            }
            assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).as("the pool serves on").containsExactly(2, 3, 4);
        }
        Map<String, Long> runs = runsPerTask(dir);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < tasks; i++) {
                if (i == 5 && cancelled[round]) {
                    assertThat(runs.getOrDefault(round + "-" + i, 0L)).as("runs of round %d, cancelled task", round)
                            .isLessThanOrEqualTo(1L);
                } else {
                    assertThat(runs.get(round + "-" + i)).as("runs of round %d, task %d", round, i).isEqualTo(1L);
                }
            }
        }
        assertThat(cancelled).as("rounds whose task 5 was cancelled").contains(true);
    }

    @Test
    void shutdownNow_whileTasksAreTakenBack_endsEveryFuture_andTheOthersStillRunOnce() throws Exception {
        // shutdownNow comes before, while or after the pool takes back what is queued behind task 2: every future
        // ends (a result, a cancellation or a crash of the killed worker), none hangs, and nothing runs twice.
        Path dir = Files.createDirectories(tmp.resolve("marks"));
        int rounds = 8;
        for (int round = 0; round < rounds; round++) {
            ProcessPool pool = ProcessPool.builder().processes(2).prefetch(8).build();
            SerializableFunction<Integer, Integer> f = leavesAMarkThenSleeps(dir, 40);
            // Warm workers: a first call of f loads what it uses, and would hold up task 0 or 1 for many ms. Each of
            // these is task 0 or 1 of a round of its own (from 100 on), which runs at once.
            int first = 100 + 100 * round;
            List<Integer> warmUp = IntStream.range(0, 100).mapToObj(k -> (first + k) * 1000 + k % 2).toList();
            assertThat(pool.map(f, warmUp, 1)).isEqualTo(warmUp);
            List<CompletableFuture<Integer>> futures = applyEach(pool, f, round * 1000, 12);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(15 + 5L * round));
            pool.shutdownNow();
            for (CompletableFuture<Integer> future : futures) {
                try {
                    future.get(30, TimeUnit.SECONDS); // a TimeoutException fails the test
                } catch (ExecutionException | CancellationException ended) {
                    // ended, as it may after shutdownNow
                }
            }
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("round %d: terminated", round).isTrue();
        }
        assertThat(runsPerTask(dir)).as("runs of each task").allSatisfy((task, runs) -> assertThat(runs).isEqualTo(1L));
    }

    /**
     * Task 0 and 1 wait for {@code start}; task 2 waits for {@code gate} and returns a 1 MB array; any other
     * argument comes back at once as its length (an array) or itself.
     */
    private static SerializableFunction<Object, Object> bigResultAfter(Path start, Path gate) {
        String startPath = start.toString();
        String gatePath = gate.toString();
        return x -> {
            if (x instanceof byte[] bytes) {
                return bytes.length;
            }
            if (x instanceof Integer i && i <= 2) {
                while (!Files.exists(Path.of(i == 2 ? gatePath : startPath))) {
                    LockSupport.parkNanos(2_000_000);
                }
                return i == 2 ? new byte[1 << 20] : i;
            }
            return x;
        };
    }

    @Test
    void aTaskTakenBack_whoseSkipComesAfterShutdownNow_isCancelled_ratherThanLeftPendingForEver() throws Exception {
        // Task 3 (an argument over 64 KB, which the worker's watch cannot read while task 2 runs, and small enough for
        // the socket to hold the rest, so that the CANCEL after it is written at once) is queued behind
        // task 2 and taken back for the idle worker: the worker reads that CANCEL only once task 2 is over, and
        // answers SKIPPED right after 2's result. 2's result is large, so the pool reads it alone, and its callback
        // calls shutdownNow() before the pool reads the SKIPPED, with task 3 the head of its worker's queue (so
        // taken to be running: shutdownNow leaves it to the worker's end). The SKIPPED sent 3 back to the pool's
        // queue, after shutdownNow had emptied it: a worker killed but not yet known dead took it (and its death
        // cancelled it), but once both deaths were noticed, nothing ever completed its future.
        Path start = tmp.resolve("start");
        Path gate = tmp.resolve("gate");
        ProcessPool pool = ProcessPool.builder().processes(2).prefetch(8).build();
        try {
            SerializableFunction<Object, Object> f = bigResultAfter(start, gate);
            assertThat(pool.map(f, List.<Object>of(7, 8, 9, 10), 1)).containsExactly(7, 8, 9, 10);
            CompletableFuture<Object> first = pool.applyAsync(f, 0);
            CompletableFuture<Object> second = pool.applyAsync(f, 1);
            // Both workers busy: 2 and 3 wait in the pool, and the first outcome sends both to its worker.
            CompletableFuture<Object> longTask = pool.applyAsync(f, 2);
            CompletableFuture<Object> queued = pool.applyAsync(f, new byte[80_000]);
            longTask.whenComplete((result, failure) -> {
                Set<Long> workers = pool.workerPids();
                pool.shutdownNow();
                // The pool notices the workers' deaths before this thread (the reader of task 2's worker) reads on,
                // as it does when that thread is held up a few ms: no worker is left to take task 3.
                Awaitility.await("both workers' deaths noticed").atMost(Delays.seconds(30))
                        .until(() -> workers.stream().noneMatch(ChildProcesses::running) && pool.workerPids().size() <= 1);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
            });
            Files.createFile(start);
            assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo(0);
            assertThat(second.get(60, TimeUnit.SECONDS)).isEqualTo(1);
            // One worker is idle now: the pool takes task 3 back once task 2 has run 20 ms (had it not by the time the
            // gate opens, task 3 would simply run after task 2: the test would pass without proving anything).
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
            Files.createFile(gate);
            assertThat(longTask.get(60, TimeUnit.SECONDS)).isInstanceOf(byte[].class);
            Awaitility.await("task 3 ends").atMost(Delays.seconds(30)).until(queued::isDone);
            assertThat(queued).isCancelled();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    /** The CPU time, in clock ticks, of this worker's long-task watch thread so far (Linux). */
    private static long watchCpuTicks() {
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            for (Path thread : threads.toList()) {
                String stat;
                try {
                    if (!Files.readString(thread.resolve("comm")).strip().startsWith("mp4j-long-task")) {
                        continue;
                    }
                    stat = Files.readString(thread.resolve("stat"));
                } catch (NoSuchFileException ended) {
                    continue; // another thread of the worker ended between the listing and the read
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no long-task watch thread in this worker");
    }

    @Test
    void aTaskThatInterruptsEveryThreadOfItsGroup_leavesTheWorkersLongTaskWatchAsleep_notSpinning() throws Exception {
        // ThreadGroup.interrupt() reached the thread that reads the connection while a task runs long: nothing
        // cleared its interrupt, and a parked thread whose interrupt is set wakes at once, so it spun on a core for
        // the rest of the worker's life (measured: 1 s of CPU in each second the worker idled).
        try (ProcessPool pool = ProcessPool.create(1)) {
            pool.<Integer, Integer>apply(x -> {
                Thread.currentThread().getThreadGroup().interrupt();
                return x;
            }, 1);
            long before = pool.<Integer, Long>apply(x -> watchCpuTicks(), 1);
            Thread.sleep(1000); // the worker idles
            long after = pool.<Integer, Long>apply(x -> watchCpuTicks(), 1);
            assertThat(after - before).as("CPU ticks (10 ms) the watch used while its worker idled for 1 s")
                    .isLessThan(20);
        }
    }
}
