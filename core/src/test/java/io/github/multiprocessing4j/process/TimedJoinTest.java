package io.github.multiprocessing4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.internal.launch.SpareJvms;
import io.github.multiprocessing4j.testing.Delays;
import io.github.multiprocessing4j.testing.HeldMonitor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A timed join keeps to its timeout after the child has exited too: a zero one only polls, and what it did not wait
 * for (the copied output, the report) a later join still delivers.
 */
class TimedJoinTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restoreStarts() {
        System.clearProperty("mp4j.directStart");
        SpareJvms.get().enabled(!"false".equalsIgnoreCase(System.getProperty("mp4j.spare")));
    }

    @Test
    void joinZero_onAFreshChildThatHasExited_whileItsOutputIsStillBeingCopied_pollsAndALaterJoinDeliversAll()
            throws Exception {
        SpareJvms.get().enabled(false); // a fresh child, reporting in a file
        pollsWhileTheOutputIsHeld("fresh-polled");
    }

    @Test
    void joinZero_onAConnectedChildThatHasExited_whileItsOutputIsStillBeingCopied_pollsAndALaterJoinDeliversAll()
            throws Exception {
        SpareJvms.get().enabled(false);
        System.setProperty("mp4j.directStart", "false"); // a fresh child that connects, reporting on its connection
        pollsWhileTheOutputIsHeld("connected-polled");
    }

    /**
     * join(Duration.ZERO) on a child that has exited while its last line waits to be copied (System.out is held): it
     * waited up to 500 ms for the copy to move (and the report of a connected child up to 500 ms more), then returned
     * true though the line was not copied. It returns false at once now; join() later delivers exit code, failure
     * and the line.
     */
    private void pollsWhileTheOutputIsHeld(String name) throws Exception {
        Path go = tmp.resolve("go");
        String goPath = go.toString();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        // a daemon child: a non-daemon one's keep-alive thread waits for the output too, and gives up on it
        try (JvmProcess child = JvmProcess.builder().name(name).daemon(true)
                .task(() -> {
                    while (!Files.exists(Path.of(goPath))) {
                        Thread.onSpinWait();
                    }
                    System.out.println("last words of the child");
                    throw new IllegalStateException("boom");
                }).start()) {
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = HeldMonitor.hold(System.out, release); // the stdout pump waits to write the child's line
            try {
                Files.createFile(go);
                Awaitility.await().atMost(Delays.seconds(60)).until(() -> child.exitCode().isPresent());
                long start = System.nanoTime();
                boolean polled = child.join(Duration.ZERO);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(polled).as("join(ZERO), which took %d ms, with the child's line not copied yet", millis)
                        .isFalse();
                assertThat(child.join(Duration.ofNanos(-1))).as("a negative timeout polls too").isFalse();
                assertThat(child.exitCode()).hasValue(1);
            } finally {
                release.countDown();
                holder.join();
            }
            assertThat(child.join(Delays.seconds(30))).isTrue();
            // Copied by join's return, but for a stall of 500 ms of this test's thread since the first poll (a loaded
            // machine): the wait gives up on a copy that stood still that long, and the line comes a moment later
            Awaitility.await().atMost(Delays.seconds(30))
                    .until(() -> captured.toString(StandardCharsets.UTF_8).contains("last words of the child"));
            assertThat(child.failure()).get().isInstanceOf(IllegalStateException.class)
                    .extracting(Throwable::getMessage).isEqualTo("boom");
            assertThat(child.join(Duration.ZERO)).as("a poll once all is in").isTrue();
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void joinZero_inALoop_onAChildWhoseOutputIsStuck_returnsTrueOnceJoinWouldHaveGivenUpOnIt() throws Exception {
        // Polls must come to the end join() comes to: each poll is too short to see the copy stand still for the
        // 500 ms after which a wait gives up on it, but together they are not
        Path go = tmp.resolve("go");
        String goPath = go.toString();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (JvmProcess child = JvmProcess.builder().name("stuck-output").daemon(true)
                .task(() -> {
                    while (!Files.exists(Path.of(goPath))) {
                        Thread.onSpinWait();
                    }
                    System.out.println("held back");
                }).start()) {
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = HeldMonitor.hold(System.out, release);
            try {
                Files.createFile(go);
                Awaitility.await().atMost(Delays.seconds(60)).until(() -> child.exitCode().isPresent());
                Awaitility.await().atMost(Delays.seconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> child.join(Duration.ZERO));
                assertThat(child.exitCode()).hasValue(0);
                assertThat(child.failure()).isEmpty();
            } finally {
                release.countDown();
                holder.join();
            }
        } finally {
            System.setOut(original);
        }
    }
}
