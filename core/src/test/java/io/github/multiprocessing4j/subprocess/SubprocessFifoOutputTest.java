package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.multiprocessing4j.testing.Delays;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A named pipe (FIFO) as a command's stdout or stderr: the JDK opens an output file in this JVM before it starts
 * the command, and the open of a FIFO for writing waits for a reader, so a FIFO nobody read hung start() and
 * run() there, beyond their timeout and deaf to interrupts.
 */
class SubprocessFifoOutputTest {
    /** Far more than any of these takes; what a hang runs into. */
    private static final Duration HANG = Duration.ofSeconds(30);
    /** The class whose thread copies the command's output into a FIFO (by name: the test ran before it existed). */
    private static final String FIFO_RELAY = "io.github.multiprocessing4j.subprocess.FifoRelay";
    /** What the JDK reports for a command killed by SIGPIPE: 128 + 13. */
    private static final int SIGPIPE_STATUS = 141;

    @TempDir
    Path tmp;
    private Path fifo;
    /** Not the common pool: with one worker there (2 cores), a reader waiting in its open would hold up the writer. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void makeFifo() throws Exception {
        fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).as("mkfifo").isZero();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void run_withStdoutToAFifoNobodyReads_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() {
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.command("echo", "hi")
                .stdout(Redirect.to(fifo.toFile())).timeout(Delays.millis(500)).run())
                .isInstanceOf(TimeoutExpiredException.class), "run() with stdout to a fifo and a timeout of 500 ms");

        awaitNoThreadAtTheFifo();
    }

    @Test
    void run_withStdoutToAFifoWhoseReaderDoesNotRead_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() throws Exception {
        randomFile(1 << 20); // more than the pipe and the FIFO hold
        CompletableFuture<InputStream> reader = openToRead();

        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.command("cat", tmp.resolve("data")
                .toString()).stdout(Redirect.to(fifo.toFile())).timeout(Delays.millis(500)).run())
                .isInstanceOf(TimeoutExpiredException.class), "run() with a reader that does not read");

        awaitNoThreadAtTheFifo();
        reader.get(HANG.toSeconds(), TimeUnit.SECONDS).close();
    }

    @Test
    void start_withStderrAppendedToAFifoNobodyReads_returns_andCloseReleasesTheThreadAtTheFifo() {
        Subprocess sleep = assertTimeoutPreemptively(HANG, () -> Subprocess.command("sleep", "60")
                .stderr(Redirect.appendTo(fifo.toFile())).start());
        assertThat(sleep.poll()).as("sleep, running").isEmpty();
        assertThatThrownBy(sleep::stderr).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a pipe");

        sleep.close();

        assertThat(sleep.poll()).isPresent();
        awaitNoThreadAtTheFifo();
    }

    @Test
    void run_withStdoutToAFifo_theReaderHasEveryByteInOrder_whenRunReturns() throws Exception {
        byte[] data = randomFile(1 << 20);
        CompletableFuture<byte[]> read = readAll();

        CompletedProcess done = assertTimeoutPreemptively(HANG, () -> Subprocess.command("cat", tmp.resolve("data")
                .toString()).stdout(Redirect.to(fifo.toFile())).timeout(HANG).run());

        assertThat(done.returnCode()).isZero();
        // the FIFO's writer is closed when run() returns: the reader is at its end, or gets there without us
        assertThat(Arrays.equals(read.get(HANG.toSeconds(), TimeUnit.SECONDS), data)).as("what the reader read is "
                + "what cat wrote").isTrue();
        awaitNoThreadAtTheFifo();
    }

    @Test
    void run_andWaitFor_withStdoutToAFifo_returnOnlyOnceTheOutputIsInTheFifo() throws Exception {
        // more than the FIFO holds, less than it, the pipe and the copy's buffer (64 KiB each) hold: cat ends first
        byte[] data = randomFile(150 * 1024);
        Path ended = tmp.resolve("ended");
        CompletableFuture<InputStream> reader = openToRead();
        CompletableFuture<CompletedProcess> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Subprocess.command("sh", "-c", "cat \"$1\" && touch \"$2\"", "sh", tmp.resolve("data").toString(),
                        ended.toString()).stdout(Redirect.to(fifo.toFile())).timeout(HANG).run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);

        await().atMost(HANG).until(() -> Files.exists(ended));
        // as with the FIFO as its own stdout, which cat could not have left before its reader read
        await().during(Delays.millis(500)).atMost(HANG).until(() -> !run.isDone());
        try (InputStream in = reader.get(HANG.toSeconds(), TimeUnit.SECONDS)) {
            assertThat(Arrays.equals(in.readAllBytes(), data)).as("what the reader read is what cat wrote").isTrue();
        }
        assertThat(run.get(HANG.toSeconds(), TimeUnit.SECONDS).returnCode()).isZero();

        // the same for waitFor() after start()
        Files.delete(ended);
        CompletableFuture<InputStream> reader2 = openToRead();
        try (Subprocess sh = Subprocess.command("sh", "-c", "cat \"$1\" && touch \"$2\"", "sh",
                tmp.resolve("data").toString(), ended.toString()).stdout(Redirect.to(fifo.toFile())).start()) {
            await().atMost(HANG).until(() -> Files.exists(ended));
            assertThat(sh.waitFor(Delays.millis(500))).as("waitFor(500 ms), the output not all in the FIFO").isEmpty();
            CompletableFuture<byte[]> read = reader2.thenApplyAsync(in -> {
                try (in) {
                    return in.readAllBytes();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            assertThat(sh.waitFor()).isZero();
            assertThat(Arrays.equals(read.get(HANG.toSeconds(), TimeUnit.SECONDS), data)).isTrue();
        }
        awaitNoThreadAtTheFifo();
    }

    @Test
    void poll_withStdoutToAFifo_showsTheExitOnlyOnceTheOutputIsInTheFifo_soThatACloseAfterItLosesNothing()
            throws Exception {
        // poll() showed the exit while up to 128 KiB were still on their way (pipe, copy), and a close() right
        // after it cut them off: the reader got part of the output of a command that had ended well
        byte[] data = randomFile(150 * 1024);
        Path ended = tmp.resolve("ended");
        CompletableFuture<InputStream> reader = openToRead();
        Subprocess sh = Subprocess.command("sh", "-c", "cat \"$1\" && touch \"$2\"", "sh",
                tmp.resolve("data").toString(), ended.toString()).stdout(Redirect.to(fifo.toFile())).start();
        try {
            await().atMost(HANG).until(() -> Files.exists(ended));
            await().during(Delays.millis(500)).atMost(Delays.seconds(5)).until(() -> sh.poll().isEmpty());
            CompletableFuture<byte[]> read = reader.thenApplyAsync(in -> {
                try (in) {
                    return in.readAllBytes();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            await().atMost(HANG).pollInterval(Duration.ofMillis(1)).until(() -> sh.poll().isPresent());
            sh.close(); // at once: what poll() said has ended must not lose output here
            assertThat(sh.poll()).hasValue(0);
            assertThat(Arrays.equals(read.get(HANG.toSeconds(), TimeUnit.SECONDS), data))
                    .as("what the reader read is what cat wrote").isTrue();
        } finally {
            sh.close();
        }
        awaitNoThreadAtTheFifo();
    }

    @Test
    void toString_ofACommandThatExitedWithItsOutputStillOnItsWayToAFifo_saysItExited_notRunning() throws Exception {
        // poll() stays empty until the output is in the FIFO (here never: nobody opens it), and toString(), which
        // read poll() alone, said "running" of a command that had exited, and that kill() no longer reaches
        Subprocess echo = Subprocess.command("echo", "hi").stdout(Redirect.to(fifo.toFile())).start();
        try {
            echo.toHandle().onExit().get(HANG.toSeconds(), TimeUnit.SECONDS);
            await().atMost(HANG).alias("toString() says the command exited")
                    .until(() -> echo.toString().contains("exited 0"));
            assertThat(echo.poll()).as("poll(), the output not in the FIFO").isEmpty();
            assertThat(echo.toString()).doesNotContain("running").contains("FIFO");
        } finally {
            echo.close();
        }
        assertThat(echo.toString()).endsWith(", exited 0]");
        awaitNoThreadAtTheFifo();
    }

    @Test
    void kill_ofACommandThatExitedWithItsOutputWaitingForAFifoNobodyOpens_endsTheCopy_andWaitForReturns()
            throws Exception {
        // poll() and waitFor() show the exit once the output is in the FIFO; kill() did nothing once the command had
        // exited, so "wait, kill at the timeout, wait" waited for good
        afterTheSignal_waitForReturns(Subprocess::kill);
    }

    @Test
    void terminate_ofACommandThatExitedWithItsOutputWaitingForAFifoNobodyOpens_endsTheCopy_andWaitForReturns()
            throws Exception {
        afterTheSignal_waitForReturns(Subprocess::terminate);
    }

    private void afterTheSignal_waitForReturns(java.util.function.Consumer<Subprocess> signal) throws Exception {
        Subprocess echo = Subprocess.command("echo", "hi").stdout(Redirect.to(fifo.toFile())).start();
        try {
            echo.toHandle().onExit().get(HANG.toSeconds(), TimeUnit.SECONDS);
            await().atMost(HANG).alias("the JDK has seen the exit").until(() -> echo.toString().contains("exited 0"));
            assertThat(echo.waitFor(Delays.millis(200))).as("the output not in the FIFO").isEmpty();
            signal.accept(echo);
            assertThat(echo.waitFor(HANG)).as("waitFor after the signal").hasValue(0);
            assertThat(echo.poll()).hasValue(0);
        } finally {
            echo.close();
        }
        awaitNoThreadAtTheFifo();
    }

    @Test
    void run_withStdoutToAFifoAndStderrToStdout_theReaderHasBoth() throws Exception {
        CompletableFuture<byte[]> read = readAll();

        CompletedProcess done = assertTimeoutPreemptively(HANG, () -> Subprocess.command("sh", "-c",
                "echo out; echo err >&2").stdout(Redirect.appendTo(fifo.toFile())).stderrToStdout().timeout(HANG).run());

        assertThat(done.returnCode()).isZero();
        assertThat(new String(read.get(HANG.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8))
                .isEqualTo("out\nerr\n");
    }

    @Test
    void run_whenTheFifosReaderGoesAway_theCommandGetsSigpipe() throws Exception {
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) { // waits for the writer to open it
                in.readNBytes(100_000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);

        CompletedProcess done = assertTimeoutPreemptively(HANG, () -> Subprocess.command("yes")
                .stdout(Redirect.to(fifo.toFile())).timeout(HANG).run());

        assertThat(done.returnCode()).as("yes, writing after its reader left").isEqualTo(SIGPIPE_STATUS);
        reader.get();
        awaitNoThreadAtTheFifo();
    }

    @Test
    void pipeline_withStdoutToAFifoNobodyReads_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() {
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo", "b"),
                Subprocess.command("cat")).stdout(Redirect.to(fifo.toFile())).timeout(Delays.millis(500)).run())
                .isInstanceOf(TimeoutExpiredException.class), "pipeline run() with stdout to a fifo, timeout 500 ms");

        awaitNoThreadAtTheFifo();
    }

    @Test
    void pipeline_withAStagesStderrToAFifoNobodyReads_endsAtItsTimeout_andLeavesNoThreadAtTheFifo() {
        assertTimeoutPreemptively(HANG, () -> assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo", "b")
                .stderr(Redirect.to(fifo.toFile())), Subprocess.command("cat")).captureOutput().timeout(Delays.millis(500))
                .run()).isInstanceOf(TimeoutExpiredException.class), "pipeline run() with stderr to a fifo");

        awaitNoThreadAtTheFifo();
    }

    @Test
    void pipeline_withStdoutToAFifo_theReaderHasTheLastStagesOutput() throws Exception {
        CompletableFuture<byte[]> read = readAll();

        CompletedPipeline done = assertTimeoutPreemptively(HANG, () -> Subprocess.pipeline(Subprocess.command("printf",
                "b\\na\\n"), Subprocess.command("sort")).stdout(Redirect.to(fifo.toFile())).timeout(HANG).run());

        assertThat(done.returnCodes()).containsOnly(0);
        assertThat(new String(read.get(HANG.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
        awaitNoThreadAtTheFifo();
    }

    @Test
    void waitFor_withStdoutToAFifo_returnsOnceTheCommandExits_thoughAChildItLeftRunningHoldsItsStdout() throws Exception {
        // As with the FIFO as its own stdout, where the child holds the FIFO and waitFor() does not wait for it.
        // The copy waited in its read of the command's pipe as the command exited: then the JDK could not close that
        // pipe at the exit (its ProcessPipeInputStream.processExited waits for the read's lock). It now polls the
        // pipe; the test makes the command exit while the copy waits for more output.
        Path pid = tmp.resolve("pid");
        Path go = tmp.resolve("go");
        CompletableFuture<InputStream> reader = openToRead();
        try (Subprocess sh = Subprocess.command("sh", "-c", "sleep 120 & echo $! > \"$1\"; echo hi; "
                + "while [ ! -e \"$2\" ]; do sleep 0.05; done", "sh", pid.toString(), go.toString())
                .stdout(Redirect.to(fifo.toFile())).start(); InputStream in = reader.get(HANG.toSeconds(), TimeUnit.SECONDS)) {
            assertThat(new String(in.readNBytes(3), StandardCharsets.UTF_8)).isEqualTo("hi\n");
            await().atMost(HANG).until(SubprocessFifoOutputTest::aCopyWaitsForOutput);
            Files.createFile(go);

            assertThat(sh.waitFor(Delays.seconds(10))).as("waitFor(10 s) of a command that exited, leaving a child")
                    .hasValue(0);
        } finally {
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** A thread of FifoRelay waits for more of a command's output, in a read of its pipe or between two looks. */
    private static boolean aCopyWaitsForOutput() {
        return Thread.getAllStackTraces().values().stream()
                .filter(trace -> Arrays.stream(trace).anyMatch(f -> f.getClassName().equals(FIFO_RELAY)))
                .anyMatch(trace -> Arrays.stream(trace).anyMatch(f -> f.getClassName().equals("java.io.FileInputStream")
                        && f.getMethodName().startsWith("read")
                        || f.getClassName().equals("java.util.concurrent.locks.LockSupport")
                        && f.getMethodName().equals("parkNanos")));
    }

    @Test
    void run_withARedirectWhoseNameHasANul_stillSaysItIsAnInvalidName() {
        // the look for a FIFO must leave such a name to the JDK, not fail on it with an InvalidPathException
        assertThatThrownBy(() -> Subprocess.command("cat").stdin(Redirect.from(new File("a\0b"))).run())
                .isExactlyInstanceOf(IOException.class).hasMessageContaining("invalid name");
        assertThatThrownBy(() -> Subprocess.command("echo").stdout(Redirect.to(new File("a\0b"))).run())
                .isExactlyInstanceOf(IOException.class).hasMessageContaining("invalid name");
    }

    /** Writes {@code size} random bytes to tmp/data. */
    private byte[] randomFile(int size) throws Exception {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        Files.write(tmp.resolve("data"), data);
        return data;
    }

    /** Reads the FIFO to its end, on a thread of its own: its open waits for a writer. */
    private CompletableFuture<byte[]> readAll() {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    /** The FIFO opened to read, once a writer has opened it; not read. */
    private CompletableFuture<InputStream> openToRead() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newInputStream(fifo);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    /** No thread is left waiting for a reader to open the FIFO, or for one to read it. */
    private static void awaitNoThreadAtTheFifo() {
        await().atMost(Delays.seconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(threadsAtTheFifo()).as("threads still writing the FIFO").isEmpty());
    }

    private static List<String> threadsAtTheFifo() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(FIFO_RELAY)))
                .map(Map.Entry::getKey)
                .map(Thread::getName)
                .toList();
    }
}
