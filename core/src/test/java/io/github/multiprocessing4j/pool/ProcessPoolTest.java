package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.pool.fixtures.BrokenInWorkers;
import io.github.multiprocessing4j.pool.fixtures.CountingFunction;
import io.github.multiprocessing4j.pool.fixtures.PoolParentMain;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.process.RemoteTaskException;
import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.ChildProcesses;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.UnprintableException;
import io.github.multiprocessing4j.testing.UnreadableException;
import io.github.multiprocessing4j.testing.TestJvm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a pool of processes can promise: it survives its workers' deaths and can stop any task. */
class ProcessPoolTest {

    @TempDir
    Path tmp;

    static long pid() {
        return ProcessHandle.current().pid();
    }

    /**
     * An initializer that lets the first worker to run it through, leaving {@code mark}; every later one (a
     * replacement) writes its pid to {@code hanging} and hangs.
     */
    static SerializableRunnable firstRunsOthersHang(String mark, String hanging) {
        return () -> {
            try {
                if (!new File(mark).createNewFile()) {
                    append(hanging, String.valueOf(pid()));
                    Thread.sleep(Long.MAX_VALUE);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** Whether {@code file} holds a whole line, as {@link #append} writes it in one write. */
    static boolean hasLine(Path file) {
        try {
            return Files.readString(file).endsWith("\n");
        } catch (IOException absent) {
            return false;
        }
    }

    static void append(String file, String line) {
        try {
            Files.writeString(Path.of(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aWorkerKilledFromOutside_failsExactlyTheTaskItWasRunning_andEveryOtherTaskCompletes() throws Exception {
        // Tasks from 100 on wait for the gate, opened after the kill: however slowly this thread gets to the
        // kill, both workers are still running a task then (else the victim could have run out of work).
        String gate = tmp.resolve("gate").toString();
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<CompletableFuture<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                tasks.add(pool.applyAsync(x -> {
                    sleepMillis(10);
                    while (x >= 100 && !Files.exists(Path.of(gate))) {
                        LockSupport.parkNanos(5_000_000);
                    }
                    return pid();
                }, i));
            }
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> tasks.stream().filter(CompletableFuture::isDone).count() >= 20);
            long victim = pool.workerPids().iterator().next();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            Files.createFile(Path.of(gate));
            int failed = 0;
            int ok = 0;
            for (CompletableFuture<Long> t : tasks) {
                try {
                    t.get(60, TimeUnit.SECONDS);
                    ok++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(WorkerCrashedException.class, crash -> {
                        assertThat(crash.pid()).isEqualTo(victim);
                        assertThat(crash.signal()).hasValue(9);
                        assertThat(crash.getMessage()).contains("SIGKILL");
                    });
                    failed++;
                }
            }
            assertThat(failed).as("tasks that failed").isEqualTo(1);
            assertThat(ok).isEqualTo(199);
            assertThat(pool.workerPids()).doesNotContain(victim);
        }
    }

    @Test
    void anIdleWorkerKilledFromOutside_isNoticedAndReplaced() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            long victim = pool.workerPids().iterator().next();
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> !pool.workerPids().contains(victim) && pool.workerPids().size() == 2);
            assertThat(pool.<Integer, Integer>apply(x -> x + 1, 1)).isEqualTo(2);
        }
    }

    @Test
    void apply_interruptedWhileItWaits_throwsInterruptedException_andThePoolServesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            Thread caller = Thread.currentThread();
            Thread.ofPlatform().start(() -> {
                sleepMillis(300);
                caller.interrupt();
            });
            assertThatThrownBy(() -> pool.apply(x -> sleepMillis(60_000), 1)).isInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            assertThat(pool.<Integer, Integer>apply(x -> x * 3, 3)).isEqualTo(9);
        }
    }

    @Test
    void apply_interruptedWhileItReadsItsWorker_stopsThatWorkerAtOnce() throws Exception {
        String ticks = tmp.resolve("ticks").toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            Thread caller = Thread.currentThread();
            AtomicLong ticksAtInterrupt = new AtomicLong();
            Thread.ofPlatform().start(() -> {
                Awaitility.await().atMost(Delays.seconds(30)).until(() -> lineCount(ticks) >= 2);
                ticksAtInterrupt.set(lineCount(ticks));
                caller.interrupt();
            });
            SerializableFunction<Integer, Integer> ticking = x -> {
                while (true) {
                    append(ticks, "tick");
                    sleepMillis(100);
                }
            };
            assertThatThrownBy(() -> pool.apply(ticking, 1)).isInstanceOf(InterruptedException.class);
            // The interrupt closed the connection the caller was reading, so the worker is lost: it is gone by
            // the time apply throws. One left to run on would tick ten times a second until it was stopped.
            assertThat(lineCount(ticks) - ticksAtInterrupt.get()).as("ticks after the interrupt").isLessThan(10);
            assertThat(pool.<Integer, Integer>apply(x -> x * 3, 3)).isEqualTo(9);
        }
    }

    private static long lineCount(String file) {
        try {
            return Files.exists(Path.of(file)) ? Files.readAllLines(Path.of(file)).size() : 0;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void tasksThatEndTheirJvm_failAlone_withTheExitCodeOrSignal_andThePoolServesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).jvmOptions(List.of("-Xmx64m",
                "-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"))).build()) {
            assertThat(crashOf(pool, x -> {
                Runtime.getRuntime().halt(3);
                return 0;
            })).satisfies(c -> assertThat(c.exitCode()).isEqualTo(3));
            assertThat(crashOf(pool, x -> {
                System.exit(5);
                return 0;
            })).satisfies(c -> assertThat(c.exitCode()).isEqualTo(5));
            assertThat(crashOf(pool, x -> {
                List<long[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new long[1 << 20]);
                }
            })).satisfies(c -> assertThat(c.stderrTail()).contains("OutOfMemoryError"));
            assertThat(crashOf(pool, x -> {
                try {
                    new ProcessBuilder("kill", "-SEGV", String.valueOf(pid())).start().waitFor();
                    Thread.sleep(10_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return 0;
            })).satisfies(c -> assertThat(c.signal()).as("a native crash ends in SIGABRT or SIGSEGV").isPresent());
            assertThat(pool.<Integer, Integer>apply(x -> x + 1, 41)).isEqualTo(42);
        }
    }

    private static WorkerCrashedException crashOf(Pool pool, SerializableFunction<Integer, Integer> task) {
        try {
            pool.apply(task, 1);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WorkerCrashedException.class);
            return (WorkerCrashedException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the task did not fail");
    }

    @Test
    void aSpinningTask_withAOneSecondTimeout_failsSoonAfterIt_andThePoolStillServes() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        try (ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(timeout).build()) {
            long before = pool.workerPids().iterator().next();
            long started = System.nanoTime();
            assertThatThrownBy(() -> pool.apply(x -> {
                long spin = 0;
                while (true) {
                    spin++;
                }
            }, 1)).isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class)
                    .hasMessageContaining("PT1S");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(timeout, timeout.plus(Delays.seconds(5)));
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
            assertThat(ProcessHandle.of(before)).isEmpty();
        }
    }

    /**
     * A task timeout is the pool's promise of a hard limit, so it must fire while this JVM's virtual threads are all
     * busy: CPU-bound virtual threads (a {@code VirtualThreadPool}'s, say) that hold every carrier, which the scheduler
     * never preempts. The timeout used to fire on a virtual thread, which waited for a free carrier.
     */
    @Test
    void aTaskTimeout_firesOnTime_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Delays.millis(500)).build()) {
            CompletableFuture<Integer> hung = pool.applyAsync(x -> {
                LockSupport.park(); // never returns on its own
                return x;
            }, 1);
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                assertThatThrownBy(() -> hung.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TaskTimeoutException.class);
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
            }
        }
    }

    /**
     * The pid that {@link #startsASleepAndWaits} wrote to {@code file}, once all of it is there: the file exists from
     * the moment the task creates it, before its line is written.
     */
    private static long pidWrittenTo(String file) {
        Path path = Path.of(file);
        return Awaitility.await().atMost(Delays.seconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(path) ? Files.readString(path) : "", text -> text.endsWith("\n"))
                .strip().transform(Long::parseLong);
    }

    /** A task that starts {@code sleep 300}, writes its pid to {@code file}, and waits for it. */
    static SerializableFunction<Integer, Integer> startsASleepAndWaits(String file) {
        return x -> {
            try {
                Process sleep = new ProcessBuilder("sleep", "300").start();
                append(file, String.valueOf(sleep.pid()));
                sleep.waitFor();
                return x;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void aTaskKilledAtItsTimeout_orCancelled_orStoppedByShutdownNow_takesTheProcessesItStartedWithIt() throws Exception {
        // The worker was SIGKILLed alone: the task's own child (a sleep here; an ffmpeg, a browser elsewhere) was
        // re-parented to init and ran on for its 300 s, an orphan the pool had promised not to leave.
        List<Long> sleeps = new ArrayList<>();
        try (ProcessPool pool = ProcessPool.builder().processes(1).taskTimeout(Duration.ofSeconds(2)).build()) {
            String file = tmp.resolve("timeout").toString();
            assertThatThrownBy(() -> pool.apply(startsASleepAndWaits(file), 1)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TaskTimeoutException.class);
            sleeps.add(pidWrittenTo(file));

            String cancelled = tmp.resolve("cancel").toString();
            CompletableFuture<Integer> task = pool.applyAsync(startsASleepAndWaits(cancelled), 2);
            sleeps.add(pidWrittenTo(cancelled));
            assertThat(task.cancel(true)).isTrue();

            String stopped = tmp.resolve("shutdownNow").toString();
            pool.applyAsync(startsASleepAndWaits(stopped), 3);
            sleeps.add(pidWrittenTo(stopped));
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            for (long pid : sleeps) {
                Awaitility.await().atMost(Delays.seconds(10)).pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(ChildProcesses.running(pid))
                                .as("the sleep (pid %d) a killed task started", pid).isFalse());
            }
        }
    }

    @Test
    void cancelWithInterrupt_ofARunningTask_killsItsWorker_andThePoolGoesOn() throws Exception {
        String started = tmp.resolve("started").toString();
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.workerPids().iterator().next();
            CompletableFuture<Integer> task = pool.applyAsync(x -> {
                append(started, "yes");
                sleepMillis(600_000);
                return x;
            }, 1);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            assertThat(task.cancel(true)).isTrue();
            assertThatThrownBy(task::join).isInstanceOf(CancellationException.class);
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(worker).isEmpty());
            assertThat(pool.<Integer, Integer>apply(x -> x + 1, 1)).isEqualTo(2);
        }
    }

    @Test
    void quickTasks_doNotWaitBehindALongOne_whileAnotherWorkerCanRunThem() throws Exception {
        Path gate = tmp.resolve("long-task-gate");
        try (ProcessPool pool = ProcessPool.create(2)) {
            CompletableFuture<Integer> longTask = pool.applyAsync(waitingFor(gate, x -> -1), 0);
            List<CompletableFuture<Integer>> quick = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                quick.add(pool.applyAsync(x -> x * 2, i));
            }
            try {
                // Each of them could run at once on the other worker: none may be held for the long task's worker.
                for (int i = 1; i <= 10; i++) {
                    assertThat(quick.get(i - 1).get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                            .isEqualTo(2 * i);
                }
                assertThat(longTask).as("the long task still runs").isNotDone();
            } finally {
                Files.createFile(gate); // also when a check failed: close() waits for the long task
            }
            assertThat(longTask.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertThatThrownBy(() -> ProcessPool.builder().prefetch(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefetch");
    }

    @Test
    void cancel_ofATaskQueuedBehindARunningOne_meansItNeverRuns() throws Exception {
        String ran = tmp.resolve("ran").toString();
        Path gate = tmp.resolve("gate"); // the blocker holds the only worker until the victim is cancelled
        try (ProcessPool pool = ProcessPool.create(1)) {
            CompletableFuture<Integer> blocker = pool.applyAsync(waitingFor(gate, x -> 800), 1);
            CompletableFuture<Integer> victim = pool.applyAsync(x -> {
                append(ran, "ran");
                return x;
            }, 2);
            assertThat(victim.cancel(false)).isTrue();
            Files.createFile(gate);
            assertThat(blocker.get()).isEqualTo(800);
            assertThat(pool.<Integer, Integer>apply(x -> x, 3)).isEqualTo(3);
            assertThat(Path.of(ran)).doesNotExist();
        }
    }

    @Test
    void cancel_ofATaskSentAheadToItsWorker_isSkippedThere_andNeverRuns() throws Exception {
        String ran = tmp.resolve("ran").toString();
        String started = tmp.resolve("blocker-started").toString();
        Path opener = tmp.resolve("opener-gate");
        Path gate = tmp.resolve("gate");
        try (ProcessPool pool = ProcessPool.builder().processes(1).prefetch(4).build()) {
            // The opener holds the worker while the blocker and the victim are queued in the pool; its outcome
            // then sends both to the worker at once, the victim queued there behind the running blocker.
            CompletableFuture<Integer> opener1 = pool.applyAsync(waitingFor(opener, x -> x), 1);
            String gatePath = gate.toString();
            CompletableFuture<Integer> blocker = pool.applyAsync(x -> {
                append(started, "started");
                while (!Files.exists(Path.of(gatePath))) {
                    LockSupport.parkNanos(5_000_000);
                }
                return 800;
            }, 2);
            CompletableFuture<Integer> victim = pool.applyAsync(x -> {
                append(ran, "ran");
                return x;
            }, 3);
            Files.createFile(opener);
            assertThat(opener1.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            assertThat(victim.cancel(false)).isTrue();
            Files.createFile(gate);
            assertThat(blocker.get(30, TimeUnit.SECONDS)).isEqualTo(800);
            assertThat(pool.<Integer, Integer>apply(x -> x, 4)).as("the same worker serves on").isEqualTo(4);
            assertThat(Path.of(ran)).doesNotExist();
        }
    }

    /** A result whose decoding in the parent waits for a gate file: it holds up the pool's reader thread. */
    static final class SlowToRead implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        private final String gate;

        SlowToRead(String gate) {
            this.gate = gate;
        }

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(Path.of(gate)) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(5_000_000);
            }
        }
    }

    @Test
    void cancelWithInterrupt_thatReachesAQueuedTaskAfterItsWorkerStartedIt_stillKillsTheWorker() throws Exception {
        String gate = tmp.resolve("reader-gate").toString();
        String started = tmp.resolve("late-victim-started").toString();
        try (ProcessPool pool = ProcessPool.builder().processes(1).prefetch(4).build()) {
            long worker = pool.workerPids().iterator().next();
            // The worker is sent up to 4 tasks ahead (whatever their average run time): the outcome of the first
            // task below sends the second and the third together.
            // While the parent decodes the first result, it reads nothing more: the worker runs the second task
            // and starts the third, which the parent still sees as queued behind the second.
            CompletableFuture<Object> first = pool.applyAsync(x -> new SlowToRead(gate), 1);
            CompletableFuture<Integer> second = pool.applyAsync(x -> x, 2);
            CompletableFuture<Integer> victim = pool.applyAsync(hangsOnceStarted(started), 3);
            Awaitility.await().atMost(Delays.seconds(30)).until(() -> Files.exists(Path.of(started)));
            assertThat(victim.cancel(true)).isTrue();
            Files.createFile(Path.of(gate));
            assertThat(first.get(30, TimeUnit.SECONDS)).isInstanceOf(SlowToRead.class);
            assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            Awaitility.await("the worker running the cancelled task is killed").atMost(Delays.seconds(20))
                    .until(() -> ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false) == false);
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).as("a new worker serves").isEqualTo(42);
        }
    }

    @Test
    void retries_runATaskAgain_whenItsWorkerDied() throws Exception {
        String marker = tmp.resolve("crashed-once").toString();
        SerializableFunction<Integer, String> crashFirstTime = x -> {
            if (!Files.exists(Path.of(marker))) {
                append(marker, "crash");
                Runtime.getRuntime().halt(9);
            }
            return "ok on attempt 2";
        };
        try (ProcessPool pool = ProcessPool.builder().processes(1).retries(1).build()) {
            assertThat(pool.apply(crashFirstTime, 1)).isEqualTo("ok on attempt 2");
        }
        Files.delete(Path.of(marker));
        try (ProcessPool pool = ProcessPool.builder().processes(1).build()) {
            assertThatThrownBy(() -> pool.apply(crashFirstTime, 1)).cause().isInstanceOf(WorkerCrashedException.class);
        }
    }

    @Test
    void maxTasksPerChild_replacesTheWorkerAfterThatManyTasks() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(2).build()) {
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                pids.add(pool.apply(x -> pid(), i));
            }
            Map<Long, Integer> tasksPerPid = new HashMap<>();
            pids.forEach(p -> tasksPerPid.merge(p, 1, Integer::sum));
            assertThat(tasksPerPid).hasSize(3).allSatisfy((p, n) -> assertThat(n).isEqualTo(2));
        }
    }

    @Test
    void maxMemoryPerChild_replacesAWorkerThatGrewTooBig_betweenTasks() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).maxMemoryPerChild(200L << 20)
                .jvmOptions(List.of("-Xmx512m")).build()) {
            long first = pool.apply(x -> pid(), 0);
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pids.add(pool.apply(x -> {
                    Leak.retain(64 << 20);
                    return pid();
                }, i));
            }
            assertThat(pids).contains(first);
            assertThat(Set.copyOf(pids)).as("workers that ran the leaking tasks").hasSizeGreaterThan(1);
        }
    }

    /** Memory a task leaks on purpose, touched so that it is resident. */
    static final class Leak {
        static final List<byte[]> RETAINED = new ArrayList<>();

        static void retain(int bytes) {
            byte[] block = new byte[bytes];
            Arrays.fill(block, (byte) 1);
            RETAINED.add(block);
        }
    }

    @Test
    void initializer_runsOnceInEachWorker_beforeItsFirstTask() throws Exception {
        String log = tmp.resolve("init").toString();
        try (ProcessPool pool = ProcessPool.builder().processes(2).initializer(() -> {
            append(log, String.valueOf(pid()));
            System.setProperty("initialized", "yes");
        }).build()) {
            assertThat(pool.map(x -> System.getProperty("initialized"), List.of(1, 2, 3, 4), 1)).containsOnly("yes");
            assertThat(Files.readAllLines(Path.of(log)).stream().map(Long::parseLong).toList())
                    .containsExactlyInAnyOrderElementsOf(pool.workerPids());
        }
    }

    @Test
    void aFailingInitializer_whoseExceptionCannotBeReadHere_failsTheBuildWithItsText_andLeavesNoWorkerBehind()
            throws Exception {
        // The exception's value threw an InternalError as this JVM read it: that escaped the build as a raw Error,
        // with neither "initializer failed" nor the exception's class, message or stack trace.
        String log = tmp.resolve("init").toString();
        assertThatThrownBy(() -> ProcessPool.builder().processes(2).initializer(() -> {
            append(log, String.valueOf(pid()));
            throw new UnreadableException("no database");
        }).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initializer failed")
                .cause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                    assertThat(e.remoteClassName()).isEqualTo(UnreadableException.class.getName());
                    assertThat(e.remoteMessage()).isEqualTo("no database");
                });
        for (String pid : Files.readAllLines(Path.of(log))) {
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(Long.parseLong(pid)).isEmpty());
        }
    }

    @Test
    void aFailingInitializer_failsTheBuildWithItsCause_andLeavesNoWorkerBehind() throws Exception {
        String log = tmp.resolve("init").toString();
        assertThatThrownBy(() -> ProcessPool.builder().processes(2).initializer(() -> {
            append(log, String.valueOf(pid()));
            throw new IllegalStateException("no database");
        }).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initializer failed")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("no database");
        for (String pid : Files.readAllLines(Path.of(log))) {
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(Long.parseLong(pid)).isEmpty());
        }
    }

    @Test
    void aBuildThatFails_killsItsReadyWorkers_withTheProcessesTheirInitializerStarted(@TempDir Path dir) throws Exception {
        // One worker's initializer starts a sleep (a server, elsewhere) and is ready; the other's fails, later. The
        // build then discards the ready worker: it was SIGKILLed alone, and its sleep ran on, re-parented to init.
        String gate = dir.resolve("gate").toString();
        String sleepPid = dir.resolve("sleep.pid").toString();
        try {
            assertThatThrownBy(() -> ProcessPool.builder().processes(2).initializer(() -> {
                try {
                    Files.createFile(Path.of(gate)); // the first worker here starts the sleep
                } catch (IOException taken) {
                    // Fails once the first worker is ready: its initializer has written the sleep's pid and returns,
                    // and the worker is then one READY frame from ready (a fixed 5 s used to stand for all this).
                    // Should that READY come after the margin, the build kills the worker still booting with its tree
                    // all the same: the test passes, having checked the booting worker's path, not the ready one's.
                    long deadline = System.nanoTime() + Delays.seconds(60).toNanos();
                    try {
                        while (!hasLine(Path.of(sleepPid)) && System.nanoTime() < deadline) {
                            Thread.sleep(10);
                        }
                        Thread.sleep(Delays.millis(1_000).toMillis()); // for its READY
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("no database");
                }
                try {
                    append(sleepPid, String.valueOf(new ProcessBuilder("sleep", "300").start().pid()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("initializer failed");
        } finally {
            for (String line : Files.exists(Path.of(sleepPid)) ? Files.readAllLines(Path.of(sleepPid)) : List.<String>of()) {
                long pid = Long.parseLong(line.strip());
                try {
                    Awaitility.await().atMost(Delays.seconds(10)).untilAsserted(() -> assertThat(ChildProcesses.running(pid))
                            .as("the sleep (pid %d) the ready worker's initializer started", pid).isFalse());
                } finally {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        assertThat(Path.of(sleepPid)).exists();
    }

    @Test
    void anInitializerWhoseExceptionCannotBePrinted_stillFailsTheBuildWithThatCause() {
        // The build's message quoted the exception with its toString(), which threw: build() threw that exception's
        // IllegalStateException, with no cause, and the initializer's exception was lost.
        assertThatThrownBy(() -> ProcessPool.builder().processes(1).initializer(() -> {
            throw new UnprintableException();
        }).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initializer failed").hasMessageContaining(UnprintableException.class.getName())
                .cause().isInstanceOf(UnprintableException.class);
    }

    @Test
    void theFunctionTravelsOncePerWorkerForAMap_notOncePerItemOrChunk() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Integer> counts = pool.map(new CountingFunction(1), PoolContract.range(200), 5);
            assertThat(counts).hasSize(200).containsOnly(1);
            List<Integer> again = pool.map(new CountingFunction(2), PoolContract.range(50), 5);
            assertThat(again).containsOnly(2);
        }
    }

    /** Regression: a reader thread that wrote to its worker while the worker wrote results back deadlocked both. */
    @Test
    void largeChunksInBothDirections_flowWithoutDeadlock() throws Exception {
        try (ProcessPool pool = ProcessPool.create(2)) {
            List<Integer> input = PoolContract.range(1_000_000);
            for (int round = 0; round < 3; round++) {
                assertThat(pool.mapAsync(x -> x + 1, input, 125_000).get(60, TimeUnit.SECONDS))
                        .hasSize(1_000_000).startsWith(1, 2, 3).endsWith(1_000_000);
            }
        }
    }

    @Test
    void theListThatMapReturns_travelsToWorkers_asAnArgument_capturedOrAsAResult() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1); ThreadPool threads = ThreadPool.create(1)) {
            List<Integer> doubled = pool.map(x -> x * 2, List.of(1, 2, 3, 4, 5), 2);
            List<Integer> withNull = threads.map(x -> x == 2 ? null : x, List.of(1, 2, 3));
            SerializableFunction<List<Integer>, Integer> sum = l -> l.stream().mapToInt(Integer::intValue).sum();
            assertThat(pool.apply(sum, doubled)).isEqualTo(30);
            SerializableFunction<Integer, Integer> captures = i -> withNull.get(i);
            assertThat(pool.apply(captures, 2)).isEqualTo(3);
            assertThat(pool.map(List::size, List.of(doubled, withNull))).containsExactly(5, 3);
            SerializableFunction<Integer, List<Integer>> mapInAWorker = n -> {
                try (ThreadPool inner = ThreadPool.create(1)) {
                    return inner.map(x -> x + n, List.of(1, 2, 3));
                } catch (InterruptedException | ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            };
            List<Integer> back = pool.apply(mapInAWorker, 10);
            assertThat(back).containsExactly(11, 12, 13);
            assertThatThrownBy(() -> back.add(14)).as("still unmodifiable").isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void aTaskThatCannotBeSerialized_failsAtSubmission_namingTheClass() {
        try (ProcessPool pool = ProcessPool.create(1)) {
            Object lock = new Object();
            assertThatThrownBy(() -> pool.applyAsync(x -> lock.hashCode() + x, 1))
                    .isInstanceOf(EncodingException.class).hasMessageContaining("java.lang.Object is not Serializable");
            assertThatThrownBy(() -> pool.submit(() -> lock.hashCode()))
                    .isInstanceOf(EncodingException.class);
            assertThatThrownBy(() -> pool.submit((Callable<Integer>) () -> 1))
                    .isInstanceOf(EncodingException.class).hasMessageContaining("ProcessPoolTest");
        }
    }

    /** A result type a user forgot to make Serializable. */
    record Parsed(String text) {
    }

    @Test
    void aResultThatCannotTravelBack_saysThatItIsTheResult_andHowToReturnIt_notToStopCapturingIt() throws Exception {
        // An apply (or imap, or submit) whose result was not Serializable failed with the message of a task that
        // captures it: "... cannot be sent to another JVM. Everything a task captures or references must implement
        // java.io.Serializable: make ...Parsed Serializable, keep it in a transient field, or create it inside the
        // task instead of capturing it", not a word about the result; a map's chunk said "its result cannot be sent
        // back" before the same advice.
        SerializableFunction<Integer, Object> parse = x -> new Parsed("doc " + x);
        SerializableFunction<Integer, Object> plainObject = x -> new Object();
        try (ProcessPool pool = ProcessPool.create(1)) {
            List<Callable<?>> calls = List.of(() -> pool.apply(parse, 1), () -> pool.map(parse, List.of(1, 2, 3), 2),
                    () -> pool.submit((io.github.multiprocessing4j.function.SerializableCallable<Object>) () -> parse.apply(4))
                            .get(),
                    () -> pool.apply(plainObject, 1));
            for (Callable<?> call : calls) {
                assertThatThrownBy(call::call).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(EncodingException.class)
                        .hasMessageContaining("its result cannot be sent back")
                        .hasMessageContaining(" not Serializable")
                        .hasMessageContaining("return what it holds")
                        .hasMessageNotContaining("captur");
            }
            int next = pool.apply(x -> x + 1, 1);
            assertThat(next).as("the worker serves on").isEqualTo(2);
        }
    }

    @Test
    void closeAndTerminate_leaveNoWorkerAlive() throws Exception {
        ProcessPool closed = ProcessPool.create(2);
        Set<Long> pids = closed.workerPids();
        closed.close();
        assertThat(closed.isTerminated()).isTrue();
        pids.forEach(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());

        ProcessPool terminated = ProcessPool.create(2);
        Set<Long> busy = terminated.workerPids();
        CompletableFuture<Integer> running = terminated.applyAsync(x -> sleepMillis(600_000), 1);
        terminated.terminate();
        assertThat(terminated.isTerminated()).isTrue();
        busy.forEach(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        assertThatThrownBy(running::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void theDeathOfTheParent_evenBySigkill_leavesNoWorkerAlive() throws Exception {
        try (TestJvm parent = TestJvm.start(PoolParentMain.class, List.of())) {
            long[] pids = Arrays.stream(parent.nextLineStartingWith("PIDS ", 60).substring(5).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            assertThat(pids).hasSize(2);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid)).as("worker %d alive before the kill", pid).isPresent();
            }
            parent.process().destroyForcibly();
            long deadline = System.nanoTime() + Delays.seconds(2).toNanos() + TimeUnit.SECONDS.toNanos(1);
            for (long pid : pids) {
                // running, not a zombie: orphans are reaped by init, which may take a second or more
                while (ChildProcesses.running(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(ChildProcesses.running(pid)).as("worker %d after its parent was killed", pid).isFalse();
            }
        }
    }

    @Test
    void workers_knowTheirNamesAndParent() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().processes(1).name("Cruncher").build()) {
            String who = pool.apply(x -> JvmProcess.current().name() + " " + JvmProcess.current().parentPid().orElse(-1), 0);
            assertThat(who).isEqualTo("Cruncher-1 " + ProcessHandle.current().pid());
        }
    }

    @Test
    void twoPoolsWithTheDefaultName_nameTheirWorkersApart_asPythonCountsItsProcesses() throws Exception {
        try (ProcessPool first = ProcessPool.builder().processes(1).build();
             ProcessPool second = ProcessPool.builder().processes(1).build()) {
            String a = first.apply(x -> JvmProcess.current().name(), 0);
            String b = second.apply(x -> JvmProcess.current().name(), 0);
            assertThat(a).startsWith("PoolWorker-");
            assertThat(b).startsWith("PoolWorker-").isNotEqualTo(a);
        }
    }

    /** A task that appends a line to {@code started} as it begins, then sleeps for ten minutes (until killed). */
    static SerializableFunction<Integer, Integer> hangsOnceStarted(String started) {
        return x -> {
            append(started, "yes");
            return sleepMillis(600_000);
        };
    }

    static int sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (int) millis;
    }
    @Test
    void aWorkerThatExitsWhileItsReaderRunsACallback_isStillRemoved_soThePoolCanTerminate() throws Exception {
        // maxTasksPerChild(1): after the result the worker is told to STOP and exits at once, while the
        // reader thread is still inside the future's callback. Its exit must not go unnoticed.
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1).build();
        try {
            long worker = pool.workerPids().iterator().next();
            // The task waits for the gate, so that the callback below is registered before the result arrives
            // and runs on the reader thread, which completes the future.
            Path gate = tmp.resolve("gate");
            CompletableFuture<Integer> first = pool.applyAsync(waitingFor(gate, x -> x), 1);
            AtomicReference<Thread> callbackThread = new AtomicReference<>();
            CompletableFuture<Void> slowCallback = first.thenAccept(v -> {
                callbackThread.set(Thread.currentThread());
                Awaitility.await().atMost(Delays.seconds(10)).until(() -> ProcessHandle.of(worker).isEmpty());
            });
            Files.createFile(gate);
            slowCallback.get(30, TimeUnit.SECONDS);
            assertThat(callbackThread.get()).as("the thread that ran the callback")
                    .isNotNull().isNotSameAs(Thread.currentThread());
            SerializableFunction<Integer, Integer> plusOne = x -> x + 1;
            assertThat(pool.apply(plusOne, 1)).isEqualTo(2); // the replacement serves
        } finally {
            pool.close();
        }
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).as("terminated").isTrue();
    }

    @Test
    void shutdownNow_withShortTasksQueuedOnTheWorkers_completesEveryFuture() throws Exception {
        // Workers hold prefetched tasks; shutdownNow takes the queued ones back while the worker may already
        // have answered some of them: every future must still end (result or cancellation), none hang.
        for (int round = 0; round < 5; round++) {
            ProcessPool pool = ProcessPool.create(2);
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                futures.add(pool.applyAsync(x -> {
                    LockSupport.parkNanos(200_000);
                    return x;
                }, i));
            }
            Thread.sleep(50);
            pool.shutdownNow();
            for (CompletableFuture<Integer> f : futures) {
                try {
                    f.get(20, TimeUnit.SECONDS);
                } catch (ExecutionException | CancellationException ended) {
                    // ended, as it may after shutdownNow
                }
            }
            assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        }
    }
    @Test
    void terminate_killsAReplacementStillBooting_evenIfItsInitializerHangs(@TempDir Path dir)
            throws Exception {
        // The first worker's initializer leaves a mark; every later one (the replacement) hangs in it.
        String mark = dir.resolve("first-worker-started").toString();
        String hanging = dir.resolve("replacement-hangs").toString();
        Set<Long> before = ChildProcesses.livePids(); // a spare of JvmProcess, say: not the pool's
        ProcessPool pool = ProcessPool.builder().processes(1).maxTasksPerChild(1)
                .initializer(firstRunsOthersHang(mark, hanging)).build();
        SerializableFunction<Integer, Integer> identity = x -> x;
        assertThat(pool.apply(identity, 7)).isEqualTo(7); // retires the worker: a replacement boots and hangs
        Awaitility.await().atMost(Delays.seconds(30))
                .until(() -> Files.exists(Path.of(hanging)) && Files.readString(Path.of(hanging)).endsWith("\n"));
        long replacement = Long.parseLong(Files.readString(Path.of(hanging)).strip());
        assertThat(before).as("pids alive before the pool").doesNotContain(replacement);
        assertThat(ChildProcesses.livePids()).as("the replacement, hanging in its initializer").contains(replacement);

        pool.terminate();

        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).as("terminated").isTrue();
        Awaitility.await().atMost(Delays.seconds(10))
                .untilAsserted(() -> assertThat(before).as("no child of the pool alive").containsAll(ChildProcesses.livePids()));
    }

    @Test
    void aPoolWhoseReplacementsKeepFailingToStart_givesUp_butItsHealthyWorkersFinishTheWork(@TempDir Path dir)
            throws Exception {
        // The first two workers start; the initializer fails in every worker after them.
        String started = dir.resolve("workers-started").toString();
        String release = dir.resolve("release").toString();
        ProcessPool pool = ProcessPool.builder().processes(2).initializer(() -> {
            append(started, "worker");
            try {
                if (Files.readAllLines(Path.of(started)).size() > 2) {
                    throw new IllegalStateException("no more workers today");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).build();
        try {
            CompletableFuture<Integer> healthy = pool.applyAsync(x -> {
                try {
                    while (!Files.exists(Path.of(release))) {
                        Thread.sleep(20);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return x;
            }, 1);
            Awaitility.await().atMost(Delays.seconds(20)).until(() -> Files.exists(Path.of(started)));
            CompletableFuture<Integer> crashing = pool.applyAsync(x -> {
                Runtime.getRuntime().halt(3);
                return x;
            }, 2);
            assertThatThrownBy(() -> crashing.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerCrashedException.class);
            // Queued while the replacements fail: more than the healthy worker takes ahead, so some wait in the pool.
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                queued.add(pool.applyAsync(x -> x * 10, i));
            }

            // Its replacements fail one after another; after the third the pool gives up.
            Awaitility.await().atMost(Delays.seconds(60)).until(pool::isShutdown);
            assertThatThrownBy(() -> pool.applyAsync(x -> x, 3))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("broken");
            assertThat(healthy).as("the healthy worker's task is left to run").isNotDone();

            Files.createFile(Path.of(release));
            assertThat(healthy.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            for (int i = 0; i < 10; i++) {
                assertThat(queued.get(i).get(30, TimeUnit.SECONDS)).as("queued task %d, run by the healthy worker", i)
                        .isEqualTo(i * 10);
            }
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("the pool ends by itself").isTrue();
        } finally {
            pool.close();
        }
    }

    @Test
    void afterShutdown_aReplacementThatFailsToStart_isNotRetried_whenNoTaskWaitsForIt(@TempDir Path dir)
            throws Exception {
        // The first two workers start; a later one fails its initializer once the gate file exists.
        String started = dir.resolve("workers-started").toString();
        String failNow = dir.resolve("fail-now").toString();
        String release = dir.resolve("release").toString();
        ProcessPool pool = ProcessPool.builder().processes(2).initializer(() -> {
            append(started, "worker");
            try {
                if (Files.readAllLines(Path.of(started)).size() > 2) {
                    while (!Files.exists(Path.of(failNow))) {
                        Thread.sleep(20);
                    }
                    throw new IllegalStateException("no more workers today");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).build();
        try {
            CompletableFuture<Integer> healthy = pool.applyAsync(waitingFor(Path.of(release), x -> x), 1);
            CompletableFuture<Integer> crashing = pool.applyAsync(x -> {
                Runtime.getRuntime().halt(3);
                return x;
            }, 2);
            assertThatThrownBy(() -> crashing.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(WorkerCrashedException.class);
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> Files.readAllLines(Path.of(started)).size() == 3); // the replacement waits at the gate

            pool.shutdown(); // nothing is queued: the running task needs no replacement
            Files.createFile(Path.of(failNow));
            Files.createFile(Path.of(release));

            assertThat(healthy.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("terminated").isTrue();
            // each retry would have started one more worker (a broken pool gives up after three failures in a row)
            assertThat(Files.readAllLines(Path.of(started))).as("workers started").hasSize(3);
        } finally {
            pool.close();
        }
    }

    @Test
    void aFunctionThatCannotBeLoadedInTheWorker_failsItsCalls_withTheReason_andTheWorkerLives() throws Exception {
        System.setProperty(BrokenInWorkers.HOME_PROPERTY, "here");
        SerializableFunction<Integer, Integer> broken = BrokenInWorkers.plusOne();
        try (ProcessPool pool = ProcessPool.create(1)) {
            long worker = pool.apply(x -> pid(), 0);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> pool.apply(broken, 1))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(io.github.multiprocessing4j.codec.DecodingException.class)
                        .hasMessageContaining("static initializer of " + BrokenInWorkers.class.getName())
                        .hasMessageContaining("cannot be initialized in a worker");
            }
            assertThat(pool.<Integer, Long>apply(x -> pid(), 0)).as("the same worker, alive").isEqualTo(worker);
        }
    }

    @Test
    void aCallbackThatWaitsForItsOwnPool_failsWithAClearError_insteadOfHanging() throws Exception {
        SerializableFunction<Integer, Integer> square = x -> x * x;
        try (ProcessPool pool = ProcessPool.create(1)) {
            // Each first task waits for a file, so that the callback is registered before the result arrives and
            // runs on the pool's result thread (registered later, it would run on this thread).
            Path gate = tmp.resolve("gate-1");
            CompletableFuture<Integer> nested = pool.applyAsync(waitingFor(gate, square), 3).thenApply(applyingIn(pool, square));
            Files.createFile(gate);
            assertThat(nested).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("thenApplyAsync");

            Path gate2 = tmp.resolve("gate-2");
            CompletableFuture<List<Integer>> mapped = pool.applyAsync(waitingFor(gate2, square), 3)
                    .thenApply(r -> pool.mapAsync(square, List.of(r), 1).join());
            Files.createFile(gate2);
            assertThat(mapped).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class);

            Path gate3 = tmp.resolve("gate-3");
            CompletableFuture<Integer> dependent = pool.applyAsync(waitingFor(gate3, square), 3)
                    .thenApply(r -> pool.submit(() -> r).thenApply(y -> y + 1).join()); // a dependent of a pool future
            Files.createFile(gate3);
            assertThat(dependent).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class);

            Path gate4 = tmp.resolve("gate-4");
            CompletableFuture<Integer> unordered = pool.applyAsync(waitingFor(gate4, square), 3)
                    .thenApply(r -> pool.imapUnordered(square, List.of(r)).next());
            Files.createFile(gate4);
            assertThat(unordered).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class);

            CompletableFuture<Integer> async = pool.applyAsync(square, 3).thenApplyAsync(applyingIn(pool, square));
            assertThat(async.get(30, TimeUnit.SECONDS)).isEqualTo(81);
        }
    }

    /**
     * The other ways to wait for the pool in a callback on its result thread are refused too, as apply() and get()
     * are: invokeAny would have waited for good, and invokeAll, apply and get with a timeout until their timeout
     * (the result they wait for is read by the very thread that waits), to end as if the tasks had been too slow.
     */
    @Test
    void invokeAnyInvokeAllAndTimedApply_inACallbackOnTheResultThread_areRefused() throws Exception {
        SerializableFunction<Integer, Integer> square = x -> x * x;
        io.github.multiprocessing4j.function.SerializableCallable<Integer> one = () -> 1;
        Map<String, Function<Pool, Integer>> waits = new java.util.LinkedHashMap<>();
        waits.put("invokeAny", pool -> call(() -> pool.invokeAny(List.of(one))));
        waits.put("invokeAny(timeout)", pool -> call(() -> pool.invokeAny(List.of(one), 10, TimeUnit.MINUTES)));
        waits.put("invokeAll", pool -> call(() -> pool.invokeAll(List.of(one)).get(0).get()));
        waits.put("invokeAll(timeout)", pool -> call(() -> pool.invokeAll(List.of(one), 10, TimeUnit.MINUTES).get(0).get()));
        waits.put("apply(timeout)", pool -> call(() -> pool.apply(square, 3, Duration.ofMinutes(10))));
        waits.put("get(timeout)", pool -> call(() -> pool.submit(one).get(10, TimeUnit.MINUTES)));
        try (ProcessPool pool = ProcessPool.create(1)) {
            for (Map.Entry<String, Function<Pool, Integer>> wait : waits.entrySet()) {
                // The first task waits for a file, so that the callback is registered before the result arrives and
                // runs on the pool's result thread.
                Path gate = tmp.resolve("gate-" + wait.getKey());
                CompletableFuture<Integer> nested = pool.applyAsync(waitingFor(gate, square), 3)
                        .thenApply(r -> wait.getValue().apply(pool));
                Files.createFile(gate);
                assertThat(nested).as(wait.getKey()).failsWithin(Delays.seconds(60))
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("thenApplyAsync");
            }
            assertThat(pool.apply(square, 4)).as("the pool still serves").isEqualTo(16);
        }
    }

    private static <V> V call(Callable<V> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("not refused: " + e, e);
        }
    }

    @Test
    void map_inACallbackOnTheResultThread_isRefusedBeforeItSendsAnyWork() throws Exception {
        String ran = tmp.resolve("chunk-ran").toString();
        SerializableFunction<Integer, Integer> marking = x -> {
            append(ran, "ran " + x);
            return x;
        };
        try (ProcessPool pool = ProcessPool.create(1)) {
            Path gate = tmp.resolve("gate-map");
            CompletableFuture<List<Integer>> mapped = pool.applyAsync(waitingFor(gate, x -> x), 3)
                    .thenApply(r -> {
                        try {
                            return pool.map(marking, List.of(r, r + 1), 1);
                        } catch (InterruptedException | ExecutionException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            Files.createFile(gate);
            assertThat(mapped).failsWithin(Delays.seconds(30)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("thenApplyAsync");
            // one worker runs its queue in order: chunks sent before this call would have run by its end
            assertThat(pool.<Integer, Integer>apply(x -> x, 0)).isZero();
            assertThat(Path.of(ran)).as("chunks of the refused map").doesNotExist();
        }
    }

    @Test
    void aCallbackMayApply_whenAnIdleWorkerLetsItReadTheResultItself() throws Exception {
        SerializableFunction<Integer, Integer> square = x -> x * x;
        try (ProcessPool pool = ProcessPool.create(2)) {
            Path gate = tmp.resolve("gate");
            CompletableFuture<Integer> nested = pool.applyAsync(waitingFor(gate, square), 3).thenApply(applyingIn(pool, square)); // the other worker is idle: the callback's thread borrows it
            Files.createFile(gate);
            assertThat(nested.get(30, TimeUnit.SECONDS)).isEqualTo(81);
        }
    }

    /** A callback that applies {@code fn} in {@code pool} and waits for the result. */
    static Function<Integer, Integer> applyingIn(Pool pool, SerializableFunction<Integer, Integer> fn) {
        return r -> {
            try {
                return pool.apply(fn, r);
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** {@code fn}, once the file {@code gate} exists. */
    static SerializableFunction<Integer, Integer> waitingFor(Path gate, SerializableFunction<Integer, Integer> fn) {
        String path = gate.toString();
        return x -> {
            while (!Files.exists(Path.of(path))) {
                LockSupport.parkNanos(5_000_000);
            }
            return fn.apply(x);
        };
    }

    /** Serializable, but its class can be initialized only in a child JVM, as one that needs what only a child has. */
    static final class ChildOnlyValue implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        static {
            if (!JvmProcess.current().isChild()) {
                throw new IllegalStateException("ChildOnlyValue cannot be initialized outside a child");
            }
        }
    }

    /** Serializable, but its readObject fails with an Error outside a child JVM. */
    static final class ChildOnlyReadable implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;

        @java.io.Serial
        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            if (!JvmProcess.current().isChild()) {
                throw new AssertionError("ChildOnlyReadable cannot be read outside a child");
            }
            in.defaultReadObject();
        }
    }

    @Test
    void aResultWhoseReadObjectThrowsAnErrorHere_failsItsTask_andThePoolGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            CompletableFuture<Object> bad = pool.submit((io.github.multiprocessing4j.function.SerializableCallable<Object>)
                    ChildOnlyReadable::new);
            assertThatThrownBy(() -> bad.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(io.github.multiprocessing4j.codec.DecodingException.class)
                    .hasMessageContaining("ChildOnlyReadable cannot be read outside a child");
            assertThat(pool.submit((io.github.multiprocessing4j.function.SerializableCallable<Integer>) () -> 6 * 7)
                    .get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
        }
    }

    /** A link of a chain, which Java serialization writes and reads one nesting level per link. */
    static final class Link implements java.io.Serializable {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        final Link next;

        Link(Link next) {
            this.next = next;
        }

        static Link chain(int length) {
            Link head = null;
            for (int i = 0; i < length; i++) {
                head = new Link(head);
            }
            return head;
        }

        int length() {
            int n = 0;
            for (Link l = this; l != null; l = l.next) {
                n++;
            }
            return n;
        }
    }

    @Test
    void aDeeplyNestedResult_decodesAsWell_whenTheResultThreadDeliversIt_asWhenApplyReadsItItself() throws Exception {
        // applyAsync, submit and map decode results on the pool's result thread, which had a 256 KiB stack: a chain of
        // 400 links (a thread with the default stack decodes over 1000) failed there with a DecodingException
        // "nested too deeply for this thread's stack", although apply() got it whole on the caller's thread.
        try (ProcessPool pool = ProcessPool.create(1)) {
            SerializableFunction<Integer, Link> chain = Link::chain;
            assertThat(pool.apply(chain, 400).length()).as("apply").isEqualTo(400);
            assertThat(pool.applyAsync(chain, 400).get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS).length())
                    .as("applyAsync").isEqualTo(400);
            assertThat(pool.map(chain, List.of(400, 400), 1)).extracting(Link::length).as("map")
                    .containsExactly(400, 400);
        }
    }

    @Test
    void aResultWhoseClassCannotBeInitializedHere_failsItsTask_andThePoolGoesOn() throws Exception {
        try (ProcessPool pool = ProcessPool.create(1)) {
            CompletableFuture<Object> bad = pool.submit((io.github.multiprocessing4j.function.SerializableCallable<Object>)
                    ChildOnlyValue::new);
            assertThatThrownBy(() -> bad.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(io.github.multiprocessing4j.codec.DecodingException.class)
                    .hasMessageContaining(ChildOnlyValue.class.getName());
            assertThat(pool.submit((io.github.multiprocessing4j.function.SerializableCallable<Integer>) () -> 6 * 7)
                    .get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
        }
    }
}
