package io.github.multiprocessing4j.subprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the handle's waits promise when the waiting thread is interrupted: {@code waitFor}, {@code communicate}
 * and {@code killTree} throw {@link InterruptedException} with the interrupt status cleared, and leave the
 * command as their javadoc says (running, or killed).
 */
class SubprocessInterruptTest {

    @TempDir
    Path tmp;

    @Test
    void waitFor_whenInterruptedWhileWaiting_throwsWithTheStatusCleared_andTheCommandKeepsRunning() throws Exception {
        try (Subprocess p = Subprocess.command("sleep", "60").start()) {
            Interrupted untimed = interruptWhileIn("waitFor", p::waitFor);
            Interrupted timed = interruptWhileIn("waitFor", () -> p.waitFor(Delays.seconds(60)));

            for (Interrupted i : List.of(untimed, timed)) {
                assertThat(i.thrown()).isInstanceOf(InterruptedException.class);
                assertThat(i.interruptStatusAfter()).as("interrupt status after the exception").isFalse();
            }
            assertThat(p.poll()).as("the command keeps running").isEmpty();
            p.kill();
            assertThat(p.waitFor(Delays.seconds(10))).hasValue(137);
        }
    }

    @Test
    void communicate_whenInterruptedWhileWaiting_throwsWithTheStatusCleared_andALaterCallReturnsAllTheOutput()
            throws Exception {
        // the command waits for the go file, so that it still runs when the interrupt comes however slow the machine
        Path go = tmp.resolve("go");
        try (Subprocess p = Subprocess.command("sh", "-c",
                        "echo first; while [ ! -e \"$1\" ]; do sleep 0.05; done; echo second", "sh", go.toString())
                .stdin(Redirect.PIPE).captureOutput().start()) {
            Interrupted i = interruptWhileIn("awaitEnd", () -> p.communicate("input".getBytes(), Delays.seconds(60)));

            assertThat(i.thrown()).isInstanceOf(InterruptedException.class);
            assertThat(i.interruptStatusAfter()).as("interrupt status after the exception").isFalse();
            assertThat(p.poll()).as("the command keeps running").isEmpty();

            Files.createFile(go);
            CompletedProcess done = p.communicate(Delays.seconds(30));

            assertThat(done.returnCode()).isZero();
            assertThat(done.stdout()).isEqualTo("first\nsecond\n");
        }
    }

    @Test
    void killTree_whenInterruptedDuringTheGrace_killsTheTreeBeforeThrowing_withTheStatusCleared() throws Exception {
        // both the shell and its child ignore SIGTERM: the grace would last its whole 60 s
        try (Subprocess p = Subprocess.command("sh", "-c", "trap '' TERM; sleep 60 & echo $$ $!; wait")
                .stdout(Redirect.PIPE).start();
             Stream<String> lines = p.stdoutLines()) {
            List<Long> pids = Pids.parse(lines.iterator().next());
            try {
                Interrupted i = interruptWhileIn("awaitExit", () -> p.killTree(Delays.seconds(60)));

                assertThat(i.thrown()).isInstanceOf(InterruptedException.class);
                assertThat(i.interruptStatusAfter()).as("interrupt status after the exception").isFalse();
                assertThat(i.took()).as("interrupted in the grace, not at its end").isLessThan(Duration.ofSeconds(50));
                assertThat(p.waitFor(Delays.seconds(10))).as("killed before killTree threw")
                        .isEqualTo(OptionalInt.of(137));
                Pids.awaitGone(pids);
            } finally {
                Pids.killAll(pids);
            }
        }
    }

    private record Interrupted(Throwable thrown, boolean interruptStatusAfter, Duration took) {
    }

    /**
     * Runs {@code call} on a platform thread, interrupts that thread once it is blocked in a method named
     * {@code method} (so while it waits, not before), and reports what the call threw and the interrupt status
     * it left.
     */
    private static Interrupted interruptWhileIn(String method, Callable<?> call) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> statusAfter = new AtomicReference<>();
        long start = System.nanoTime();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                call.call();
            } catch (Throwable t) {
                thrown.set(t);
            }
            statusAfter.set(Thread.currentThread().isInterrupted());
        });
        Awaitility.await().atMost(Delays.seconds(30)).until(() -> isBlockedIn(caller, method));
        caller.interrupt();
        caller.join(Delays.seconds(30));
        assertThat(caller.isAlive()).as("the call returned after the interrupt").isFalse();
        return new Interrupted(thrown.get(), statusAfter.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    private static boolean isBlockedIn(Thread thread, String method) {
        Thread.State state = thread.getState();
        return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                && Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method));
    }
}
