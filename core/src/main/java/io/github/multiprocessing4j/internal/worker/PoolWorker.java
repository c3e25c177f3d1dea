package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.codec.Codec;
import io.github.multiprocessing4j.codec.EncodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.codec.ListCodec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.pool.CallMode;
import io.github.multiprocessing4j.internal.pool.PoolProtocol;
import io.github.multiprocessing4j.internal.session.ThisProcess;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A process pool's worker (see {@link PoolProtocol}): runs the initializer, then the tasks its parent
 * sends, one at a time, in order, on the main thread, until told to stop. Then it exits with code 0,
 * running its shutdown hooks but not waiting for non-daemon threads that tasks left behind; a hook that does
 * not return within a few seconds cannot keep it alive (see {@link ExitGuard}, and the parent kills a stopped
 * worker that lingers).
 *
 * <p>The main thread reads the connection itself whenever it has nothing queued, so a task that arrives at
 * an idle worker wakes the thread that runs it, with no hand-off between threads. Before it starts a task
 * it takes in every frame already buffered, and after a task that ran longer than 100 µs every frame that
 * came meanwhile, so a {@code CANCEL} sent for a queued task is seen in time; one that arrives after the
 * task has started is answered by the result instead, which the parent drops. Once a task has run for a
 * few milliseconds, a {@link LongTaskWatch} reads the connection until it ends: a {@code CANCEL} of a call
 * queued behind it (a cancel, or the parent taking the call back for an idle worker) is answered with
 * {@code SKIPPED} at once, ahead of the running task's outcome, and that call is dropped. Quick tasks never
 * meet the watch. The death of the parent is noticed by a {@link ParentWatch} that polls its pid, and at
 * once when the worker next reads.
 *
 * <p>The interrupt status that the initializer or a task leaves set is cleared after it, as a
 * {@code ThreadPoolExecutor} does between tasks.
 */
final class PoolWorker {
    /** After a task that ran longer than this, the worker looks for cancels before it starts a queued one. */
    private static final long CANCEL_CHECK_NANOS = 100_000;
    private final Connection connection;
    private final boolean reportMemory;
    /** Frames to handle in order: DEFINE, FORGET, CALL, STOP. */
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final Set<Long> cancelled = new HashSet<>();
    /**
     * Queued calls whose {@code CANCEL} the watch answered with {@code SKIPPED} while the task before them ran:
     * they never run, and are answered already.
     */
    private final Set<Long> skippedAhead = new HashSet<>();
    /** Null on a blocking connection ({@code mp4j.pool.spinMicros=0}), which cannot be read without waiting. */
    private final LongTaskWatch watch;
    /** Function id to its decoded target, or to the {@link RuntimeException} that decoding it raised. */
    private final Map<Long, Object> targets = new HashMap<>();

    private PoolWorker(Connection connection, boolean reportMemory) {
        this.connection = connection;
        this.reportMemory = reportMemory;
        this.watch = PoolProtocol.SPIN_NANOS > 0 ? LongTaskWatch.start(this::readWhileATaskRuns) : null;
    }

    /** @return false if the initializer failed (the worker then exits with code 1) */
    static boolean serve(Connection connection, Frame serveFrame, ParentWatch watch) throws IOException {
        PoolProtocol.Serve serve = PoolProtocol.Serve.decode(serveFrame.payload());
        ThisProcess.name(serve.workerName());
        connection.spinBeforeBlocking(PoolProtocol.SPIN_NANOS);
        watch.pollInBackground();
        ExitGuard.install(); // before the initializer, which may register hooks of its own
        if (serve.initializer().length > 0) {
            try {
                ((Runnable) Codec.standard().decode(serve.initializer())).run();
            } catch (Throwable t) {
                ByteSink failure = new ByteSink(1024).putByte(0);
                ThrowableCodec.write(t, failure);
                connection.send(FrameType.READY, 0, failure.toByteArray());
                return false;
            } finally {
                Thread.interrupted(); // see call()
            }
        }
        connection.send(FrameType.READY, 0, new byte[] {1});
        try {
            new PoolWorker(connection, serve.reportMemory()).runTasks();
        } catch (IOException | RuntimeException e) {
            // What the parent sent made no sense: say why and end, as the STOP below does, so that a non-daemon
            // thread a task left running does not keep this JVM (and its connection) alive with nobody serving.
            e.printStackTrace();
            System.exit(1);
        }
        // STOP: the pool waits for this JVM to end (close(), a recycled worker). A non-daemon thread that a task
        // left running must not keep it alive for ever, as returning from main would. Shutdown hooks still run.
        System.exit(0);
        return true;
    }

    private void runTasks() throws IOException {
        while (true) {
            if (queue.isEmpty() && !take(connection.receive())) {
                ParentWatch.orphaned(); // the parent closed the connection without a STOP: it is gone
                return;
            }
            while (connection.hasBufferedFrame()) {
                take(connection.receive());
            }
            Frame frame = queue.pollFirst();
            if (frame == null) {
                continue;
            }
            switch (frame.type()) {
                case FrameType.DEFINE -> targets.put(frame.id(), decodeTarget(frame.payload()));
                case FrameType.FORGET -> targets.remove(frame.id());
                case FrameType.CALL -> {
                    if (!skippedAhead.isEmpty() && skippedAhead.remove(frame.id())) {
                        forgetIfOneShot(frame); // answered by the watch while the task before it ran
                    } else if (cancelled.remove(frame.id())) {
                        forgetIfOneShot(frame);
                        connection.send(FrameType.SKIPPED, frame.id(), new byte[0]);
                    } else {
                        long start = System.nanoTime();
                        if (watch == null) {
                            call(frame);
                        } else {
                            long mark = watch.taskStarts(start);
                            try {
                                call(frame);
                            } finally {
                                watch.taskEnded(mark); // the connection's read side is this thread's again
                            }
                        }
                        if (!queue.isEmpty() && System.nanoTime() - start > CANCEL_CHECK_NANOS) {
                            // A CANCEL of a call queued here may have come while this one ran, and still be in the
                            // socket: read it before that call starts. (Tiny tasks stream on without the extra system
                            // call: a cancel could hardly have overtaken them anyway.)
                            connection.readAvailable();
                        }
                    }
                }
                case FrameType.STOP -> {
                    return;
                }
                default -> throw new IOException("unexpected frame from the parent: " + frame);
            }
        }
    }

    /** Queues a frame, or notes a cancellation; false at the end of the stream. */
    private boolean take(Frame frame) {
        if (frame == null) {
            return false;
        }
        if (frame.type() == FrameType.CANCEL) {
            // A CALL comes before its CANCEL: one not queued here has run, and its outcome answered the cancel (a
            // late cancel, or a take-back that crossed the outcome of the task before it); one the watch skipped is
            // answered too. Noting either would only leak.
            if (!skippedAhead.contains(frame.id()) && isQueuedCall(frame.id())) {
                cancelled.add(frame.id());
            }
        } else {
            queue.addLast(frame);
        }
        return true;
    }

    /**
     * For the {@link LongTaskWatch}, while a task runs (the main thread does not touch the queue then): takes in
     * the frames that have come, without waiting. A {@code CANCEL} of a call still queued is answered at once;
     * one of the running call, or of one done or answered already, is left to the outcome that answers it (a
     * {@code CALL} always comes before its {@code CANCEL}, so a call not queued has started).
     */
    private void readWhileATaskRuns() throws IOException {
        connection.readAvailable();
        while (connection.hasBufferedFrame()) {
            Frame frame = connection.receive();
            if (frame.type() != FrameType.CANCEL) {
                queue.addLast(frame);
            } else if (!skippedAhead.contains(frame.id()) && isQueuedCall(frame.id())) {
                cancelled.remove(frame.id());
                skippedAhead.add(frame.id());
                connection.send(FrameType.SKIPPED, frame.id(), new byte[0]);
            }
        }
    }

    private boolean isQueuedCall(long id) {
        for (Frame f : queue) {
            if (f.type() == FrameType.CALL && f.id() == id) {
                return true;
            }
        }
        return false;
    }

    /** A skipped call still drops the function it was the only user of, as running it would have. */
    private void forgetIfOneShot(Frame call) {
        ByteSource in = call.body();
        in.getByte(); // mode
        if ((in.getByte() & PoolProtocol.FORGET_AFTER) != 0) {
            targets.remove(in.getLong());
        }
    }

    /** A function that could not be decoded: every call of it fails with the reason. */
    private record Undecodable(Throwable reason) {
    }

    private static Object decodeTarget(byte[] payload) {
        try {
            return Codec.standard().decode(payload);
        } catch (VirtualMachineError e) {
            throw e; // out of memory, say: passing, and not the function's fault; the worker dies and is replaced
        } catch (Throwable e) {
            // The codec's DecodingException (it also stands for a capturing class whose static initializer fails
            // here), and anything else: the task's failure, not a reason for the worker to die
            return new Undecodable(e);
        }
    }

    private void call(Frame frame) throws IOException {
        ByteSource in = frame.body();
        CallMode mode = CallMode.of(in.getByte());
        boolean forgetAfter = (in.getByte() & PoolProtocol.FORGET_AFTER) != 0;
        long functionId = in.getLong();
        Object target = forgetAfter ? targets.remove(functionId) : targets.get(functionId);
        int[] failedAt = {-1};
        ByteSink out = new ByteSink(64);
        try {
            if (target instanceof Undecodable undecodable) {
                throw undecodable.reason();
            }
            if (target == null) {
                throw new IllegalStateException("function " + functionId + " was never defined in this worker");
            }
            Object result;
            try {
                result = invoke(target, mode, in, failedAt);
            } finally {
                // A task may return with its thread interrupted (it restored an interrupt it caught, say). Left
                // set, the status would close the connection at the worker's next wait for it (an interrupted
                // thread's wait closes a channel), and the next task would start interrupted.
                Thread.interrupted();
            }
            out.putLong(reportMemory ? residentSetSize() : 0);
            if (mode == CallMode.CHUNK) {
                try {
                    ListCodec.write((List<?>) result, out);
                } catch (EncodingException e) {
                    throw firstUnsendable((List<?>) result, e, failedAt);
                }
            } else {
                StandardCodec.INSTANCE.writeResult(result, out);
            }
            connection.send(FrameType.RESULT, frame.id(), out.array(), 0, out.size());
        } catch (Throwable t) {
            out.clear();
            out.putLong(reportMemory ? residentSetSize() : 0).putInt(failedAt[0]);
            ThrowableCodec.write(t, out);
            connection.send(FrameType.ERROR, frame.id(), out.array(), 0, out.size());
        }
    }

    /**
     * A chunk's results cannot travel back as one list: finds the first that cannot travel alone (on this error
     * path only), so that the pool names its item, not the chunk's array; its place goes into {@code failedAt}.
     */
    private static EncodingException firstUnsendable(List<?> results, EncodingException whole, int[] failedAt) {
        ByteSink scratch = new ByteSink(64);
        for (int i = 0; i < results.size(); i++) {
            try {
                scratch.clear();
                StandardCodec.INSTANCE.writeResult(results.get(i), scratch);
            } catch (EncodingException e) {
                failedAt[0] = i;
                return e;
            }
        }
        return whole;
    }

    /** Decodes the task's argument (an item, or a chunk's list of items), then invokes it as a thread pool does. */
    private static Object invoke(Object target, CallMode mode, ByteSource in, int[] failedAt) throws Exception {
        Object arg = switch (mode) {
            case APPLY -> StandardCodec.INSTANCE.read(in);
            case CHUNK -> ListCodec.read(in);
            case CALL, RUN -> null;
        };
        return mode.invoke(target, arg, failedAt);
    }

    /** VmRSS from /proc/self/status, in bytes; 0 where there is no /proc. */
    private static long residentSetSize() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).strip().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }
}
