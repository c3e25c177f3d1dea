package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.Guarded;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running handle, Python's {@code Popen}: pipes, lines, communicate, signals, tree kill, close. */
class SubprocessHandleTest {

    private static final int TEN_MIB = 10 * 1024 * 1024;

    @Test
    void communicate_with10MiBOnStdoutAnd10MiBOnStderrAtOnce_doesNotDeadlock() throws Exception {
        // tee copies its input to stdout and stderr as it reads it: if either output pipe were not drained
        // while the input is written, tee would block, stop reading, and our write would block too.
        byte[] input = new byte[TEN_MIB];
        new Random(42).nextBytes(input);
        try (Subprocess tee = Subprocess.command("tee", "/dev/stderr").stdin(Redirect.PIPE).captureOutput().start()) {
            CompletedProcess done = tee.communicate(input, Delays.seconds(60));

            assertThat(done.returnCode()).isZero();
            assertThat(done.stdoutBytes()).isEqualTo(input);
            assertThat(done.stderrBytes()).isEqualTo(input);
        }
    }

    @Test
    void aNullTimeout_isRefusedWithAMessageThatSaysWhatToCallInstead() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThatThrownBy(() -> cat.communicate((Duration) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout is null").hasMessageContaining("the form without one");
            assertThatThrownBy(() -> cat.waitFor(null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout is null");
            assertThat(cat.communicate("still usable", Delays.seconds(30)).stdout()).isEqualTo("still usable");
        }
    }

    @Test
    void run_with10MiBOnEachOutputStream_andNoInput_doesNotDeadlock() throws Exception {
        CompletedProcess done = Subprocess.command("sh", "-c",
                        "head -c " + TEN_MIB + " /dev/zero >&2 & head -c " + TEN_MIB + " /dev/zero; wait")
                .captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(done.stdoutBytes()).hasSize(TEN_MIB);
        assertThat(done.stderrBytes()).hasSize(TEN_MIB);
    }

    @Test
    void killThenCommunicate_returnsTheOutputWrittenBeforeTheKill_asPythonsPatternExpects(@TempDir Path tmp)
            throws Exception {
        // Python's documented pattern after a timeout: proc.kill(); outs, errs = proc.communicate()
        Path written = tmp.resolve("written");
        try (Subprocess p = Subprocess.command("sh", "-c", "echo out; echo err >&2; : > \"$1\"; exec sleep 60",
                        "sh", written.toString())
                .captureOutput().start()) {
            // kill only once both lines are in the pipes (the marker file comes after them)
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> Files.exists(written));
            assertThat(p.poll()).isEmpty();
            p.kill();
            CompletedProcess done = p.communicate(Delays.seconds(10));

            assertThat(done.returnCode()).isEqualTo(137); // 128 + SIGKILL (Python would say -9)
            assertThat(done.stdout()).isEqualTo("out\n");
            assertThat(done.stderr()).isEqualTo("err\n");
        }
    }

    @Test
    void close_killsACommandThatDoesNotRead_evenWhileAWriterIsStuckOnItsStdin() throws Exception {
        Subprocess p = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).start();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                p.stdin().write(new byte[1024 * 1024]); // fills the pipe; sleep never reads
            } catch (IOException expected) {
                // the pipe broke when the command died
            }
        });
        Thread.sleep(300);
        Thread closer = Thread.ofPlatform().start(p::close);
        closer.join(10_000);

        assertThat(closer.isAlive()).as("close() returned").isFalse();
        assertThat(p.poll()).isPresent();
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    void stdinAndStdout_asStreams_carryDataBothWays() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start()) {
            try (OutputStream in = cat.stdin()) {
                in.write("hello\nworld\n".getBytes(StandardCharsets.UTF_8));
            }
            try (BufferedReader out = new BufferedReader(new InputStreamReader(cat.stdout(), StandardCharsets.UTF_8))) {
                assertThat(out.lines().toList()).containsExactly("hello", "world");
            }
            assertThat(cat.waitFor()).isZero();
        }
    }

    @Test
    void communicateWithInput_afterTheCallerClosedStdin_failsInsteadOfDroppingTheInput() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            try (OutputStream in = cat.stdin()) {
                in.write("written\n".getBytes(StandardCharsets.UTF_8));
            }

            assertThatThrownBy(() -> cat.communicate("lost?\n"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("its stdin was closed through stdin()");
            assertThat(cat.communicate().stdout()).isEqualTo("written\n");
        }
    }

    @Test
    void communicateWithoutInput_afterTheCallerFilledStdin_drainsTheOutputWhileTheRestIsFlushed() throws Exception {
        // The command reads its stdin only after writing 200 KB. The caller's 64 KiB fill the pipe (its
        // capacity on Linux) and 100 more bytes wait in the JDK's stdin buffer. communicate() flushed and
        // closed that buffer on the caller's thread before it drained stdout: the flush blocked on the full
        // pipe, the command blocked on its full stdout, and communicate never returned, its timeout unchecked.
        try (Subprocess p = Subprocess.command("sh", "-c", "head -c 200000 /dev/zero; wc -c")
                .stdin(Redirect.PIPE).captureOutput().start()) {
            OutputStream in = p.stdin();
            in.write(new byte[64 * 1024]);
            in.write(new byte[100]);

            Guarded.Outcome<CompletedProcess> outcome = Guarded.call(() -> p.communicate(Delays.seconds(30)));

            assertThat(outcome.thrown()).isNull();
            CompletedProcess done = outcome.value();
            assertThat(done.returnCode()).isZero();
            assertThat(done.stdoutBytes()).hasSize(200_000 + "65636\n".length());
            assertThat(done.stdout()).endsWith("65636\n");
        }
    }

    @Test
    void communicate_withNullText_sendsNoInputAndClosesStdin_asWithNullBytes() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(cat.communicate((String) null, Duration.ofMinutes(1)).stdout()).isEmpty();
        }
    }

    @Test
    void communicateWithInput_afterWritingToAnOpenStdin_sendsBoth() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            cat.stdin().write("first\n".getBytes(StandardCharsets.UTF_8));

            assertThat(cat.communicate("second\n").stdout()).isEqualTo("first\nsecond\n");
        }
    }

    @Test
    void stdoutLines_deliversEachLineWhileTheCommandStillRuns() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "echo first; echo second; exec sleep 60")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            Iterator<String> it = lines.iterator();

            assertThat(it.next()).isEqualTo("first");
            assertThat(it.next()).isEqualTo("second");
            assertThat(p.poll()).isEmpty();
        }
    }

    @Test
    void stdoutLines_readsNoFurtherThanTheLinesTaken_soCommunicateGetsTheRest_asPython() throws Exception {
        // Python: p.stdout.readline(), then p.communicate() returns the rest. The stream's BufferedReader read
        // ahead (up to 8 KiB), and those bytes were lost to communicate. printf writes its output at once.
        try (Subprocess p = Subprocess.command("printf", "header\\nrow 1\\nrow 2\\n").captureOutput().start()) {
            assertThat(p.stdoutLines().findFirst()).hasValue("header");

            assertThat(p.communicate(Delays.seconds(30)).stdout()).isEqualTo("row 1\nrow 2\n");
        }
    }

    @Test
    void stdoutLines_takenInTurnsWithStdoutReads_loseNothing() throws Exception {
        // \r\n, \r and \n end lines; a byte that is not UTF-8 becomes U+FFFD; the last line needs no end
        try (Subprocess p = Subprocess.command("printf", "a\\r\\nb\\rc\\n\\377d\\ne").stdout(Redirect.PIPE).start()) {
            assertThat(p.stdoutLines().findFirst()).hasValue("a");
            assertThat(p.stdoutLines().iterator().next()).isEqualTo("b");
            assertThat(p.stdout().read()).isEqualTo('c');

            assertThat(p.stdoutLines().toList()).containsExactly("", "\uFFFDd", "e");
        }
    }

    @Test
    void stdoutLines_aLineLongerThan1GiB_comesWhole() throws Exception {
        // The line buffer doubled its length in an int: past 1 GiB that overflowed, the buffer was cut to 8 KiB,
        // and the read threw an IndexOutOfBoundsException (an IllegalArgumentException from Arrays) mid-line.
        // Needs ~3.5 GB of heap (a 2 GiB buffer, the 1 GiB one it grew from, and the line) and ~30 s of copying:
        // too heavy for CI's 2 cores, so it runs only when asked, with -Dmp4j.test.large=true.
        long length = (1L << 30) + 4096;
        Assumptions.assumeTrue(Boolean.getBoolean("mp4j.test.large"), "a large test: -Dmp4j.test.large=true");
        Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() > 4L << 30, "needs a heap of more than 4 GiB");
        try (Subprocess p = Subprocess.command("head", "-c", Long.toString(length), "/dev/zero").stdout(Redirect.PIPE)
                .start();
             Stream<String> lines = p.stdoutLines()) {
            Iterator<String> it = lines.iterator();

            assertThat((long) it.next().length()).isEqualTo(length);
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void stderrLines_readsNoFurtherThanTheLinesTaken() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "printf 'first\\nsecond\\n' >&2").stderr(Redirect.PIPE).start()) {
            assertThat(p.stderrLines().findFirst()).hasValue("first");

            assertThat(new String(p.stderr().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second\n");
        }
    }

    @Test
    void communicate_afterTheCallerReadAndClosedStdout_givesTheStatusAndStderr_andStdoutEmpty_asPython()
            throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "echo out; echo err >&2; exit 3").captureOutput().start()) {
            try (Stream<String> lines = p.stdoutLines()) {
                assertThat(lines.toList()).containsExactly("out");
            }

            CompletedProcess done = p.communicate(Delays.seconds(30));

            assertThat(done.returnCode()).isEqualTo(3);
            assertThat(done.stderr()).isEqualTo("err\n");
            assertThat(done.stdout()).isEmpty(); // Python's communicate skips a closed pipe: b''
        }
    }

    @Test
    void communicate_afterClose_givesTheStatus_andTheClosedPipesEmpty() throws Exception {
        Subprocess p = Subprocess.command("sh", "-c", "echo out; echo err >&2; exit 3").captureOutput().start();
        assertThat(p.waitFor()).isEqualTo(3);
        p.close();

        // it threw UncheckedIOException ("reading stdout ... failed after 0 bytes"): close() had closed the pipes
        CompletedProcess done = p.communicate(Delays.seconds(30));

        assertThat(done.returnCode()).isEqualTo(3);
        assertThat(done.stdout()).isEmpty();
        assertThat(done.stderr()).isEmpty();
    }

    @Test
    void stderrLines_endsWhenTheCommandExits() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "printf 'a\\nb\\r\\nc' >&2").stderr(Redirect.PIPE).start();
             Stream<String> lines = p.stderrLines()) {
            assertThat(lines.toList()).containsExactly("a", "b", "c");
            assertThat(p.waitFor()).isZero();
        }
    }

    @Test
    void stdoutLines_closedWhileTheCommandStillWrites_closesThePipe_andTheCommandDiesOfSigpipe_asPython() throws Exception {
        // Python: p.stdout.close() while `yes` writes; its next write gets SIGPIPE, returncode -13 (here 128 + 13)
        try (Subprocess yes = Subprocess.command("yes").stdout(Redirect.PIPE).start()) {
            try (Stream<String> lines = yes.stdoutLines()) {
                assertThat(lines.limit(3).toList()).containsExactly("y", "y", "y");
            }

            assertThat(yes.waitFor(Delays.seconds(30))).hasValue(141);
        }
    }

    @Test
    void start_withInput_feedsStdinFromAThreadOfOurs() throws Exception {
        try (Subprocess p = Subprocess.command("tr", "a-z", "A-Z").input("shout\n").stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            assertThat(lines.toList()).containsExactly("SHOUT");
            assertThatThrownBy(p::stdin).isInstanceOf(IllegalStateException.class).hasMessageContaining("fed by input");
        }
    }

    @Test
    void pipes_thatWereNotRequested_throwNamingWhereTheStreamGoes() throws Exception {
        try (Subprocess p = Subprocess.command("true").stdout(Redirect.DISCARD).start()) {
            assertThatThrownBy(p::stdout).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("stdout of command [true] is not a pipe: it goes to DISCARD");
            // stdin said "it goes to INHERIT", as if it were an output
            assertThatThrownBy(p::stdin).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("stdin of command [true] is not a pipe: it comes from INHERIT");
            assertThatThrownBy(() -> p.communicate("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot send input");
        }
    }

    @Test
    void communicate_withInputTwice_throws() throws Exception {
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(cat.communicate("once").stdout()).isEqualTo("once");
            assertThatThrownBy(() -> cat.communicate("twice")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("input was already sent");
            assertThatThrownBy(cat::stdout).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("belongs to communicate()");
        }
        try (Subprocess cat = Subprocess.command("cat").input("from the builder\n").captureOutput().start()) {
            assertThatThrownBy(() -> cat.communicate("twice")).as("the builder's input was sent")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("input was already sent");
            assertThat(cat.communicate(Delays.seconds(30)).stdout()).isEqualTo("from the builder\n");
        }
    }

    @Test
    void waitForPollAndCommunicate_inAnyOrderAndCalledTwice_agree() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "echo out; echo err >&2; exit 3").captureOutput().start()) {
            assertThat(p.waitFor(Delays.seconds(30))).hasValue(3);
            assertThat(p.poll()).hasValue(3);

            CompletedProcess first = p.communicate();
            CompletedProcess second = p.communicate(Delays.seconds(30));

            for (CompletedProcess done : List.of(first, second)) {
                assertThat(done.returnCode()).isEqualTo(3);
                assertThat(done.stdout()).isEqualTo("out\n");
                assertThat(done.stderr()).isEqualTo("err\n");
            }
            assertThat(p.waitFor()).isEqualTo(3);
            assertThat(p.waitFor(Duration.ZERO)).hasValue(3);
            assertThat(p.poll()).hasValue(3);
        }
    }

    @Test
    void communicateWithInput_toACommandThatExitsWithoutReadingIt_isNotAnError_asPython() throws Exception {
        byte[] input = new byte[TEN_MIB]; // more than a pipe holds: the write meets the closed pipe (EPIPE)
        try (Subprocess ignores = Subprocess.command("sh", "-c", "exit 4").stdin(Redirect.PIPE).captureOutput().start();
             Subprocess readsOne = Subprocess.command("head", "-c", "1").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(ignores.communicate(input, Delays.seconds(60)).returnCode()).isEqualTo(4);

            CompletedProcess done = readsOne.communicate(input, Delays.seconds(60));

            assertThat(done.returnCode()).isZero();
            assertThat(done.stdoutBytes()).hasSize(1);
        }
    }

    @Test
    void writingToStdin_afterTheCommandDied_throwsIOException_butCloseAndCommunicateDoNot() throws Exception {
        try (Subprocess p = Subprocess.command("true").stdin(Redirect.PIPE).start()) {
            assertThat(p.waitFor()).isZero();
            OutputStream stdin = p.stdin();

            assertThatThrownBy(() -> {
                stdin.write(new byte[100]);
                stdin.flush();
            }).isInstanceOf(IOException.class);
            assertThat(p.communicate(Delays.seconds(30)).returnCode()).isZero(); // as Python, ignores the broken pipe
        }
    }

    @Test
    void writingToStdin_afterItWasClosedByTheCallerCommunicateOrClose_throwsInsteadOfDroppingTheBytes() throws Exception {
        // The JDK's stdin buffers a small write even once closed, and drops it: no error ever came. Python
        // raises ValueError (write to closed file) after p.stdin.close() and after communicate().
        byte[] late = "late\n".getBytes(StandardCharsets.UTF_8);
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            OutputStream stdin = cat.stdin();
            stdin.write("kept\n".getBytes(StandardCharsets.UTF_8));
            stdin.close();

            assertThatThrownBy(() -> stdin.write(late)).isInstanceOf(IOException.class)
                    .hasMessageContaining("stdin of command [cat]").hasMessageContaining("closed through stdin()");
            assertThatThrownBy(() -> stdin.write('x')).isInstanceOf(IOException.class);
            assertThat(cat.communicate(Delays.seconds(30)).stdout()).isEqualTo("kept\n");
        }
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            OutputStream stdin = cat.stdin();
            stdin.write("kept\n".getBytes(StandardCharsets.UTF_8));

            assertThat(cat.communicate(Delays.seconds(30)).stdout()).isEqualTo("kept\n");
            assertThatThrownBy(() -> stdin.write(late)).isInstanceOf(IOException.class)
                    .hasMessageContaining("communicate");
        }
        OutputStream stdin;
        try (Subprocess sleep = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).start()) {
            stdin = sleep.stdin();
        }
        assertThatThrownBy(() -> stdin.write(late)).isInstanceOf(IOException.class).hasMessageContaining("close()");
    }

    @Test
    void stdin_askedForAfterCommunicateClosedIt_isAStreamWhoseWritesThrowIOException_asPython() throws Exception {
        // stdin()'s javadoc: once communicate has closed stdin, a write throws IOException (Python: p.stdin
        // after communicate() is a closed file, whose write raises ValueError). stdin() itself threw
        // IllegalStateException "is fed by input(...) or communicate(...)", also when it had been handed out before.
        byte[] late = "late\n".getBytes(StandardCharsets.UTF_8);
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(cat.communicate(Delays.seconds(30)).stdout()).isEmpty();

            OutputStream stdin = cat.stdin();

            assertThatThrownBy(() -> stdin.write(late)).isInstanceOf(IOException.class)
                    .hasMessageContaining("stdin of command [cat]").hasMessageContaining("communicate() closed it");
            stdin.flush();
            stdin.close();
        }
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(cat.communicate("sent\n", Delays.seconds(30)).stdout()).isEqualTo("sent\n");

            assertThatThrownBy(() -> cat.stdin().write(late)).isInstanceOf(IOException.class)
                    .hasMessageContaining("communicate(...) sent its input");
        }
        try (Subprocess cat = Subprocess.command("cat").stdin(Redirect.PIPE).captureOutput().start()) {
            OutputStream before = cat.stdin();
            before.write("kept\n".getBytes(StandardCharsets.UTF_8));
            assertThat(cat.communicate(Delays.seconds(30)).stdout()).isEqualTo("kept\n");

            assertThat(cat.stdin()).as("the stream handed out before").isSameAs(before);
        }
        try (Subprocess cat = Subprocess.command("cat").input("fed\n").captureOutput().start()) {
            assertThatThrownBy(cat::stdin).as("fed from the builder's input, as documented")
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fed by input");
        }
    }

    @Test
    void signalsAndKills_toACommandThatHasExited_doNothing() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "exit 5").start()) {
            assertThat(p.waitFor()).isEqualTo(5);

            p.kill();
            p.terminate();
            p.sendSignal(Signal.USR1);
            p.sendSignal(Signal.KILL);

            assertThat(p.killTree(Duration.ZERO)).isEmpty();
            assertThat(p.killTree(Delays.seconds(1))).isEmpty();
            assertThat(p.poll()).hasValue(5);
        }
    }

    @Test
    void kill_endsTheCommandWithSigkill_andTerminateWithSigterm() throws Exception {
        try (Subprocess a = Subprocess.command("sleep", "60").start();
             Subprocess b = Subprocess.command("sleep", "60").start()) {
            a.kill();
            b.terminate();

            assertThat(a.waitFor()).isEqualTo(137);
            assertThat(b.waitFor()).isEqualTo(143);
        }
    }

    @Test
    void kill_endsTheCommandOnly_notItsChildren_asPython() throws Exception {
        // kill()'s javadoc: "Not its children: see killTree"; Python's kill() signals the one process too
        try (Subprocess p = Subprocess.command("sh", "-c", "sleep 60 & echo $!; wait").stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            List<Long> child = Pids.parse(lines.iterator().next());
            try {
                p.kill();

                assertThat(p.waitFor()).isEqualTo(137);
                assertThat(Pids.running(child.getFirst())).as("the child of the killed command").isTrue();
            } finally {
                Pids.killAll(child);
            }
        }
    }

    @Test
    void sendSignal_deliversSignalsTheJdkHasNoCallFor() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c",
                        "trap 'echo got USR1; exit 7' USR1; echo ready; while :; do sleep 0.05; done")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            Iterator<String> it = lines.iterator();
            assertThat(it.next()).isEqualTo("ready");

            p.sendSignal(Signal.USR1);

            assertThat(it.next()).isEqualTo("got USR1");
            assertThat(p.waitFor(Delays.seconds(10))).hasValue(7);
            p.sendSignal(Signal.HUP); // after exit: nothing to do, no error
        }
    }

    @Test
    void sendSignal_worksWhereNoKillExecutableIsInstalled(@TempDir Path emptyDir) throws Exception {
        // Slim container images leave out procps, whose /bin/kill sendSignal ran: a JVM whose PATH finds no
        // kill executable stands in for one there. The shell's own kill, which every sh has, still sends it.
        CompletedProcess child = Subprocess.command(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), SignalWithoutKillMain.class.getName())
                .clearEnv().env("PATH", emptyDir.toString()).captureOutput().timeout(Delays.seconds(60)).run();

        assertThat(child.stdout()).as(child.stderr()).isEqualTo("ready\ngot USR1\nexit 7\n");
    }

    /** Sends SIGUSR1 to a shell that traps it, in a JVM whose PATH has no {@code kill}; every path absolute. */
    static final class SignalWithoutKillMain {
        public static void main(String[] args) throws Exception {
            try (Subprocess p = Subprocess.command("/bin/sh", "-c",
                            "trap 'echo got USR1; exit 7' USR1; echo ready; while :; do /bin/sleep 0.05; done")
                    .stdout(Redirect.PIPE).start();
                 Stream<String> lines = p.stdoutLines()) {
                Iterator<String> it = lines.iterator();
                System.out.println(it.next());
                p.sendSignal(Signal.USR1);
                System.out.println(it.next());
                System.out.println("exit " + p.waitFor(Duration.ofSeconds(30)).orElse(-1));
            }
        }
    }

    @Test
    void sendSignal_toACommandThatExitsMeanwhile_doesNothing_asPython() throws Exception {
        // The command exits while the signal is on its way (the kill command takes a millisecond to start):
        // as Python's send_signal, which ignores ProcessLookupError, that is not an error.
        for (int i = 0; i < 20; i++) {
            try (Subprocess p = Subprocess.command("sh", "-c", "exit 0").start()) {
                p.sendSignal(Signal.HUP);

                assertThat(p.waitFor()).isIn(0, 129); // exited, or killed by the HUP if it came in time
            }
        }
    }

    @Test
    void killTree_withANullGrace_throwsANullPointerExceptionNamingIt_whetherTheCommandRunsOrNot() throws Exception {
        try (Subprocess done = Subprocess.command("true").start()) {
            done.waitFor();
            // before, an exited command returned an empty list and a running one failed deep in the kill
            assertThatThrownBy(() -> done.killTree(null)).isInstanceOf(NullPointerException.class).hasMessage("grace");
        }
        try (Subprocess running = Subprocess.command("sleep", "60").start()) {
            assertThatThrownBy(() -> running.killTree(null)).isInstanceOf(NullPointerException.class)
                    .hasMessage("grace");
            assertThat(running.poll()).as("nothing was killed").isEmpty();
        }
    }

    @Test
    void killTree_killsTheCommandAndItsGrandchildren() throws Exception {
        try (Subprocess p = Subprocess.command("sh", "-c", "sleep 60 & sleep 60 & echo $$ $!; wait")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            List<Long> pids = Pids.parse(lines.iterator().next());
            try {
                List<Long> killed = p.killTree(Duration.ZERO);

                assertThat(killed).hasSize(3).containsAll(pids).startsWith(p.pid());
                assertThat(p.waitFor()).isEqualTo(137);
                Pids.awaitGone(killed);
            } finally {
                Pids.killAll(pids);
            }
        }
    }

    @Test
    void killTree_withGrace_resumesAStoppedCommandSoItCanActOnTheSigterm() throws Exception {
        // A stopped process does not act on SIGTERM until it is continued: it sat out the whole grace and was
        // then SIGKILLed without having run its handler.
        try (Subprocess p = Subprocess.command("sh", "-c", "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            assertThat(lines.iterator().next()).isEqualTo("ready");
            p.sendSignal(Signal.STOP);
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> Pids.state(p.pid()) == 'T');

            p.killTree(Delays.seconds(30));

            assertThat(p.waitFor()).as("exit status: 7 from its TERM handler, 137 from the SIGKILL after the grace")
                    .isEqualTo(7);
        }
    }

    @Test
    void killTree_withGrace_resumesAStoppedCommandWhoseNameIsNotUtf8(@TempDir Path tmp) throws Exception {
        // /proc/<pid>/stat holds the executable's file name, bytes that need not be UTF-8: read as UTF-8, the
        // state could not be known, and the stopped command was not resumed.
        CompletedProcess copy = Subprocess.command("sh", "-c", "cp \"$(command -v sleep)\" \"$0/$(printf 'sl\\377')\"",
                tmp.toString()).captureOutput().run();
        assertThat(copy.returnCode()).as(copy.stderr()).isZero();
        Assumptions.assumeTrue(Subprocess.command("sh", "-c", "exec \"$0/$(printf 'sl\\377')\" 0", tmp.toString())
                .run().returnCode() == 0, "the temporary directory allows executing files");
        try (Subprocess p = Subprocess.command("sh", "-c", "exec \"$0/$(printf 'sl\\377')\" 60", tmp.toString()).start()) {
            Awaitility.await().atMost(Delays.seconds(10))
                    .until(() -> p.toHandle().info().command().orElse("").startsWith(tmp.toString()));
            p.sendSignal(Signal.STOP);
            Awaitility.await().atMost(Delays.seconds(10)).until(() -> Pids.state(p.pid()) == 'T');

            p.killTree(Delays.seconds(30));

            assertThat(p.waitFor()).as("exit status: 143 from the SIGTERM, 137 from the SIGKILL after the grace")
                    .isEqualTo(143);
        }
    }

    @Test
    void close_killsACommandThatStillRuns_andIsIdempotent() throws Exception {
        Subprocess p = Subprocess.command("sleep", "60").start();
        long pid = p.pid();

        p.close();
        p.close();

        assertThat(p.poll()).hasValue(137);
        assertThat(Pids.running(pid)).isFalse();
    }

    @Test
    void close_killsTheCommandsWholeProcessTree_andReapsTheCommand() throws Exception {
        List<Long> pids;
        Subprocess p = Subprocess.command("sh", "-c", "sleep 60 & sleep 60 & echo $$ $!; wait").stdout(Redirect.PIPE)
                .start();
        try (Stream<String> lines = p.stdoutLines()) {
            pids = Pids.parse(lines.iterator().next());
        }
        try {
            p.close();

            assertThat(p.poll()).as("reaped when close() returns").hasValue(137);
            Pids.awaitGone(pids);
        } finally {
            Pids.killAll(pids);
        }
    }
}
