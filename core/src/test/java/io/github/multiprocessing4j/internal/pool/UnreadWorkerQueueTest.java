package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.multiprocessing4j.function.SerializableRunnable;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.ProcessPool;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import io.github.multiprocessing4j.testing.Delays;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that the pool kills because it stopped reading it (a protocol violation, here) may have run the tasks
 * sent ahead to it behind its head: their outcomes were still unread on its connection. They go back to the pool's
 * queue, and a {@code shutdownNow()} that takes such a runnable given to {@code execute()} off it lists a
 * placeholder, not the runnable, which the caller would run a second time.
 */
class UnreadWorkerQueueTest {
    /**
     * The payload length the head's forged header announces: more than the real outcomes that follow it, so only the
     * runnable's padding completes that frame, and small enough for a socket buffer.
     */
    private static final int FORGED_LENGTH = 4096;

    @TempDir
    Path dir;

    @Test
    void shutdownNow_listsAPlaceholder_forARunnableGivenToExecute_sentAheadToAWorkerKilledForBreakingTheProtocol()
            throws Exception {
        String bootedOnce = dir.resolve("booted-once").toString();
        String gate = dir.resolve("gate").toString();
        String ran = dir.resolve("ran").toString();
        String never = dir.resolve("never").toString();
        // The first worker boots; its replacement waits in the initializer until killed, so the runnable sent back to
        // the pool's queue stays there.
        SerializableRunnable init = () -> {
            if (Files.exists(Path.of(bootedOnce))) {
                waitFor(never);
            }
            append(bootedOnce, "booted");
        };
        ProcessPool pool = ProcessPool.builder().processes(1).prefetch(1).initializer(init)
                .jvmOptions(ForgedFrames.JVM_OPTIONS).build();
        try {
            // The worker is busy and silent while the first task waits for the gate: the next two wait in the pool's
            // queue, and both go to the worker with the first one's outcome, the runnable sent ahead behind the head.
            CompletableFuture<Integer> first = pool.applyAsync(x -> {
                waitFor(gate);
                return x;
            }, 0);
            // The head forges the header of a frame that answers no task, and returns: its outcome, and the
            // runnable's, are read as that frame's payload, which only the runnable's padding completes. So the pool
            // finds the violation only once the worker has run the runnable, whose outcome it never reads.
            CompletableFuture<Integer> head = pool.applyAsync(x -> {
                forge(new ByteSink().putInt(FORGED_LENGTH).putByte(FrameType.RESULT).putLong(-1).toByteArray());
                return x;
            }, 1);
            Runnable command = (Runnable & Serializable) () -> {
                append(ran, "ran");
                forge(new byte[FORGED_LENGTH]);
            };
            pool.execute(command);
            Files.writeString(Path.of(gate), "open");
            assertThat(first.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isZero();
            // The head fails once its worker's end is handled, which has sent the runnable back to the pool's queue
            Throwable crashed = catchThrowable(() -> head.get(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS));
            assertThat(crashed).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(WorkerCrashedException.class).hasMessageContaining("broke the pool's protocol");
            assertThat(Files.readAllLines(Path.of(ran))).as("the worker ran it").containsExactly("ran");

            List<Runnable> listed = pool.shutdownNow();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0)).as("a placeholder: running the runnable would run it twice")
                    .isNotSameAs(command);
            assertThat(catchThrowable(listed.get(0)::run)).isInstanceOf(CancellationException.class);
            assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(Files.readAllLines(Path.of(ran))).containsExactly("ran");
        } finally {
            pool.terminate();
        }
    }

    /** In the worker: writes {@code bytes} onto its connection, bypassing its framing. */
    private static void forge(byte[] bytes) {
        try {
            ForgedFrames.writeToParent(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(String file) {
        while (!Files.exists(Path.of(file))) {
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static void append(String file, String line) {
        try {
            Files.writeString(Path.of(file), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
