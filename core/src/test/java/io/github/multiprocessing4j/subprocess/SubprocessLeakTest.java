package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.multiprocessing4j.testing.Delays;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many commands that fail, time out, are killed or are left half-read must leave nothing behind: no open
 * file descriptor, no pipe thread still feeding or draining, no JDK reaper stuck on a pipe.
 */
class SubprocessLeakTest {
    private static final File FDS = new File("/proc/self/fd");

    @TempDir
    Path tmp;

    @Test
    void failingTimedOutKilledAndHalfReadCommands_leaveNoDescriptorOrBusyThreadBehind() throws Exception {
        round(); // warm-up: classes, the pools' first threads, the JDK's lazily opened files
        awaitNoBusyThreads();
        int before = FDS.list().length;

        for (int i = 0; i < 30; i++) {
            round();
        }

        // every scenario opens 2-6 descriptors: a leak of one in a single scenario is 30
        awaitNoBusyThreads();
        assertThat(FDS.list().length).as("open file descriptors, %d before", before).isLessThan(before + 20);
    }

    @Test
    void aCommandWhoseInputFeederCannotStart_isKilled_notLeftRunning() {
        // run() with input(...) starts the command, then a pipe thread to feed it; when no thread could be made
        // (OutOfMemoryError "unable to create native thread"), the error came out and the command ran on.
        OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread (made by the test)");
        PipeThreads.failNextStart(new IllegalStateException("no pipe thread", noThread));
        try {
            assertThatThrownBy(() -> Subprocess.command("sleep", "61").input("x").captureOutput().run())
                    .hasRootCause(noThread);
        } finally {
            PipeThreads.failNextStart(null);
        }
        await().atMost(Delays.seconds(10)).untilAsserted(() -> assertThat(ProcessHandle.current().children()
                .filter(c -> c.info().arguments().map(a -> Arrays.asList(a).contains("61")).orElse(false))
                .toList()).as("the sleep 61 that run() started").isEmpty());
    }

    /** One of each way for a command to end early or badly. */
    private void round() throws Exception {
        Path missing = tmp.resolve("missing");
        Duration soon = Delays.millis(50);
        assertThatThrownBy(() -> Subprocess.command("no-such-command-mp4j").captureOutput().run()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Subprocess.command("cat").input(missing).captureOutput().run()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Subprocess.command("true").cwd(missing).start()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Subprocess.command("true").stdout(Redirect.to(missing.resolve("out").toFile())).run())
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Subprocess.command("sh", "-c", "echo err >&2; exit 1").captureOutput().check().run())
                .isInstanceOf(CalledProcessException.class);
        assertThatThrownBy(() -> Subprocess.command("sleep", "60").input(new byte[1 << 20]).captureOutput()
                .timeout(soon).run()).isInstanceOf(TimeoutExpiredException.class);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Subprocess.command("sleep", "60").captureOutput().run()).isInstanceOf(InterruptedException.class);

        try (Subprocess unused = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThat(unused.poll()).isEmpty();
        }
        try (Subprocess yes = Subprocess.command("yes").stdout(Redirect.PIPE).start();
             Stream<String> lines = yes.stdoutLines()) {
            assertThat(lines.limit(2).toList()).containsExactly("y", "y");
        }
        Subprocess neverClosed = Subprocess.command("sh", "-c", "echo out; echo err >&2").stdin(Redirect.PIPE).captureOutput()
                .start();
        assertThat(neverClosed.waitFor()).isZero(); // the JDK closes the pipes of a command that has exited
        try (Subprocess timedOut = Subprocess.command("sleep", "60").stdin(Redirect.PIPE).captureOutput().start()) {
            assertThatThrownBy(() -> timedOut.communicate(new byte[1 << 20], soon)).isInstanceOf(TimeoutExpiredException.class);
        }
        try (Subprocess dead = Subprocess.command("true").stdin(Redirect.PIPE).start()) {
            dead.waitFor();
            OutputStream stdin = dead.stdin();
            assertThatThrownBy(() -> {
                stdin.write(new byte[100]);
                stdin.flush();
            }).isInstanceOf(IOException.class);
        }

        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("yes"), Subprocess.command("head", "-c", "1"))
                .captureOutput().check().run()).isInstanceOf(CalledProcessException.class);
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("sleep", "60"), Subprocess.command("cat"))
                .input("x").captureOutput().timeout(soon).run()).isInstanceOf(TimeoutExpiredException.class);
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("echo"), Subprocess.command("no-such-command-mp4j"),
                Subprocess.command("cat")).captureOutput().run()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Subprocess.pipeline(Subprocess.command("cat"), Subprocess.command("cat"))
                .input(missing).captureOutput().run()).isInstanceOf(IOException.class);
    }

    /**
     * Waits until no pipe thread feeds or drains a pipe and no JDK reaper waits to close one: what a
     * command left behind would hold (an idle pooled thread holds nothing).
     */
    private static void awaitNoBusyThreads() {
        await().atMost(Delays.seconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(busyPipeThreads()).as("threads still at a pipe").isEmpty());
    }

    private static List<String> busyPipeThreads() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> Arrays.stream(e.getValue()).anyMatch(SubprocessLeakTest::atAPipe))
                .map(Map.Entry::getKey)
                .map(Thread::getName)
                .toList();
    }

    private static boolean atAPipe(StackTraceElement frame) {
        return frame.getClassName().equals(OutputCollector.class.getName())
                || frame.getClassName().equals(InputFeeder.class.getName())
                || frame.getClassName().startsWith("java.lang.ProcessImpl$") && frame.getMethodName().equals("processExited");
    }
}
