package io.github.multiprocessing4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.async.Completions;
import io.github.multiprocessing4j.async.Coroutines;
import io.github.multiprocessing4j.async.Event;
import io.github.multiprocessing4j.async.Outcome;
import io.github.multiprocessing4j.async.Task;
import io.github.multiprocessing4j.async.TaskFunction;
import io.github.multiprocessing4j.async.TaskGroup;
import io.github.multiprocessing4j.async.TaskGroupException;
import io.github.multiprocessing4j.async.TaskGroupTimeoutException;
import io.github.multiprocessing4j.async.WaitMode;
import io.github.multiprocessing4j.async.WaitResult;
import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.function.SerializableBiFunction;
import io.github.multiprocessing4j.function.SerializableCallable;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.pool.Pool;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.ResultIterator;
import io.github.multiprocessing4j.pool.TaskTimeoutException;
import io.github.multiprocessing4j.pool.ThreadPool;
import io.github.multiprocessing4j.pool.VirtualThreadPool;
import io.github.multiprocessing4j.process.CurrentProcess;
import io.github.multiprocessing4j.process.JvmProcess;
import io.github.multiprocessing4j.process.ProcessStartException;
import io.github.multiprocessing4j.subprocess.CalledProcessException;
import io.github.multiprocessing4j.subprocess.CompletedPipeline;
import io.github.multiprocessing4j.subprocess.CompletedProcess;
import io.github.multiprocessing4j.subprocess.Signal;
import io.github.multiprocessing4j.subprocess.Subprocess;
import io.github.multiprocessing4j.subprocess.SubprocessException;
import io.github.multiprocessing4j.subprocess.TimeoutExpiredException;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Quick start" and "Python → Java" table, and the short examples in the public javadoc, run
 * as written (with stand-ins for the examples' made-up helpers such as {@code fetch}) and checked against
 * what they claim. One small process pool serves every pool example.
 */
class ReadmeExamplesTest {

    private static ProcessPool pool;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPool() {
        // README Quick start, with two workers
        pool = ProcessPool.builder()
                .processes(2)
                .taskTimeout(Duration.ofSeconds(30))
                .maxTasksPerChild(1000)
                .build();
    }

    @AfterAll
    static void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    // ---- helpers that the examples' tasks call in child JVMs ----

    static void write(String file, String text) {
        try {
            Files.writeString(Path.of(file), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (in whatever JVM runs it) until {@code file} exists, then returns {@code x}. */
    static int afterFile(String file, int x) {
        while (!Files.exists(Path.of(file))) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return x;
    }

    static int sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static void sleepForever() {
        try {
            Thread.sleep(Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- processes ----

    @Test
    void quickStart_jvmProcess_runsTheTaskInAChildAndExitsWithZero() throws Exception {
        String out = tmp.resolve("pid").toString();
        try (JvmProcess child = JvmProcess.start("worker", () -> write(out, "" + ProcessHandle.current().pid()))) {
            assertThat(child.name()).isEqualTo("worker");
            child.join();
            assertThat(child.exitCode().getAsInt()).isZero();
            assertThat(Long.parseLong(Files.readString(Path.of(out)))).isEqualTo(child.pid())
                    .isNotEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void table_joinWithTimeout_returnsFalseWhileRunning_andSignalsReadAs128PlusN() throws Exception {
        try (JvmProcess child = JvmProcess.start("sleeper", ReadmeExamplesTest::sleepForever)) {
            assertThat(child.join(Duration.ofMillis(200))).isFalse();   // Python returns None; here: false
            assertThat(child.isAlive()).isTrue();
            assertThat(child.exitCode()).isEmpty();                      // Python's exitcode is None
            child.terminate();
            assertThat(child.join(Duration.ofSeconds(30))).isTrue();
            assertThat(child.isAlive()).isFalse();
            assertThat(child.exitCode()).hasValue(128 + 15);             // Python: -15
        }
        try (JvmProcess child = JvmProcess.builder().name("killed").task(ReadmeExamplesTest::sleepForever).start()) {
            child.kill();
            child.join();
            assertThat(child.exitCode()).hasValue(128 + 9);              // Python: -9
        }
    }

    @Test
    void table_close_stopsARunningChildWithExitCode3() throws Exception {
        JvmProcess child = JvmProcess.start("closed", ReadmeExamplesTest::sleepForever);
        child.close();
        assertThat(child.join(Delays.seconds(10))).as("exited").isTrue();
        assertThat(child.exitCode()).hasValue(3);
    }

    @Test
    void table_exceptionInTheChild_exitCode1_andTheParentReadsIt() throws Exception {
        try (JvmProcess child = JvmProcess.start("failing", () -> {
            throw new IllegalStateException("boom in child");
        })) {
            child.join();
            assertThat(child.exitCode()).hasValue(1);
            assertThat(child.failure()).get().satisfies(e -> assertThat(e).hasMessageContaining("boom in child"));
        }
    }

    @Test
    void builderExample_jvmOptionsSystemPropertyEnvironmentDaemon_reachTheChild() throws Exception {
        String out = tmp.resolve("props").toString();
        String scratch = tmp.toString();
        JvmProcess child = JvmProcess.builder()
                .name("resize")
                .task(() -> write(out, System.getProperty("app.mode") + " " + System.getenv("TMPDIR") + " "
                        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " " + JvmProcess.current().name()))
                .jvmOptions(List.of("-Xmx512m"))
                .systemProperty("app.mode", "batch")
                .environment("TMPDIR", scratch)
                .daemon(true)
                .start();
        try (child) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
        String[] seen = Files.readString(Path.of(out)).split(" ");
        assertThat(seen[0]).isEqualTo("batch");
        assertThat(seen[1]).isEqualTo(scratch);
        assertThat(Long.parseLong(seen[2])).isBetween(400L, 512L);
        assertThat(seen[3]).isEqualTo("resize");
    }

    @Test
    void table_currentProcess_nameAndParentPid_inParentAndInAPoolWorker() throws Exception {
        CurrentProcess me = JvmProcess.current();
        assertThat(me.name()).isEqualTo("MainProcess");
        assertThat(me.isChild()).isFalse();
        // parent_process() is None in Python's main process; here the JVM's operating-system parent
        assertThat(me.parentPid()).isEqualTo(ProcessHandle.current().parent().map(h -> OptionalLong.of(h.pid()))
                .orElse(OptionalLong.empty()));
        SerializableCallable<String> who = () -> {
            CurrentProcess w = JvmProcess.current();
            return w.isChild() + " " + w.name() + " " + w.pid() + " " + w.parentPid().getAsLong();
        };
        String[] seen = pool.submit(who).get(30, TimeUnit.SECONDS).split(" ");
        assertThat(seen[0]).isEqualTo("true");
        assertThat(seen[1]).startsWith("PoolWorker-");
        assertThat(pool.workerPids()).contains(Long.parseLong(seen[2]));
        assertThat(Long.parseLong(seen[3])).isEqualTo(ProcessHandle.current().pid());
    }

    // ---- pools ----

    @Test
    void poolExample_applyMapApplyAsyncImap_inInputOrder() throws Exception {
        SerializableFunction<Integer, Integer> square = x -> x * x;
        int nine = pool.apply(square, 3);
        assertThat(nine).isEqualTo(9);
        assertThat(pool.map(square, List.of(1, 2, 3, 4))).containsExactly(1, 4, 9, 16);
        assertThat(pool.map(square, List.of(1, 2, 3, 4, 5), 2)).containsExactly(1, 4, 9, 16, 25);
        assertThat(pool.mapAsync(square, List.of(5, 6), 1).get(30, TimeUnit.SECONDS)).containsExactly(25, 36);
        // a failure of the function: the cause of an ExecutionException, where Python raises it
        SerializableFunction<Integer, Integer> failing = x -> {
            throw new IllegalArgumentException("bad " + x);
        };
        assertThatThrownBy(() -> pool.apply(failing, 3)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad 3");
        assertThatThrownBy(() -> pool.map(failing, List.of(4))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad 4");
        try (ResultIterator<Integer> it = pool.imap(failing, List.of(5))) {
            assertThatThrownBy(it::next).isInstanceOf(java.util.concurrent.CompletionException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class).hasMessage("bad 5");
        }
        CompletableFuture<Integer> later = pool.applyAsync(square, 5);
        assertThat(later.get(30, TimeUnit.SECONDS)).isEqualTo(25);
        // executor.submit(f), future.result()
        assertThat(pool.submit((SerializableCallable<Integer>) () -> 6 * 7).get()).isEqualTo(42);
        assertThat(pool).isInstanceOf(ExecutorService.class);
    }

    @Test
    void table_imap_isLazyOverAnEndlessInput_andImapUnorderedYieldsEveryResult() throws Exception {
        AtomicInteger read = new AtomicInteger();
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return read.incrementAndGet();
            }
        };
        SerializableFunction<Integer, Integer> square = x -> x * x;
        List<Integer> first = new ArrayList<>();
        try (ResultIterator<Integer> it = pool.imap(square, endless, 100)) {
            for (int i = 0; i < 5; i++) {
                first.add(it.next());
            }
        }
        assertThat(first).containsExactly(1, 4, 9, 16, 25);
        // read only a bounded window ahead (a few chunks of 100), not on and on as an eager reader would
        assertThat(read.get()).isBetween(5, 10_000);
        try (ResultIterator<Integer> it = pool.imapUnordered(square, List.of(1, 2, 3, 4))) {
            assertThat(it.stream().toList()).containsExactlyInAnyOrder(1, 4, 9, 16);
        }
    }

    @Test
    void table_starmap_appliesToPairsInOrder() throws Exception {
        SerializableBiFunction<Integer, Integer, Integer> add = Integer::sum;
        assertThat(pool.starmap(add, List.of(Map.entry(1, 2), Map.entry(3, 4)))).containsExactly(3, 7);
        assertThat(pool.starmap(Integer::sum, List.of(Map.entry(1, 2), Map.entry(3, 4)))).containsExactly(3, 7);
    }

    @Test
    void table_applyAsyncCallbacks_runOnThePoolsResultThread_notTheCaller() throws Exception {
        String gate = tmp.resolve("gate").toString();
        AtomicReference<Thread> callbackThread = new AtomicReference<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CompletableFuture<Integer> ok = pool.applyAsync(x -> afterFile(gate, x), 7);
        CompletableFuture<Void> cb = ok.thenAccept(v -> callbackThread.set(Thread.currentThread()));
        CompletableFuture<Integer> bad = pool.applyAsync(x -> 1 / x, 0);
        CompletableFuture<Integer> eb = bad.exceptionally(e -> {
            error.set(e);
            return -1;
        });
        Files.createFile(Path.of(gate));
        cb.get(30, TimeUnit.SECONDS);
        assertThat(callbackThread.get()).isNotSameAs(Thread.currentThread());
        assertThat(eb.get(30, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(error.get()).isInstanceOf(ArithmeticException.class);

        // a thread pool runs the callback on the task's own thread (attached before the task ends)
        try (ThreadPool threads = ThreadPool.create(2)) {
            CountDownLatch attached = new CountDownLatch(1);
            AtomicReference<Thread> taskThread = new AtomicReference<>();
            CompletableFuture<Integer> f = threads.submit(() -> {
                taskThread.set(Thread.currentThread());
                attached.await();
                return 1;
            });
            CompletableFuture<Void> c = f.thenAccept(v -> callbackThread.set(Thread.currentThread()));
            attached.countDown();
            c.get(30, TimeUnit.SECONDS);
            assertThat(callbackThread.get()).isSameAs(taskThread.get());
        }
    }

    @Test
    void table_applyAsyncCallbacks_ofATaskThatTimedOut_runOnTheLibrarysTimer_inEveryKindOfPool() throws Exception {
        // The row's "for a task that timed out, on a thread of the library's timer": Pool's javadoc said so of thread
        // pools only, and that a process pool runs them on the thread that reads its workers' results
        try (ProcessPool processes = ProcessPool.builder().processes(1).taskTimeout(Duration.ofMillis(500)).build();
                ThreadPool threads = ThreadPool.builder().threads(1).taskTimeout(Duration.ofMillis(500)).build()) {
            for (Pool p : List.<Pool>of(processes, threads)) {
                CompletableFuture<Thread> callback = p.applyAsync(x -> {
                    sleepForever();
                    return x;
                }, 1).handle((v, e) -> e instanceof TaskTimeoutException ? Thread.currentThread() : null);
                assertThat(callback.get(30, TimeUnit.SECONDS)).as("%s", p)
                        .extracting(Thread::getName).isEqualTo("mp4j-pool-timeout");
            }
        }
    }

    @Test
    void table_initializerAndMaxTasksPerChild_shutdownThenJoin_terminate() throws Exception {
        try (ProcessPool p = ProcessPool.builder()
                .processes(1)
                .initializer(() -> System.setProperty("init.ran", "yes"))
                .maxTasksPerChild(1)
                .build()) {
            SerializableFunction<Integer, String> probe = x -> System.getProperty("init.ran") + " "
                    + ProcessHandle.current().pid();
            String[] a = p.apply(probe, 1).split(" ");
            String[] b = p.apply(probe, 2).split(" ");
            assertThat(a[0]).isEqualTo("yes");
            assertThat(b[0]).isEqualTo("yes");
            assertThat(a[1]).isNotEqualTo(b[1]);   // a worker runs one task, then is replaced
            CompletableFuture<Integer> queued = p.applyAsync(x -> x + 1, 41);
            p.shutdown();
            p.join();                              // pool.close(); pool.join()
            assertThat(queued).isCompletedWithValue(42);
            assertThat(p.isTerminated()).isTrue();
        }
        ProcessPool p = ProcessPool.create(1);
        CompletableFuture<Integer> hung = p.applyAsync(x -> {
            sleepForever();
            return x;
        }, 1);
        p.terminate();
        assertThat(p.isTerminated()).isTrue();
        assertThatThrownBy(() -> hung.get(30, TimeUnit.SECONDS)).isInstanceOfAny(ExecutionException.class,
                java.util.concurrent.CancellationException.class);
    }

    @Test
    void threadAndVirtualPoolExamples() throws Exception {
        List<String> words = List.of("a", "bb", "ccc");
        try (ThreadPool threads = ThreadPool.create(8)) {
            List<Integer> lengths = threads.map(String::length, words);
            assertThat(lengths).containsExactly(1, 2, 3);
        }
        try (VirtualThreadPool virtual = VirtualThreadPool.create()) {
            List<String> pages = virtual.map(url -> "page of " + url, words, 1);
            assertThat(pages).containsExactly("page of a", "page of bb", "page of ccc");
        }
    }

    @Test
    void codecExample_roundTripsAList() {
        Codec codec = Codec.standard();
        byte[] bytes = codec.encode(List.of(1, 2, 3));
        List<?> back = (List<?>) codec.decode(bytes);
        assertThat(back).isEqualTo(List.of(1, 2, 3));
    }

    // ---- subprocess ----

    @Test
    void quickStart_subprocessRun_captureCheckTimeout() throws Exception {
        Files.writeString(tmp.resolve("listed"), "x");
        CompletedProcess ls = Subprocess.command("ls", "-l", tmp.toString()).captureOutput().check()
                .timeout(Duration.ofSeconds(10)).run();
        assertThat(ls.returnCode()).isZero();
        assertThat(ls.stdout()).contains("listed");
    }

    @Test
    void calledProcessExceptionExample_lsNowhere_returnCode2() {
        assertThatThrownBy(() -> Subprocess.command("ls", "/nowhere").captureOutput().check().run())
                .isInstanceOfSatisfying(CalledProcessException.class, e -> {
                    assertThat(e.returnCode()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith("command [ls, /nowhere] returned non-zero exit status 2")
                            .contains("/nowhere");
                });
    }

    @Test
    void timeoutExpiredExample_keepsTheOutputAndKillsTheTree() {
        assertThatThrownBy(() -> Subprocess.command("sh", "-c", "echo started; sleep 60").captureOutput()
                .timeout(Duration.ofSeconds(2)).run())
                .isInstanceOfSatisfying(TimeoutExpiredException.class, e -> {
                    assertThat(e.stdout()).isEqualTo("started\n");
                    assertThat(e.killedPids()).hasSize(2);   // the shell and sleep
                });
    }

    @Test
    void table_inputCwdClearEnvEnvStderrToStdout() throws Exception {
        CompletedProcess done = Subprocess.command("/bin/sh", "-c", "cat; pwd; echo \"$GREETING|$HOME\"; echo err >&2")
                .input("from stdin\n")
                .cwd(tmp)
                .clearEnv()
                .env(Map.of("GREETING", "hi"))
                .captureOutput()
                .stderrToStdout()
                .run();
        assertThat(done.stdout()).isEqualTo("from stdin\n" + tmp.toRealPath() + "\nhi|\nerr\n");
        // stdout=PIPE, stderr=STDOUT: both streams, in write order; stdin=DEVNULL: empty input
        CompletedProcess merged = Subprocess.command("sh", "-c", "cat; echo a; echo b >&2; echo c; echo d >&2")
                .stdin(Redirect.DISCARD).captureOutput().stderrToStdout().run();
        assertThat(merged.stdout()).isEqualTo("a\nb\nc\nd\n");
    }

    @Test
    void builderInputExample_sortUnique() throws Exception {
        CompletedProcess sorted = Subprocess.command("sort", "-u")
                .input("pear\napple\npear\n")
                .captureOutput()
                .cwd(Path.of("/tmp"))
                .env("LC_ALL", "C")
                .check()
                .run();
        assertThat(sorted.stdout()).isEqualTo("apple\npear\n");
    }

    @Test
    void table_popenLines_communicate_pollWaitForSendSignal() throws Exception {
        try (Subprocess p = Subprocess.command("printf", "one\ntwo\nthree\n").stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            assertThat(lines.toList()).containsExactly("one", "two", "three");
        }
        try (Subprocess p = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start()) {
            CompletedProcess done = p.communicate("echoed", Duration.ofSeconds(30));
            assertThat(done.stdout()).isEqualTo("echoed");
            assertThat(done.returnCode()).isZero();
        }
        // communicate's timeout does not kill the command, as in Python: a later call resumes with all the output
        try (Subprocess p = Subprocess.command("sh", "-c", "read x; echo \"$x\"; while [ ! -e gate ]; do sleep 0.05; done; "
                + "echo second").cwd(tmp).stdin(Redirect.PIPE).stdout(Redirect.PIPE).start()) {
            assertThatThrownBy(() -> p.communicate("first\n", Duration.ofMillis(100)))
                    .isInstanceOf(TimeoutExpiredException.class);
            assertThat(p.poll()).isEmpty();
            Files.createFile(tmp.resolve("gate"));
            CompletedProcess done = p.communicate(Duration.ofSeconds(30));
            assertThat(done.stdout()).isEqualTo("first\nsecond\n");
            assertThat(done.returnCode()).isZero();
        }
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            assertThat(p.poll()).isEmpty();                         // Python: None
            assertThat(p.waitFor(Duration.ofMillis(100))).isEmpty(); // Python: TimeoutExpired
            p.sendSignal(Signal.USR1);
            assertThat(p.waitFor()).isEqualTo(128 + 10);              // Python: -10 (SIGUSR1 is 10 on Linux)
            assertThat(p.poll()).hasValue(128 + 10);
        }
    }

    @Test
    void table_checkOutputBytesCharsetFilesExceptionFieldsStdinStderrLinesTerminateKillPid() throws Exception {
        // check_output
        assertThat(Subprocess.command("echo", "hi").captureOutput().check().run().stdout()).isEqualTo("hi\n");
        Subprocess.Builder warns = Subprocess.command("sh", "-c", "echo hi; echo warning >&2");
        assertThat(warns.captureOutput().check().run().stderr()).isEqualTo("warning\n"); // not on this JVM's stderr
        CompletedProcess asPython = Subprocess.command("sh", "-c", "echo hi; echo warning >&2").stdout(Redirect.PIPE)
                .check().run();
        assertThatThrownBy(asPython::stderr).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it went to INHERIT");
        // with Popen(args) as p: close() kills a command still running; waitFor() in the block lets it finish
        Subprocess left;
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            left = p;
        }
        assertThat(left.poll()).hasValue(128 + 9);
        try (Subprocess p = Subprocess.command("sh", "-c", "sleep 0.2; exit 5").start()) {
            assertThat(p.waitFor()).isEqualTo(5);
        }
        // text=False, encoding="latin-1"
        CompletedProcess latin = Subprocess.command("printf", "\\351").captureOutput()
                .charset(StandardCharsets.ISO_8859_1).run();
        assertThat(latin.stdoutBytes()).containsExactly(0xE9);
        assertThat(latin.stdout()).isEqualTo("\u00e9");
        assertThat(latin.stderrBytes()).isEmpty();
        // run(...).returncode after a signal: 128 + N, where Python gives -N
        assertThat(Subprocess.command("sh", "-c", "kill -TERM $$").run().returnCode()).isEqualTo(128 + 15);
        // decoded as written: a malformed byte becomes U+FFFD and \r\n stays (Python: UnicodeDecodeError, \n)
        assertThat(Subprocess.command("printf", "\\351\r\n").captureOutput().run().stdout()).isEqualTo("\ufffd\r\n");
        // stdin=open(f), stdout=DEVNULL, stdout=open(f, "a"); Redirect.to truncates
        Path in = tmp.resolve("in.txt");
        Path out = tmp.resolve("out.txt");
        Files.writeString(in, "from a file\n");
        assertThat(Subprocess.command("cat").input(in).captureOutput().run().stdout()).isEqualTo("from a file\n");
        assertThat(Subprocess.command("echo", "gone").stdout(Redirect.DISCARD).run().returnCode()).isZero();
        Subprocess.command("echo", "one").stdout(Redirect.to(out.toFile())).run();
        Subprocess.command("echo", "two").stdout(Redirect.appendTo(out.toFile())).run();
        Subprocess.command("sh", "-c", "echo three >&2").stderr(Redirect.appendTo(out.toFile())).run();
        assertThat(Files.readString(out)).isEqualTo("one\ntwo\nthree\n");
        Subprocess.command("echo", "four").stdout(Redirect.to(out.toFile())).run();
        assertThat(Files.readString(out)).isEqualTo("four\n");
        // e.returncode, e.stdout, e.stderr
        CalledProcessException failed = catchThrowableOfType(CalledProcessException.class, () ->
                Subprocess.command("sh", "-c", "echo out; echo err >&2; exit 4").captureOutput().check().run());
        assertThat(failed.returnCode()).isEqualTo(4);
        assertThat(failed.stdout()).isEqualTo("out\n");
        assertThat(failed.stderr()).isEqualTo("err\n");
        assertThat(failed.stdoutBytes()).isEqualTo("out\n".getBytes(StandardCharsets.UTF_8));
        assertThat(failed.stderrTail()).isEqualTo("err");
        TimeoutExpiredException late = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command("sh", "-c", "echo started; exec sleep 60").captureOutput()
                        .timeout(Duration.ofMillis(500)).run());
        assertThat(late.stdout()).isEqualTo("started\n");
        assertThat(late.killedPids()).hasSize(1);
        // p.stdin.write(b); for line in p.stderr
        try (Subprocess p = Subprocess.command("sh", "-c", "while read x; do echo \"<$x>\" >&2; done")
                .stdin(Redirect.PIPE).stderr(Redirect.PIPE).start();
             Stream<String> lines = p.stderrLines()) {
            try (OutputStream stdin = p.stdin()) {
                stdin.write("a\nb\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(lines.toList()).containsExactly("<a>", "<b>");
        }
        // p.terminate(), p.kill(), p.pid; killTree
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            assertThat(p.pid()).isEqualTo(p.toHandle().pid());
            p.terminate();
            assertThat(p.waitFor()).isEqualTo(128 + 15);
        }
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            p.kill();
            assertThat(p.waitFor()).isEqualTo(128 + 9);
        }
        try (Subprocess p = Subprocess.command("sh", "-c", "sleep 60 & echo $!; wait").stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            long sleep = Long.parseLong(lines.iterator().next());
            assertThat(p.killTree(Duration.ofSeconds(1))).containsExactly(p.pid(), sleep);
            assertThat(p.waitFor()).isEqualTo(128 + 15);
        }
    }

    @Test
    void pipelineExamples_returnCodesAndStdout() throws Exception {
        CompletedPipeline p = Subprocess.pipeline(Subprocess.command("false"), Subprocess.command("cat"))
                .captureOutput().run();
        assertThat(p.returnCode()).isZero();
        assertThat(p.returnCodes()).containsExactly(1, 0);
        assertThatThrownBy(p::checkReturnCodes).isInstanceOf(CalledProcessException.class)
                .hasMessageContaining("false");

        CompletedPipeline sorted = Subprocess.pipeline(
                        Subprocess.command("printf", "b\na\nb\n"),
                        Subprocess.command("sort"),
                        Subprocess.command("uniq", "-c"))
                .captureOutput()
                .run();
        assertThat(sorted.stdout()).isEqualTo("      1 a\n      2 b\n");
        assertThat(sorted.returnCodes()).containsExactly(0, 0, 0);

        CompletedPipeline count = Subprocess.pipeline(
                        Subprocess.command("ps", "aux"),
                        Subprocess.command("grep", "java"),
                        Subprocess.command("wc", "-l"))
                .captureOutput()
                .timeout(Duration.ofSeconds(5))
                .run();
        int javas = Integer.parseInt(count.stdout().strip());
        assertThat(javas).isPositive();
    }

    // ---- coroutines ----

    static String fetch(String url) throws InterruptedException {
        if (url.contains("slow")) {
            Thread.sleep(Duration.ofMinutes(5));
        }
        return "<" + url + ">";
    }

    @Test
    void taskGroupExamples_spawnGetAndCloseWaits() throws Exception {
        try (TaskGroup group = TaskGroup.open()) {
            Task<Integer> answer = group.spawn(() -> 6 * 7);
            assertThat(answer.get()).isEqualTo(42);
        }
        Task<String> user;
        Task<String> orders;
        try (TaskGroup group = TaskGroup.withTimeout(Duration.ofSeconds(30))) {
            user = group.spawn(() -> fetch("/user"));
            orders = group.spawn(() -> fetch("/orders"));
        }
        assertThat(user.resultNow()).isEqualTo("</user>");
        assertThat(orders.resultNow()).isEqualTo("</orders>");
    }

    @Test
    void taskGroupException_failureCancelsTheOtherTask_andCloseThrows() {
        AtomicReference<Task<String>> other = new AtomicReference<>();
        assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                other.set(group.spawn(() -> fetch("/slow")));
                group.spawn(() -> {
                    throw new IOException("upload failed");
                });
            }
        }).isInstanceOfSatisfying(TaskGroupException.class, e -> {
            assertThat(e.failures()).hasSize(1);
            assertThat(e.getCause()).isInstanceOf(IOException.class);
        });
        assertThat(other.get().state()).isEqualTo(Future.State.CANCELLED);
    }

    @Test
    void taskGroupRun_anExceptionInTheBodyCancelsTheTasks() {
        AtomicReference<Task<String>> slow = new AtomicReference<>();
        assertThatThrownBy(() -> TaskGroup.run(group -> {
            slow.set(group.spawn(() -> fetch("/slow")));
            throw new IllegalStateException("out of stock");
        })).isInstanceOf(IllegalStateException.class).hasMessage("out of stock");
        assertThat(slow.get().state()).isEqualTo(Future.State.CANCELLED);
    }

    @Test
    void taskGroupBody_withACheckedException() throws Exception {
        Path listFile = Files.writeString(tmp.resolve("urls"), "/a\n/b\n");
        TaskGroup.Body<Integer, IOException> crawlList = group -> {
            List<String> urls = Files.readAllLines(listFile);
            for (String url : urls) {
                group.spawn(() -> fetch(url));
            }
            return urls.size();
        };
        int crawled = TaskGroup.run(crawlList);
        assertThat(crawled).isEqualTo(2);
        assertThatThrownBy(() -> TaskGroup.run((TaskGroup.Body<Integer, IOException>) g -> {
            throw new IOException("unreadable");
        })).isInstanceOf(IOException.class);
    }

    @Test
    void table_cancellingATask_cancelsTheGroupsItHasOpen() throws Exception {
        CountDownLatch innerStarted = new CountDownLatch(1);
        AtomicReference<Task<String>> inner = new AtomicReference<>();
        try (TaskGroup outer = TaskGroup.open()) {
            Task<Void> parent = outer.spawn(() -> {
                try (TaskGroup mine = TaskGroup.open()) {
                    inner.set(mine.spawn(() -> {
                        innerStarted.countDown();
                        return fetch("/slow");
                    }));
                }
                return null;
            });
            assertThat(innerStarted.await(30, TimeUnit.SECONDS)).isTrue();
            parent.cancel(true);
        }
        assertThat(inner.get().state()).isEqualTo(Future.State.CANCELLED);
    }

    @Test
    void taskGroupTimeoutException_messageAsDocumented() {
        assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.withTimeout(Duration.ofMillis(200))) {
                group.spawn(() -> fetch("/slow"));
            }
        }).isInstanceOf(TaskGroupTimeoutException.class)
                .hasMessageMatching("TaskGroup-\\d+: timeout of PT0\\.2S passed; 1 task was cancelled or refused")
                .hasCauseInstanceOf(TimeoutException.class);
        assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.withDeadline(java.time.Instant.now().plusMillis(200))) {
                group.spawn(() -> fetch("/slow"));
            }
        }).isInstanceOf(TaskGroupTimeoutException.class);
    }

    @Test
    void coroutinesExamples_gatherMapTimeout() throws Exception {
        List<String> pages = Coroutines.gather(() -> fetch("/a"), () -> fetch("/b"), () -> fetch("/c"));
        assertThat(pages).containsExactly("</a>", "</b>", "</c>");
        List<String> urls = List.of("/a", "/bb", "/ccc");
        List<Integer> sizes = Coroutines.map(url -> fetch(url).length(), urls, 200);
        assertThat(sizes).containsExactly(4, 5, 6);
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ofMillis(200), () -> fetch("/slow")))
                .isInstanceOf(TimeoutException.class);
        assertThat(Coroutines.timeout(Duration.ofSeconds(30), () -> fetch("/quick"))).isEqualTo("</quick>");
        // unlike asyncio's, timeout() gives the call's failure as the cause of an ExecutionException
        assertThatThrownBy(() -> Coroutines.timeout(Duration.ofSeconds(30), () -> {
            throw new IOException("down");
        })).isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class).hasMessage("down");
        // unlike asyncio's, gather()'s first failure cancels the other calls and is the cause of a TaskGroupException
        AtomicReference<Throwable> slowEnd = new AtomicReference<>();
        // the failure waits until the slow call runs: one cancelled before it began never runs, and has no end to see
        CountDownLatch slowStarted = new CountDownLatch(1);
        TaskGroupException failed = catchThrowableOfType(TaskGroupException.class, () -> Coroutines.gather(() -> {
            try {
                slowStarted.countDown();
                return fetch("/slow");
            } catch (InterruptedException e) {
                slowEnd.set(e);
                throw e;
            }
        }, () -> {
            slowStarted.await();
            throw new IOException("down");
        }));
        assertThat(failed.getCause()).isInstanceOf(IOException.class).hasMessage("down");
        assertThat(failed.failures()).hasSize(1);
        assertThat(slowEnd.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void table_map_neverMoreThanTheBoundInFlight_resultsInInputOrder() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            items.add(i);
        }
        List<Integer> out = Coroutines.map(i -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Coroutines.sleep(Duration.ofMillis(2));
            inFlight.decrementAndGet();
            return i * 2;
        }, items, 3);
        assertThat(most.get()).isBetween(1, 3);
        assertThat(out).hasSize(40).element(39).isEqualTo(78);
        assertThat(out).isSorted();

        Files.writeString(tmp.resolve("f"), "12345");
        TaskFunction<Path, Long> size = Files::size;
        assertThat(Coroutines.map(size, List.of(tmp.resolve("f")), 16)).containsExactly(5L);
    }

    @Test
    void gatherSettled_outcomesInOrder_asTheOutcomeExampleMatchesThem() throws Exception {
        List<java.util.concurrent.Callable<String>> calls = List.of(() -> fetch("/a"), () -> {
            throw new IOException("down");
        });
        List<String> seen = new ArrayList<>();
        for (Outcome<String> o : Coroutines.gatherSettled(calls)) {
            switch (o) {
                case Outcome.Success<String>(var page) -> seen.add("ok " + page);
                case Outcome.Failure<String>(var e) -> seen.add("failed: " + e.getMessage());
            }
        }
        assertThat(seen).containsExactly("ok </a>", "failed: down");
        Outcome<String> first = Coroutines.gatherSettled(calls).getFirst();
        assertThat(first instanceof Outcome.Success<String>(var page) && page.equals("</a>")).isTrue();
    }

    @Test
    void table_deadline_taskAsAFuture_waitFirstException_subprocessInATask() throws Exception {
        // asyncio.timeout_at(when)
        assertThat(Coroutines.deadline(Instant.now().plusSeconds(30), () -> "in time")).isEqualTo("in time");
        assertThatThrownBy(() -> Coroutines.deadline(Instant.now().plusMillis(100), () -> {
            sleepForever();
            return "never";
        })).isInstanceOf(TimeoutException.class);
        TaskGroupException groupFailure = catchThrowableOfType(TaskGroupException.class, () -> {
            try (TaskGroup group = TaskGroup.open()) {
                taskAsAFuture_andWaitFirstException(group);
            }
        });
        assertThat(groupFailure.getCause()).hasMessage("boom");
        // create_subprocess_exec in a coroutine: cancelling the task ends its wait and run() kills the tree
        Path pids = tmp.resolve("pids");
        try (TaskGroup group = TaskGroup.open()) {
            Task<CompletedProcess> crawl = group.spawn(() -> Subprocess.command("sh", "-c",
                    "sleep 60 & echo $$ $! > " + pids + "; wait").captureOutput().run());
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(pids) && Files.readString(pids).strip().contains(" "));
            assertThat(crawl.cancel(true)).isTrue();
        }
        for (String pid : Files.readString(pids).strip().split(" ")) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(Long.parseLong(pid))
                    .map(h -> !h.isAlive() || isZombie(h.pid())).orElse(true));
        }
    }

    /** The README rows task.result()/done()/cancel() and asyncio.wait(FIRST_EXCEPTION), in {@code group}. */
    private static void taskAsAFuture_andWaitFirstException(TaskGroup group) throws Exception {
        // task.result(), task.done(), task.cancel()
        Task<Integer> answer = group.spawn(() -> 42);
        assertThat(answer.get()).isEqualTo(42);
        assertThat(answer.isDone()).isTrue();
        assertThat(answer.resultNow()).isEqualTo(42);
        Task<Object> sleeper = group.spawn(() -> {
            sleepForever();
            return null;
        });
        assertThat(sleeper.cancel(true)).isTrue();
        assertThat(sleeper.isCancelled()).isTrue();
        Task<Object> forever = group.spawn(() -> {
            sleepForever();
            return null;
        });
        // asyncio.wait(..., return_when=FIRST_EXCEPTION)
        Task<Object> failing = group.spawn(() -> {
            throw new IOException("boom");
        });
        WaitResult<Object> firstFailure = Coroutines.await(List.of(forever, failing), WaitMode.FIRST_EXCEPTION);
        assertThat(firstFailure.done()).contains(failing);
        assertThat(forever.isCancelled()).as("the group's failure cancelled it").isTrue();
    }

    /** Whether {@code pid} has exited and waits to be reaped (or is gone altogether). */
    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException gone) {
            return true;
        }
    }

    @Test
    void asCompletedAndAwait_inCompletionOrder() throws Exception {
        Event releaseSecond = Event.create();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = group.spawn(() -> {
                releaseSecond.await();
                return "slow";
            });
            Task<String> quick = group.spawn(() -> "quick");
            Completions<String> done = Coroutines.asCompleted(List.of(slow, quick));
            assertThat(done.next().resultNow()).isEqualTo("quick");
            assertThat(done.hasNext()).isTrue();

            WaitResult<String> first = Coroutines.await(List.of(slow, quick), WaitMode.FIRST_COMPLETED);
            assertThat(first.done()).containsExactly(quick);
            assertThat(first.pending()).containsExactly(slow);

            WaitResult<String> r = Coroutines.await(List.of(slow, quick), WaitMode.ALL_COMPLETED, Duration.ofMillis(100));
            assertThat(r.pending()).containsExactly(slow);
            releaseSecond.set();
            assertThat(done.next().resultNow()).isEqualTo("slow");
            assertThat(done.hasNext()).isFalse();
            r = Coroutines.await(List.of(slow, quick), WaitMode.ALL_COMPLETED, Duration.ofSeconds(30));
            for (Task<String> t : r.done()) {
                assertThat(t.state()).isEqualTo(Task.State.SUCCESS);
            }
            assertThat(r.pending()).isEmpty();
        }
    }

    @Test
    void eventExample_setReleasesEveryWaiter_clearResets() throws Exception {
        Event ready = Event.create();
        List<Task<Integer>> tasks = new ArrayList<>();
        try (TaskGroup group = TaskGroup.open()) {
            for (int i = 0; i < 3; i++) {
                int n = i;
                tasks.add(group.spawn(() -> {
                    ready.await();
                    return n;
                }));
            }
            assertThat(ready.isSet()).isFalse();
            ready.set();
        }
        assertThat(tasks).allSatisfy(t -> assertThat(t.state()).isEqualTo(Future.State.SUCCESS));
        ready.clear();
        assertThat(ready.isSet()).isFalse();
        assertThat(ready.await(Duration.ofMillis(10))).isFalse();
        Coroutines.sleep(Duration.ofMillis(1));
    }

    // ---- examples added in a second pass ----

    private final int scale = 3;

    @Test
    void encodingExceptionExample_aLambdaThatCapturesThis_failsInTheCallersThread() {
        try {
            pool.apply(x -> x * scale, 3);
            throw new AssertionError("the lambda captures a ReadmeExamplesTest, which is not Serializable");
        } catch (EncodingException e) {
            assertThat(e.offendingClass()).isEqualTo(ReadmeExamplesTest.class.getName());
            assertThat(e.getMessage()).contains(ReadmeExamplesTest.class.getName());
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void decodingExceptionExample_malformedBytes() {
        assertThatThrownBy(() -> Codec.standard().decode(new byte[] {-18}))
                .isInstanceOf(DecodingException.class)
                .hasMessage("malformed value: unknown value tag -18");
    }

    @Test
    void processStartExceptionExample_aBadJvmOption_namesItFromTheChildsStderr() {
        SerializableRunnable task = () -> { };
        assertThatThrownBy(() -> {
            try (JvmProcess child = JvmProcess.builder().task(task).jvmOptions(List.of("-XX:+UseZGCC")).start()) {
                child.join();
            }
        }).isInstanceOf(ProcessStartException.class)
                .hasMessageContaining("exited with exit code 1 before it started")
                .hasMessageContaining("Unrecognized VM option 'UseZGCC'");
    }

    @Test
    void subprocessExample_streamLinesOfAnEndlessCommand_thenCloseKillsIt() throws Exception {
        Subprocess tail = Subprocess.command("sh", "-c", "i=0; while :; do i=$((i+1)); echo \"line $i\"; "
                + "[ $((i % 2)) -eq 0 ] && echo \"error $i\"; done").stdout(Redirect.PIPE).start();
        List<String> errors;
        try (tail; Stream<String> lines = tail.stdoutLines()) {
            errors = lines.filter(l -> l.contains("error")).limit(3).toList();
        }
        assertThat(errors).containsExactly("error 2", "error 4", "error 6");
        assertThat(tail.waitFor(Duration.ofSeconds(30))).isPresent();   // close() killed it
    }

    @Test
    void subprocessExceptionExample_keepsWhatTheCommandPrinted() {
        assertThatThrownBy(() -> Subprocess.command("sh", "-c", "echo partial; echo bad >&2; exit 3")
                .captureOutput().check().timeout(Duration.ofMinutes(5)).run())
                .isInstanceOfSatisfying(SubprocessException.class, e -> {
                    assertThat(e).isInstanceOf(CalledProcessException.class);
                    assertThat(e.stdout()).isEqualTo("partial\n");
                    assertThat(e.getMessage()).contains("3").contains("bad");
                });
    }

    @Test
    void table_inputCwdEnvStderrToStdout_withoutCapture_asTheRowWritesIt() throws Exception {
        CompletedProcess done = Subprocess.command("/bin/sh", "-c", "cat >/dev/null; echo \"$E\" > out.txt")
                .input("data").cwd(tmp).clearEnv().env(Map.of("E", "e")).stderrToStdout().run();
        assertThat(done.returnCode()).isZero();
        assertThat(Files.readString(tmp.resolve("out.txt"))).isEqualTo("e\n");
    }

    static boolean hasPython3() throws InterruptedException {
        try {
            return Subprocess.command("python3", "-c", "pass").stdout(Redirect.DISCARD).stderr(Redirect.DISCARD)
                    .run().returnCode() == 0;
        } catch (IOException notFound) {
            return false;
        }
    }

    @Test
    void signalExample_usr1ThenInt_asCtrlCInPython() throws Exception {
        Assumptions.assumeTrue(hasPython3(), "python3 is not installed");
        Path worker = Files.writeString(tmp.resolve("worker.py"), """
                import signal, sys, time
                signal.signal(signal.SIGUSR1, lambda s, f: print("usr1", flush=True))
                # Ctrl-C's KeyboardInterrupt even if this test runs with SIGINT ignored (a build run as a background
                # job): Python then leaves it ignored, and the worker would never end
                signal.signal(signal.SIGINT, signal.default_int_handler)
                print("ready", flush=True)
                try:
                    while True:
                        time.sleep(0.05)
                except KeyboardInterrupt:
                    print("interrupted", flush=True)
                    sys.exit(7)
                """);
        // as the Signal javadoc writes it: signalling before the handler is installed would kill the worker
        // with USR1 (status 138), which is what the example did before it waited for "ready"
        try (Subprocess w = Subprocess.command("python3", worker.toString()).stdout(Redirect.PIPE).start();
             Stream<String> lines = w.stdoutLines()) {
            Iterator<String> out = lines.iterator();
            assertThat(out.next()).isEqualTo("ready");
            w.sendSignal(Signal.USR1);
            w.sendSignal(Signal.INT);
            int status = w.waitFor();
            assertThat(status).isEqualTo(7);   // exited from its KeyboardInterrupt handler
            List<String> rest = new ArrayList<>();
            out.forEachRemaining(rest::add);
            assertThat(rest).contains("interrupted");   // and "usr1" when its handler ran before the exit
        }
    }

    @Test
    void poolBuilderNames_threadsAndWorkers() throws Exception {
        try (ThreadPool threads = ThreadPool.builder()
                .threads(4)
                .taskTimeout(Duration.ofSeconds(30))
                .name("thumbs")
                .build()) {
            List<String> names = threads.map(image -> Thread.currentThread().getName(), List.of(1, 2, 3));
            assertThat(names).allSatisfy(n -> assertThat(n).matches("thumbs-\\d+"));
        }
        try (VirtualThreadPool virtual = VirtualThreadPool.builder()
                .maxConcurrency(100)
                .taskTimeout(Duration.ofSeconds(30))
                .build()) {
            assertThat(virtual.map(url -> Thread.currentThread().isVirtual(), List.of("a"))).containsExactly(true);
        }
    }

    @Test
    void waitModeExample_cancelThePendingMirror() throws Exception {
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> primary = group.spawn(() -> fetch("https://primary.example/data"));
            Task<String> mirror = group.spawn(() -> fetch("https://slow.mirror.example/data"));
            WaitResult<String> first = Coroutines.await(List.of(primary, mirror), WaitMode.FIRST_COMPLETED);
            first.pending().forEach(t -> t.cancel(true));
            assertThat(first.done()).containsExactly(primary);
        }
    }

    @Test
    void table_aPlainTryBlocksException_doesNotCancelTheTasks_closeWaitsForThem() {
        AtomicReference<Task<String>> task = new AtomicReference<>();
        assertThatThrownBy(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                task.set(group.spawn(() -> {
                    Coroutines.sleep(Duration.ofMillis(100));
                    return "finished";
                }));
                throw new IllegalStateException("the block gives up");
            }
        }).isInstanceOf(IllegalStateException.class);
        assertThat(task.get().resultNow()).isEqualTo("finished");
    }

    @Test
    void readme_aPathTravelsAsItsText() throws Exception {
        SerializableFunction<Path, Path> parent = Path::getParent;
        assertThat(pool.apply(parent, Path.of("/data/in/a.txt"))).isEqualTo(Path.of("/data/in"));
    }

    @Test
    void table_poolClose_waitsForQueuedWork() throws Exception {
        CompletableFuture<Integer> queued;
        try (ProcessPool p = ProcessPool.create(1)) {
            queued = p.applyAsync(x -> x + sleepMillis(300), 5);
        }
        assertThat(queued).isCompletedWithValue(5);
    }

    @Test
    void table_awaitFirstException_aCancelledTaskIsNoFailure_asInAsyncio() throws Exception {
        Event failNow = Event.create();
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> slow = group.spawn(() -> fetch("/slow"));
            Task<String> cancelled = group.spawn(() -> fetch("/slow/too"));
            cancelled.cancel(true);
            try (TaskGroup other = TaskGroup.open()) {   // its failure cancels this group only
                Task<String> failing = other.spawn(() -> {
                    failNow.await();
                    throw new IOException("failed");
                });
                List<Task<String>> tasks = List.of(slow, cancelled, failing);
                WaitResult<String> r = Coroutines.await(tasks, WaitMode.FIRST_EXCEPTION, Duration.ofMillis(100));
                assertThat(r.done()).containsExactly(cancelled);   // timed out: the cancellation did not end it
                failNow.set();
                r = Coroutines.await(tasks, WaitMode.FIRST_EXCEPTION);
                assertThat(r.done()).containsExactly(cancelled, failing);
                assertThat(r.pending()).containsExactly(slow);
            } catch (TaskGroupException e) {
                assertThat(e.getCause()).hasMessage("failed");
            }
            group.cancel();
        }
    }
}
