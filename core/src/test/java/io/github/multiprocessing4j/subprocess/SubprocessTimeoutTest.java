package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts and interrupts: the whole process tree dies, the output so far is kept, nothing hangs. */
class SubprocessTimeoutTest {

    @TempDir
    Path tmp;

    /** Pids the test learned of, killed after it in case it failed half-way. */
    private final List<Long> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        Pids.killAll(started);
    }

    @Test
    void run_whenTimeoutExpires_killsTheWholeTree() {
        // The shell prints its pid and its background grandchild's, then waits for the grandchild.
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command("sh", "-c", "sleep 60 & echo $$ $!; wait")
                        .captureOutput().timeout(Delays.seconds(1.5)).run());

        List<Long> pids = Pids.parse(e.stdout());
        started.addAll(pids);
        assertThat(pids).hasSize(2);
        assertThat(e.killedPids()).containsAll(pids);
        assertThat(e.timeout()).isEqualTo(Delays.seconds(1.5));
        assertThat(e.getMessage()).contains("timed out after").contains("killed its process tree");
        Pids.awaitGone(pids);
    }

    @Test
    void run_whenTimeoutExpires_keepsTheOutputWrittenBeforeOnBothStreams() {
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command("sh", "-c", "echo to-out; echo to-err >&2; exec sleep 60")
                        .captureOutput().timeout(Delays.seconds(1)).run());

        assertThat(e.stdout()).isEqualTo("to-out\n");
        assertThat(e.stderr()).isEqualTo("to-err\n");
        assertThat(e.getMessage()).endsWith("last lines of stderr:\nto-err");
    }

    @Test
    void run_whenTimeoutExpires_withStderrMergedIntoStdout_quotesTheLastLinesOfTheOutput() throws Exception {
        // The message quoted the last lines of stderr only: with stderrToStdout() (2>&1) it quoted nothing, where
        // CalledProcessException quotes the output's last lines.
        String[] cmd = {"sh", "-c", "echo started; echo 'waiting for the lock' >&2; exec sleep 60"};
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command(cmd).captureOutput().stderrToStdout().timeout(Delays.seconds(1)).run());

        assertThat(e.stdout()).isEqualTo("started\nwaiting for the lock\n");
        assertThat(e.getMessage()).endsWith("last lines of its output (stderr merged into stdout):\nstarted\n"
                + "waiting for the lock");
        try (Subprocess p = Subprocess.command(cmd).stdout(Redirect.PIPE).stderrToStdout().start()) {
            TimeoutExpiredException running = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate(Delays.seconds(1)));
            assertThat(running.getMessage()).contains("(still running)")
                    .endsWith("last lines of its output (stderr merged into stdout):\nstarted\nwaiting for the lock");
        }
    }

    @Test
    void run_withGracePeriod_sendsSigtermFirstSoTheCommandCanCleanUp() {
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command("sh", "-c", "trap 'echo cleaned up; exit 0' TERM; echo $$; sleep 60 & wait")
                        .captureOutput().timeout(Delays.seconds(1)).gracePeriod(Delays.seconds(5)).run());

        assertThat(e.stdout()).endsWith("cleaned up\n");
        Pids.awaitGone(e.killedPids());
    }

    @Test
    void run_withGracePeriod_alsoKillsWhatTheCommandForkedDuringTheGrace() throws Exception {
        // The TERM handler starts a clean-up child and the shell goes on: that child did not exist when
        // the tree was first listed, and must not outlive the SIGKILL pass.
        Path pidFile = tmp.resolve("cleanup-pid");
        catchThrowableOfType(TimeoutExpiredException.class, () -> Subprocess.command("sh", "-c",
                        "trap 'sleep 60 & echo $! > " + pidFile + "' TERM; while :; do sleep 0.1; done")
                .timeout(Delays.seconds(1)).gracePeriod(Delays.seconds(1)).run());

        assertThat(pidFile).exists();
        List<Long> cleanup = Pids.parse(Files.readString(pidFile));
        started.addAll(cleanup);
        Pids.awaitGone(cleanup);
    }

    @Test
    void run_whenAnEscapedProcessKeepsThePipeOpen_givesUpAfterTheTimeoutAndAGrace() {
        // The subshell starts sleep and exits at once: sleep is re-parented to init, out of the tree,
        // and holds stdout open. CPython's run() waits for it forever; ours gives up.
        long t0 = System.nanoTime();
        TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class, () ->
                Subprocess.command("sh", "-c", "(sleep 30 & echo $!)").captureOutput()
                        .timeout(Delays.seconds(1)).run());
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        long escaped = Pids.parse(e.stdout()).getFirst();
        started.add(escaped);
        assertThat(e.killedPids()).isEmpty(); // the shell had exited: there was no tree left to kill
        assertThat(e.getMessage()).contains("it had exited, but its output had not reached its end yet")
                .doesNotContain("still running");
        assertThat(Pids.running(escaped)).isTrue();
        assertThat(took).isLessThan(Delays.seconds(1).plus(Completion.ESCAPED_WRITER_GRACE).plus(Delays.seconds(10)));
    }

    @Test
    void run_whenInterrupted_killsTheTreeAndThrowsInterruptedException() throws Exception {
        Path pidFile = tmp.resolve("pids");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptStatusAfter = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().start(() -> {
            try {
                Subprocess.command("sh", "-c", "sleep 60 & echo $$ $! > " + pidFile + "; wait").run();
            } catch (Throwable t) {
                thrown.set(t);
                interruptStatusAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        Awaitility.await().atMost(Delays.seconds(10))
                .until(() -> Files.exists(pidFile) && Files.readString(pidFile).strip().contains(" "));
        List<Long> pids = Pids.parse(Files.readString(pidFile));
        started.addAll(pids);

        runner.interrupt();
        runner.join(Delays.seconds(10));

        assertThat(runner.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(interruptStatusAfter.get()).as("the interrupt status is cleared, as run()'s javadoc says").isFalse();
        Pids.awaitGone(pids);
    }

    @Test
    void communicate_whenTimeoutExpires_leavesTheCommandRunning_andTheNextCallReturnsAllTheOutput() throws Exception {
        // the command waits for the go file, so that it still runs when the timeout expires however slow the machine
        Path go = tmp.resolve("go");
        try (Subprocess p = Subprocess.command("sh", "-c",
                        "echo first; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo second", "sh", go.toString())
                .captureOutput().start()) {
            TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate(Delays.millis(200)));
            assertThat(e.killedPids()).isEmpty();
            assertThat(e.getMessage()).contains("still running");
            assertThat(p.poll()).isEmpty();

            Files.createFile(go);
            CompletedProcess done = p.communicate(Delays.seconds(10));

            assertThat(done.stdout()).isEqualTo("first\nsecond\n");
            assertThat(done.returnCode()).isZero();
        }
    }

    @Test
    void communicateWithInput_afterATimeout_killThenCommunicate_returnsAllTheOutput_asPythonsDocumentedPattern()
            throws Exception {
        // except TimeoutExpired: proc.kill(); outs, errs = proc.communicate()
        try (Subprocess p = Subprocess.command("sh", "-c", "cat; echo to-err >&2; exec sleep 60")
                .stdin(Redirect.PIPE).captureOutput().start()) {
            // it times out whatever the wait (the sleep), which is long enough for the echoes on a loaded machine
            TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate("hello\n", Delays.seconds(3)));
            assertThat(e).isNotNull();
            p.kill();
            CompletedProcess done = p.communicate(Delays.seconds(30));

            assertThat(done.stdout()).isEqualTo("hello\n");
            assertThat(done.stderr()).isEqualTo("to-err\n");
            assertThat(done.returnCode()).isEqualTo(128 + 9);
        }
    }

    @Test
    void communicateWithInput_afterATimeout_theNextCallFinishesWritingTheInputOnce() throws Exception {
        // The command reads nothing until the go file exists, so the timeout expires with most of the input
        // unwritten; the next communicate() finishes it, and the command echoes every byte exactly once.
        Path go = tmp.resolve("go");
        byte[] input = new byte[1 << 20];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 31);
        }
        try (Subprocess p = Subprocess.command("sh", "-c", "while [ ! -e \"$1\" ]; do sleep 0.05; done; exec cat", "sh",
                go.toString()).stdin(Redirect.PIPE).captureOutput().start()) {
            catchThrowableOfType(TimeoutExpiredException.class, () -> p.communicate(input, Delays.millis(200)));
            assertThatThrownBy(() -> p.communicate(new byte[] {1})).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("input was already sent");
            Files.createFile(go);
            CompletedProcess done = p.communicate(Delays.seconds(30));

            assertThat(done.stdoutBytes()).isEqualTo(input);
            assertThat(done.returnCode()).isZero();
        }
    }

    @Test
    void communicateWithAZeroTimeout_afterTheCommandExited_neverSaysItIsStillRunning() throws Exception {
        // The pipes are read from the first communicate on: with a zero timeout it gives up before the reading
        // reaches their end, or, if that end comes as it gives up, the command has exited and its output ended,
        // which is everything ended. Said "(still running)" in about one call in ten.
        for (int i = 0; i < 50; i++) {
            try (Subprocess p = Subprocess.command("printf", "x").stdout(Redirect.PIPE).start()) {
                assertThat(p.waitFor()).isZero();
                try {
                    assertThat(p.communicate(Duration.ZERO).stdout()).isEqualTo("x");
                } catch (TimeoutExpiredException e) {
                    assertThat(e.getMessage()).as("round %d", i).doesNotContain("still running");
                }
                assertThat(p.communicate(Delays.seconds(10)).stdout()).isEqualTo("x");
            }
        }
    }

    @Test
    void communicate_whenTimeoutExpiresAfterTheCommandExited_saysSoInsteadOfStillRunning() throws Exception {
        // The shell leaves sleep behind with its stdout, and exits once the go file exists; communicate, as
        // Python's, waits for the pipe to close, which sleep keeps open.
        Path go = tmp.resolve("go");
        try (Subprocess p = Subprocess.command("sh", "-c",
                        "sleep 60 & echo $!; while [ ! -e \"$1\" ]; do sleep 0.05; done", "sh", go.toString())
                .captureOutput().start()) {
            TimeoutExpiredException first = null;
            // until the collector has read the pid, and so holds the pipe before the shell exits
            for (int i = 0; i < 50 && (first == null || first.stdout().isEmpty()); i++) {
                first = catchThrowableOfType(TimeoutExpiredException.class, () -> p.communicate(Delays.millis(200)));
            }
            started.add(Pids.parse(first.stdout()).getFirst());
            assertThat(first.getMessage()).contains("still running"); // the shell waits for the go file
            Files.createFile(go);
            assertThat(p.waitFor(Delays.seconds(10))).hasValue(0);

            TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate(Delays.millis(200)));

            assertThat(e.getMessage()).doesNotContain("still running")
                    .contains("it had exited, but its output had not reached its end yet");
        }
    }

    @Test
    void communicate_whenTimeoutExpires_theOutputSoFarIsInTheException() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "echo early; exec sleep 60").captureOutput().start()) {
            TimeoutExpiredException e = null;
            // the shell may not have written yet when the first timeout expires: try a few times
            for (int i = 0; i < 50 && (e == null || e.stdout().isEmpty()); i++) {
                e = catchThrowableOfType(TimeoutExpiredException.class, () -> p.communicate(Delays.millis(200)));
            }
            assertThat(e.stdout()).isEqualTo("early\n");
            assertThat(p.poll()).isEmpty();
        }
    }

    @Test
    void timeoutMessage_writesFractionalSecondsTheSameInEveryLocale() throws Exception {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // decimal comma
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            // the timeout must expire (sleep runs for a minute): its length only shows in the message
            TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate(Duration.ofMillis(250)));

            assertThat(e.getMessage()).contains("timed out after 0.250 s");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void communicate_withANegativeTimeoutBeyondLongMillis_throwsTimeoutExpiredException() throws Exception {
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            // the message's "timed out after ..." converted it to milliseconds, which overflowed
            TimeoutExpiredException e = catchThrowableOfType(TimeoutExpiredException.class,
                    () -> p.communicate(Duration.ofSeconds(Long.MIN_VALUE)));

            assertThat(e.getMessage()).contains("timed out after " + Long.MIN_VALUE + " s");
            assertThat(e.timeout()).isEqualTo(Duration.ofSeconds(Long.MIN_VALUE));
            assertThat(p.poll()).isEmpty();
        }
    }

    @Test
    void waitFor_withTimeout_returnsEmptyWhileRunning_andTheStatusOnceExited() throws Exception {
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            assertThat(p.waitFor(Delays.millis(100))).isEmpty();
            assertThat(p.waitFor(Duration.ZERO)).isEmpty();
            assertThat(p.poll()).isEmpty();

            p.terminate();

            assertThat(p.waitFor(Delays.seconds(10))).hasValue(143);
            assertThat(p.poll()).hasValue(143);
        }
    }

    @Test
    void run_whenTheCommandFinishesInTime_isNotAffectedByTheTimeout() throws Exception {
        CompletedProcess done = Subprocess.command("echo", "quick").captureOutput().timeout(Delays.seconds(10)).run();

        assertThat(done.stdout()).isEqualTo("quick\n");
        assertThat(done.checkReturnCode().stderrBytes()).isEmpty();
    }
}
