package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.pool.ProcessPoolTest.append;
import static io.github.multiprocessing4j.pool.ProcessPoolTest.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options of {@link ProcessPool.Builder} over a pool's life, with real worker JVMs. */
class ProcessPoolOptionsTest {

    @TempDir
    Path tmp;

    /** The first worker to run it fails; every other one hangs in it, after writing its pid to {@code hanging}. */
    static SerializableRunnable firstFailsOthersHang(String mark, String hanging) {
        return () -> {
            try {
                if (new File(mark).createNewFile()) {
                    throw new IllegalStateException("no database");
                }
                append(hanging, String.valueOf(pid()));
                Thread.sleep(Long.MAX_VALUE);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void prefetch_ofIntegerMaxValue_stillSendsTasksToTheWorkers() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).prefetch(Integer.MAX_VALUE).build()) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(pool.applyAsync(x -> x * 2, i));
            }
            for (int i = 0; i < 5; i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i * 2);
            }
            assertThat(pool.map(x -> x + 1, List.of(1, 2, 3), 1)).containsExactly(2, 3, 4);
        }
    }

    @Test
    void build_failsAsSoonAsOneInitializerFails_killingWorkersWhoseInitializerStillRuns() throws Exception {
        String mark = tmp.resolve("first").toString();
        String hanging = tmp.resolve("hanging").toString();
        Set<Long> before = ChildProcesses.livePids();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                ProcessPool.builder().processes(2).initializer(firstFailsOthersHang(mark, hanging)).build().close();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable failure = outcome.get(60, TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("initializer failed")
                .cause().hasMessage("no database");
        Awaitility.await().atMost(Delays.seconds(20)).untilAsserted(() ->
                assertThat(before).as("no worker left alive").containsAll(ChildProcesses.livePids()));
    }

    @Test
    void build_interruptedWhileAnInitializerHangs_throws_andLeavesNoWorkerBehind() throws Exception {
        String mark = tmp.resolve("first").toString();
        String hanging = tmp.resolve("hanging").toString();
        new File(mark).createNewFile(); // so every worker hangs
        Set<Long> before = ChildProcesses.livePids();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread builder = Thread.ofPlatform().start(() -> {
            try {
                ProcessPool.builder().processes(1).initializer(firstFailsOthersHang(mark, hanging)).build().close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Awaitility.await().atMost(Delays.seconds(30))
                .until(() -> Files.exists(Path.of(hanging)) && Files.readString(Path.of(hanging)).endsWith("\n"));
        long worker = Long.parseLong(Files.readString(Path.of(hanging)).strip());
        builder.interrupt();
        builder.join(Delays.seconds(30).toMillis());
        assertThat(builder.isAlive()).as("build() still waiting").isFalse();
        assertThat(failure.get()).isNotNull();
        Awaitility.await().atMost(Delays.seconds(20)).until(() -> ProcessHandle.of(worker).isEmpty());
        assertThat(before).as("no worker left alive").containsAll(ChildProcesses.livePids());
    }

    @Test
    void close_withNothingToRun_doesNotWaitForAReplacementWhoseInitializerHangs() throws Exception {
        // The first worker starts; its replacement (it retires after one task) hangs in the initializer.
        String mark = tmp.resolve("first").toString();
        String hanging = tmp.resolve("hanging").toString();
        new File(mark).delete();
        SerializableRunnable init = ProcessPoolTest.firstRunsOthersHang(mark, hanging);
        Set<Long> before = ChildProcesses.livePids();
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).initializer(init).build();
        try {
            assertThat(pool.<Integer, Integer>apply(x -> x, 7)).isEqualTo(7);
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> Files.exists(Path.of(hanging)) && Files.readString(Path.of(hanging)).endsWith("\n"));

            CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::close);

            closing.get(30, TimeUnit.SECONDS);
            assertThat(pool.isTerminated()).isTrue();
            Awaitility.await().atMost(Delays.seconds(20)).untilAsserted(() ->
                    assertThat(before).as("no worker left alive").containsAll(ChildProcesses.livePids()));
        } finally {
            pool.terminate();
        }
    }

    @Test
    void retries_ofATaskThatAlwaysCrashesItsWorker_areBounded_andTheFailureSaysHowManyRunsItHad() throws Exception {
        String log = tmp.resolve("runs").toString();
        SerializableFunction<Integer, Integer> crash = x -> {
            append(log, String.valueOf(pid()));
            Runtime.getRuntime().halt(7);
            return x;
        };
        try (ProcessPool pool = ProcessPool.builder().processes(1).retries(2).build()) {
            assertThatThrownBy(() -> pool.apply(crash, 1)).cause().isInstanceOf(WorkerCrashedException.class)
                    .hasMessageContaining("in each of its 3 runs: retries(2)").hasMessageContaining("exit code 7");
            assertThat(Files.readAllLines(Path.of(log))).as("runs, each in a worker of its own").hasSize(3)
                    .doesNotHaveDuplicates();
            assertThat(pool.<Integer, Integer>apply(x -> x + 1, 1)).as("the pool serves on").isEqualTo(2);
        }
    }

    @Test
    void maxTasksPerChild_ofOne_withMapChunksAndPrefetch_runsOneChunkPerWorker_andLosesOrRepeatsNone() throws Exception {
        String dir = tmp.resolve("runs").toString();
        Files.createDirectories(Path.of(dir));
        SerializableFunction<Integer, Integer> counted = x -> {
            append(dir + "/" + pid(), String.valueOf(x));
            return x * 10;
        };
        List<Integer> expected = PoolContract.range(24).stream().map(x -> x * 10).toList();
        try (ProcessPool pool = ProcessPool.builder().processes(2).maxTasksPerChild(1).prefetch(8).build()) {
            assertThat(pool.map(counted, PoolContract.range(24), 3)).isEqualTo(expected);
            List<Integer> lazily = new ArrayList<>();
            pool.imap(counted, PoolContract.range(24), 3).forEachRemaining(lazily::add);
            assertThat(lazily).isEqualTo(expected);
        }
        List<Integer> ran = new ArrayList<>();
        try (var files = Files.list(Path.of(dir))) {
            for (Path f : files.toList()) {
                List<String> items = Files.readAllLines(f);
                assertThat(items).as("items run by worker " + f.getFileName() + ": one chunk").hasSize(3);
                items.forEach(i -> ran.add(Integer.parseInt(i)));
            }
        }
        List<Integer> twice = new ArrayList<>(PoolContract.range(24));
        twice.addAll(PoolContract.range(24));
        assertThat(ran).as("every item ran once per call").containsExactlyInAnyOrderElementsOf(twice);
    }

    /** In a worker: its pid, once the file {@code gate} exists; it first appends a line to {@code started}, if given. */
    static SerializableFunction<Integer, Long> pidOnceOpen(String gate, String started) {
        return x -> {
            if (started != null) {
                append(started, "yes");
            }
            while (!Files.exists(Path.of(gate))) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
            return pid();
        };
    }

    @Test
    void maxTasksPerChild_doesNotCountATaskSentAheadAndCancelledBeforeItStarted() throws Exception {
        // Python's maxtasksperchild counts the tasks a worker has run. A task sent ahead to a worker (prefetch) and
        // cancelled there is skipped by the worker: it used to count all the same (the count was of tasks sent), so
        // the worker was replaced after running one task fewer than the limit.
        String gateA = tmp.resolve("a").toString();
        String gateB = tmp.resolve("b").toString();
        String started = tmp.resolve("started").toString();
        try (ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(4).prefetch(4).build()) {
            CompletableFuture<Long> a = pool.applyAsync(pidOnceOpen(gateA, null), 1);
            // b, c and d wait in the pool while a runs; a's outcome sends all three to the worker at once
            CompletableFuture<Long> b = pool.applyAsync(pidOnceOpen(gateB, started), 2);
            CompletableFuture<Long> c = pool.applyAsync(x -> pid(), 3);
            CompletableFuture<Long> d = pool.applyAsync(x -> pid(), 4);
            Files.createFile(Path.of(gateA));
            long worker = a.get(60, TimeUnit.SECONDS);
            Awaitility.await().atMost(Delays.seconds(60)).until(() -> Files.exists(Path.of(started)));
            assertThat(c.cancel(false)).as("c, queued on the worker behind b, is cancelled").isTrue();
            Files.createFile(Path.of(gateB));
            assertThat(b.get(60, TimeUnit.SECONDS)).isEqualTo(worker);
            assertThat(d.get(60, TimeUnit.SECONDS)).isEqualTo(worker);
            // a, b and d ran: the worker has one task to go before it is replaced
            assertThat(pool.<Integer, Long>apply(x -> pid(), 5)).as("the worker's fourth task").isEqualTo(worker);
            assertThat(pool.<Integer, Long>apply(x -> pid(), 6)).as("a fifth goes to its replacement")
                    .isNotEqualTo(worker);
        }
    }

    /**
     * Two workers busy with a and b; a long task and a quick one wait in the pool. a's outcome hands the worker that
     * ran it the long task, and the quick one too when {@code prefetch} leaves room behind it. Then b ends and its
     * worker goes idle. Checks that the quick task is done, on that idle worker, while the long one still runs
     * (with room behind the long task, because the pool takes the quick one back from there).
     */
    private void quickTaskRunsBesideALongOne(int prefetch) throws Exception {
        String dir = tmp.resolve("prefetch" + prefetch).toString();
        Files.createDirectories(Path.of(dir));
        String gateA = dir + "/a";
        String gateB = dir + "/b";
        String gateLong = dir + "/long";
        String longStarted = dir + "/long-started";
        try (ProcessPool pool = ProcessPool.builder().processes(2).prefetch(prefetch).build()) {
            CompletableFuture<Long> a = pool.applyAsync(pidOnceOpen(gateA, null), 1);
            CompletableFuture<Long> b = pool.applyAsync(pidOnceOpen(gateB, null), 2);
            CompletableFuture<Long> longTask = pool.applyAsync(pidOnceOpen(gateLong, longStarted), 3);
            CompletableFuture<Long> quick = pool.applyAsync(x -> pid(), 4);
            try {
                Files.createFile(Path.of(gateA));
                long first = a.get(60, TimeUnit.SECONDS);
                Awaitility.await().atMost(Delays.seconds(60)).until(() -> Files.exists(Path.of(longStarted)));
                Files.createFile(Path.of(gateB));
                long second = b.get(60, TimeUnit.SECONDS);
                assertThat(second).as("a and b ran on different workers").isNotEqualTo(first);
                assertThat(quick.get(60, TimeUnit.SECONDS)).as("the quick task's worker").isEqualTo(second);
                assertThat(longTask).as("the long task, which only ends once its gate is there").isNotDone();
                // b's worker serves a task submitted now at once, too
                assertThat(pool.<Integer, Long>apply(x -> pid(), 5)).isEqualTo(second);
                Files.createFile(Path.of(gateLong));
                assertThat(longTask.get(60, TimeUnit.SECONDS)).isEqualTo(first);
            } finally {
                for (String gate : List.of(gateA, gateB, gateLong)) {
                    if (!Files.exists(Path.of(gate))) {
                        Files.createFile(Path.of(gate)); // a check failed: close() waits for the tasks
                    }
                }
            }
        }
    }

    @Test
    void prefetch_ofZero_letsAQuickTaskRunOnAnIdleWorker_ratherThanWaitBehindALongOne() throws Exception {
        quickTaskRunsBesideALongOne(0);
    }

    @Test
    void prefetch_aboveZero_aQuickTaskQueuedBehindALongOne_isTakenBackByAnIdleWorker() throws Exception {
        // The quick task was sent with the long one, as their worker's outcome was handled. It used to wait there for
        // the long task's whole run while the other worker idled: the pool now takes it back for the idle worker.
        quickTaskRunsBesideALongOne(4);
    }

    @Test
    void maxMemoryPerChild_belowAWorkersBaseline_recyclesAfterEveryTask_andStillServesEach() throws Exception {
        assumeResidentMemoryIsMeasured();
        try (ProcessPool pool = ProcessPool.builder().processes(1).maxMemoryPerChild(1).build()) {
            List<CompletableFuture<Long>> pids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pids.add(pool.applyAsync(x -> pid(), i));
            }
            Set<Long> distinct = new java.util.HashSet<>();
            for (CompletableFuture<Long> p : pids) {
                distinct.add(p.get(60, TimeUnit.SECONDS));
            }
            assertThat(distinct).as("a worker for each task").hasSize(4);
        }
    }

    private static void assumeResidentMemoryIsMeasured() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/status")),
                "maxMemoryPerChild reads /proc/self/status");
    }

    @Test
    void taskTimeout_ofATaskQueuedBehindAnother_countsFromItsOwnStart() throws Exception {
        // Each task runs for most of the timeout. The second and third wait in the pool while the first runs; its
        // outcome sends both to the worker, the third queued behind the second. Had the third's clock started then,
        // it would have timed out.
        try (ProcessPool pool = ProcessPool.builder().processes(1).prefetch(4)
                .taskTimeout(Delays.seconds(4)).build()) {
            long sleep = Delays.seconds(2.5).toMillis();
            SerializableFunction<Long, Long> sleeping = ms -> {
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return pid();
            };
            CompletableFuture<Long> first = pool.applyAsync(sleeping, sleep);
            CompletableFuture<Long> second = pool.applyAsync(sleeping, sleep);
            CompletableFuture<Long> third = pool.applyAsync(sleeping, sleep);
            long worker = first.get(60, TimeUnit.SECONDS);
            assertThat(second.get(60, TimeUnit.SECONDS)).as("ran in the same worker").isEqualTo(worker);
            assertThat(third.get(60, TimeUnit.SECONDS)).as("ran in the same worker").isEqualTo(worker);
        }
    }
}
