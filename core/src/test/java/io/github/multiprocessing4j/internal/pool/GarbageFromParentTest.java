package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import io.github.multiprocessing4j.testing.Delays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool worker sent frames it cannot make sense of exits with the reason on its stderr; the task it was
 * given fails with a {@link WorkerCrashedException} that quotes it, and a replacement serves the next.
 */
class GarbageFromParentTest {
    private ProcessEngine engine;

    @BeforeEach
    void startPool() throws InterruptedException {
        engine = ProcessEngine.start(new WorkerConfig(1, new byte[0], 0, 0, null, 0, WorkerConfig.ADAPTIVE_PREFETCH,
                new LaunchSpec(List.of(), new LinkedHashMap<>(), Map.of()), "Garbage"));
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        engine.shutdownNow();
        engine.awaitTermination(TimeUnit.SECONDS.toNanos(30));
    }

    /** Queues {@code garbage} on the idle worker, then a task behind it; returns how the task ended. */
    private Throwable taskBehind(Consumer<Worker> garbage) throws Exception {
        engine.lock.lock();
        try {
            garbage.accept(engine.workers.getFirst());
        } finally {
            engine.lock.unlock();
        }
        SerializableFunction<Integer, Integer> twice = x -> 2 * x;
        TaskFuture<Object> task = engine.call(engine.define(twice, true), CallMode.APPLY, 21);
        try {
            task.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the task behind the garbage ran");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private void poolStillServes() throws Exception {
        SerializableFunction<Integer, Integer> twice = x -> 2 * x;
        TaskFuture<Object> next = engine.call(engine.define(twice, true), CallMode.APPLY, 4);
        assertThat(next.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(8);
    }

    @Test
    void aFrameOfTheOtherDirection_endsTheWorker_withTheReasonOnItsStderr() throws Exception {
        Throwable failure = taskBehind(w -> w.post(FrameType.RESULT, 7, new byte[8]));
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).stderrTail()).contains("unexpected frame from the parent");
        poolStillServes();
    }

    @Test
    void aTruncatedCall_endsTheWorker_withTheReasonOnItsStderr() throws Exception {
        Throwable failure = taskBehind(w -> w.post(FrameType.CALL, 12345, new byte[1]));
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).stderrTail()).contains("truncated");
        poolStillServes();
    }

    @Test
    void aHeaderWithANegativeLength_endsTheWorker_withTheReasonOnItsStderr() throws Exception {
        Throwable failure = taskBehind(w -> {
            try {
                w.connection.sendBatch(new ByteSink().putInt(-1).putByte(FrameType.CALL).putLong(1));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).stderrTail()).contains("announces -1 bytes");
        poolStillServes();
    }

    @Test
    void garbage_endsTheWorker_evenWhenATaskLeftANonDaemonThreadRunning() throws Exception {
        SerializableFunction<Integer, Integer> leaveAThread = x -> {
            Thread.ofPlatform().daemon(false).start(() -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return x;
        };
        TaskFuture<Object> left = engine.call(engine.define(leaveAThread, true), CallMode.APPLY, 1);
        assertThat(left.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1);
        Throwable failure = taskBehind(w -> w.post(FrameType.RESULT, 7, new byte[8]));
        assertThat(failure).isInstanceOf(WorkerCrashedException.class);
        assertThat(((WorkerCrashedException) failure).stderrTail()).contains("unexpected frame from the parent");
        poolStillServes();
    }
}
