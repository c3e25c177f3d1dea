package io.github.multiprocessing4j.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.function.SerializableFunction;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.codec.ListCodec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.pool.WorkerCrashedException;
import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool worker that breaks the protocol (a broken or hostile child: frames forged onto its connection by a
 * task) costs at most its own tasks, each of which ends with an error; the pool goes on with a new worker,
 * and no other task gets a wrong result or waits for ever.
 */
class WorkerProtocolViolationTest {
    @TempDir
    Path dir;

    private static final String BROKE = "broke the pool's protocol";

    private ProcessEngine engine;

    @BeforeEach
    void startPool() throws InterruptedException {
        List<String> options = new ArrayList<>(ForgedFrames.JVM_OPTIONS);
        engine = ProcessEngine.start(new WorkerConfig(1, new byte[0], 0, 0, null, 0, WorkerConfig.ADAPTIVE_PREFETCH,
                new LaunchSpec(options, new LinkedHashMap<>(), Map.of()), "WireAbuse"));
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        engine.shutdownNow();
        engine.awaitTermination(TimeUnit.SECONDS.toNanos(30));
    }

    /** In the worker: waits for the bytes the test forges for this task, writes them, then returns normally. */
    static String forgeThenReturn(String dir) {
        try {
            Path forged = Path.of(dir, "forged");
            while (!Files.exists(forged)) {
                Thread.sleep(5);
            }
            ForgedFrames.writeToParent(Files.readAllBytes(forged));
            return "real";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #forgeThenReturn} for the first item of a chunk, the directory; the others, empty, are returned. */
    static String forgeOnceThenReturn(String item) {
        return item.isEmpty() ? item : forgeThenReturn(item);
    }

    /**
     * Runs a task that writes {@code forge.apply(its own task id)} onto the connection before its outcome, and
     * returns its future once that outcome has been handled (or the hang guard ran out).
     */
    private TaskFuture<Object> runForging(LongFunction<byte[]> forge) throws Exception {
        return runForging(forge, future -> { });
    }

    /** As {@link #runForging(LongFunction)}, calling {@code beforeForging} with the task's future before it forges. */
    private TaskFuture<Object> runForging(LongFunction<byte[]> forge, Consumer<TaskFuture<Object>> beforeForging)
            throws Exception {
        return runForging(CallMode.APPLY, dir.toString(), forge, beforeForging);
    }

    /** As {@link #runForging(LongFunction)}, for a chunk of {@code items} whose first item forges. */
    private TaskFuture<Object> runForgingChunk(int items, LongFunction<byte[]> forge) throws Exception {
        List<String> chunk = new ArrayList<>(java.util.Collections.nCopies(items, ""));
        chunk.set(0, dir.toString());
        return runForging(CallMode.CHUNK, chunk, forge, future -> { });
    }

    private TaskFuture<Object> runForging(CallMode mode, Object argument, LongFunction<byte[]> forge,
            Consumer<TaskFuture<Object>> beforeForging) throws Exception {
        long worker = engine.workerPids().iterator().next();
        SerializableFunction<String, String> task = mode == CallMode.CHUNK
                ? WorkerProtocolViolationTest::forgeOnceThenReturn : WorkerProtocolViolationTest::forgeThenReturn;
        TaskFuture<Object> future = engine.call(engine.define(task, true), mode, argument);
        beforeForging.accept(future);
        long id;
        engine.lock.lock();
        try {
            id = engine.workers.getFirst().inFlight.peekFirst().id;
        } finally {
            engine.lock.unlock();
        }
        Path tmp = dir.resolve("forged.tmp");
        Files.write(tmp, forge.apply(id));
        Files.move(tmp, dir.resolve("forged"), StandardCopyOption.ATOMIC_MOVE);
        try {
            future.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // judged by the caller
        } catch (TimeoutException e) {
            throw new AssertionError("the task's future was never completed: a hang", e);
        }
        if (future.isCompletedExceptionally() && future.exceptionNow() instanceof WorkerCrashedException) {
            // the pool killed the worker: the next task goes to its replacement
            Awaitility.await().atMost(Delays.seconds(60)).until(() -> !engine.workerPids().contains(worker));
        }
        return future;
    }

    /**
     * After a worker sent a frame its task's outcome had come before: nobody reads an idle worker's connection,
     * so the stray frame is read only when the next task is sent to that worker, which then fails with the
     * worker, saying why; then the pool serves again.
     */
    private void poolStillServesAfterAStrayFrame() throws Exception {
        SerializableFunction<Integer, Integer> twice = x -> 2 * x;
        TaskFuture<Object> next = engine.call(engine.define(twice, true), CallMode.APPLY, 21);
        try {
            assertThat(next.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
        }
        poolStillServes();
    }

    /** The pool still serves: a task runs and returns its own result. */
    private void poolStillServes() throws Exception {
        SerializableFunction<Integer, Integer> twice = x -> 2 * x;
        TaskFuture<Object> next = engine.call(engine.define(twice, true), CallMode.APPLY, 21);
        assertThat(next.get(Delays.seconds(60).toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(42);
    }

    private static byte[] result(Object value) {
        ByteSink body = new ByteSink().putLong(0);
        StandardCodec.INSTANCE.write(value, body);
        return body.toByteArray();
    }

    @Test
    void aSkippedForATaskThatWasNeverCancelled_failsTheTask_ratherThanLeavingItPendingForEver() throws Exception {
        // SKIPPED used to be taken for any task at the head: the task left the worker's queue, its future was left
        // alone (as for a cancelled task), and it never completed; the worker's real RESULT then cost the worker
        TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(FrameType.SKIPPED, id, new byte[0]));
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
        poolStillServes();
    }

    @Test
    void aResultForATaskIdNeverSent_failsTheRunningTask_andThePoolGoesOn() throws Exception {
        TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(FrameType.RESULT, id + 1_000_000, result("forged")));
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
        poolStillServes();
    }

    @Test
    void aDuplicateOutcome_costsTheWorker_butNotTheTaskThatHadItsOutcome() throws Exception {
        TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(FrameType.RESULT, id, result("first")));
        assertThat(future.get()).isEqualTo("first"); // the parent cannot tell a forged outcome: the first one counts
        poolStillServesAfterAStrayFrame();
    }

    @Test
    void aTaskSubmittedOnceItsIdleWorkerIsCaughtBreakingTheProtocol_runsOnItsReplacement() throws Exception {
        // The task forges its outcome and a stray frame behind it, in one write: the reader takes both in one batch,
        // completes the task, finds the worker idle and breaking the protocol, and kills it. The future's callback
        // runs on the reader between the two, and submits a task: the worker, idle and not dead yet, used to get
        // it, and that task failed with the worker although it was sent after the pool knew the worker was lost.
        CompletableFuture<TaskFuture<Object>> submitted = new CompletableFuture<>();
        SerializableFunction<Integer, Long> pid = x -> ProcessHandle.current().pid();
        long worker = engine.workerPids().iterator().next();
        TaskFuture<Object> forging = runForging(id -> {
            byte[] outcome = ForgedFrames.frame(FrameType.RESULT, id, result("first"));
            byte[] stray = ForgedFrames.frame(FrameType.RESULT, id, result("stray"));
            byte[] both = java.util.Arrays.copyOf(outcome, outcome.length + stray.length);
            System.arraycopy(stray, 0, both, outcome.length, stray.length);
            return both;
        }, future -> future.whenComplete((r, e) -> submitted.complete(
                engine.call(engine.define(pid, true), CallMode.APPLY, 0))));
        assertThat(forging.get()).isEqualTo("first");
        Object ranOn = submitted.get(60, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
        assertThat(ranOn).as("the task ran, on another worker").isNotEqualTo(worker);
        poolStillServes();
    }

    @Test
    void garbageInPlaceOfTheResult_failsThatTask_withADecodingException() throws Exception {
        byte[] garbage = new ByteSink().putLong(0).putByte(99).putInt(-5).toByteArray();
        TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(FrameType.RESULT, id, garbage));
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DecodingException.class);
        poolStillServesAfterAStrayFrame();
    }

    @Test
    void theResultsOfAChunk_thatAreNotOnePerItem_failTheChunk_ratherThanLoseOrAddResults() throws Exception {
        // A chunk's results were taken as they came: imap yielded one result for three items, map's list threw
        // IndexOutOfBoundsException for the others; four results for three gave imap a result no item had
        for (List<Object> forged : List.<List<Object>>of(List.of("forged"), List.of("a", "b", "c", "d"))) {
            TaskFuture<Object> future = runForgingChunk(3, id -> {
                ByteSink body = new ByteSink().putLong(0);
                ListCodec.write(forged, body);
                return ForgedFrames.frame(FrameType.RESULT, id, body.toByteArray());
            });
            assertThatThrownBy(future::get).as("%s", forged).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageContaining("a chunk of 3 items answered with " + forged.size() + " results");
            Files.delete(dir.resolve("forged"));
            poolStillServesAfterAStrayFrame();
        }
    }

    @Test
    void aChunksFailure_atAnItemTheChunkDoesNotHave_failsTheChunk_ratherThanBlameAnItemOfAnother() throws Exception {
        // The item's place was taken as it came: map and imap named item 7 of the input as the one that failed, an
        // item of the next chunk, for a chunk of items 0 to 2
        for (int at : new int[] {3, 7, -2}) {
            TaskFuture<Object> future = runForgingChunk(3, id -> {
                ByteSink body = new ByteSink().putLong(0).putInt(at);
                ThrowableCodec.write(new IllegalStateException("forged"), body);
                return ForgedFrames.frame(FrameType.ERROR, id, body.toByteArray());
            });
            assertThatThrownBy(future::get).as("at %d", at).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DecodingException.class)
                    .hasMessageContaining("a chunk of 3 items failed at item " + at);
            Files.delete(dir.resolve("forged"));
            poolStillServesAfterAStrayFrame();
        }
    }

    @Test
    void aTruncatedOutcome_failsTheTask() throws Exception {
        TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(FrameType.ERROR, id, new byte[3]));
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
        poolStillServes();
    }

    @Test
    void aFrameOfAnUnknownType_orOfTheOtherDirection_failsTheTask() throws Exception {
        for (byte type : new byte[] {(byte) 0x7f, FrameType.CALL, FrameType.STOP, FrameType.HELLO}) {
            TaskFuture<Object> future = runForging(id -> ForgedFrames.frame(type, id, result("x")));
            assertThatThrownBy(future::get).as("type %d", type).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
            Files.delete(dir.resolve("forged"));
            poolStillServes();
        }
    }

    @Test
    void aHeaderWithANegativeLength_failsTheTask() throws Exception {
        TaskFuture<Object> future = runForging(id -> new ByteSink().putInt(-1).putByte(FrameType.RESULT).putLong(id)
                .toByteArray());
        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WorkerCrashedException.class).hasMessageContaining(BROKE);
        poolStillServes();
    }
}
