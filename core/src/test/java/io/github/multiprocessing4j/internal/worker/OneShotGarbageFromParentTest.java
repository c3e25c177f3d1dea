package io.github.multiprocessing4j.internal.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.launch.ChildJvm;
import io.github.multiprocessing4j.internal.launch.ChildLauncher;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A one-shot child (a {@code JvmProcess}) sent bytes it cannot read, in place of its task or while its task runs:
 * its parent is alive but broken, which is no orphaning. The child must say so on its stderr and exit with a
 * failure, not hang.
 */
class OneShotGarbageFromParentTest {

    @Test
    void garbageInsteadOfTheTask_endsTheChild_withTheReasonOnItsStderr_andCode1() throws Exception {
        ChildJvm child = ChildLauncher.get().launch(LaunchSpec.DEFAULT);
        try {
            child.awaitConnected(Delays.seconds(60));
            sendGarbageAndAwaitTheEnd(child, Delays.seconds(60));
            assertThat(child.stderrTail(20)).contains("announces -1 bytes");
            assertThat(child.process().exitValue()).isEqualTo(1);
        } finally {
            child.discard();
        }
    }

    @Test
    void garbageWhileATaskThatLeftSystemErrNullRuns_stillEndsTheChild_withTheReasonOnItsStderr_andCode1(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // The watch said so with System.err.println, which threw (the task had set System.err to null): the watch
        // thread died there, so the child ran on, and no longer watched its parent at all.
        String ready = tmp.resolve("err-is-null").toString();
        ChildJvm child = ChildLauncher.get().launch(LaunchSpec.DEFAULT);
        try {
            child.awaitConnected(Delays.seconds(60));
            SerializableRunnable sleepWithoutSystemErr = () -> {
                System.setErr(null);
                try {
                    java.nio.file.Files.createFile(java.nio.file.Path.of(ready));
                    Thread.sleep(600_000);
                } catch (java.io.IOException | InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            run(child, sleepWithoutSystemErr);
            org.awaitility.Awaitility.await().atMost(Delays.seconds(60))
                    .until(() -> java.nio.file.Files.exists(java.nio.file.Path.of(ready)));
            sendGarbageAndAwaitTheEnd(child, Delays.seconds(30));
            assertThat(child.stderrTail(20)).contains("announces -1 bytes");
            assertThat(child.process().exitValue()).isEqualTo(1);
        } finally {
            child.discard();
        }
    }

    @Test
    void garbageWhileTheTaskRuns_endsTheChild_withTheReasonOnItsStderr_andCode1() throws Exception {
        ChildJvm child = ChildLauncher.get().launch(LaunchSpec.DEFAULT);
        try {
            child.awaitConnected(Delays.seconds(60));
            SerializableRunnable sleepForLong = () -> {
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            run(child, sleepForLong);
            sendGarbageAndAwaitTheEnd(child, Delays.seconds(60));
            assertThat(child.stderrTail(20)).contains("pid " + ProcessHandle.current().pid())
                    .contains("announces -1 bytes");
            assertThat(child.process().exitValue()).as("not the orphan's code 3: its parent is alive").isEqualTo(1);
        } finally {
            child.discard();
        }
    }

    private static void run(ChildJvm child, SerializableRunnable task) throws IOException {
        child.connection().send(FrameType.RUN, 0, new OneShotProtocol.Run("garbage-test", Codec.standard().encode(task)).encode());
    }

    /** Sends what is no frame (a header that announces -1 bytes), then waits for the child to end and its output. */
    private static void sendGarbageAndAwaitTheEnd(ChildJvm child, Duration wait) throws IOException, InterruptedException {
        child.connection().sendBatch(new ByteSink().putInt(-1).putByte((byte) 77).putLong(1));
        assertThat(child.process().waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)).as("the child ended").isTrue();
        child.awaitOutputDrained();
    }
}
