package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.codec.Codec;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * A process pool's worker (see {@link PoolProtocol}): runs the initializer, then the tasks its parent
 * sends, one at a time, in order, on the main thread, until told to stop.
 *
 * <p>A reader thread takes frames off the connection, so that a {@code CANCEL} reaches a task that is
 * still queued while another one runs, and so that the death of the parent is noticed at once (its end of
 * the connection closes): an orphaned worker exits. After {@code STOP} the worker shuts its input down,
 * which wakes the reader, and exits.
 */
final class PoolWorker {
    private static final Frame END = new Frame(FrameType.STOP, -1, new byte[0]);

    private final Connection connection;
    private final boolean reportMemory;
    private final BlockingQueue<Frame> inbox = new LinkedBlockingQueue<>();
    private final Set<Long> cancelled = ConcurrentHashMap.newKeySet();
    /** Function id to its decoded target, or to the {@link RuntimeException} that decoding it raised. */
    private final Map<Long, Object> targets = new HashMap<>();
    private volatile boolean stopping;

    private PoolWorker(Connection connection, boolean reportMemory) {
        this.connection = connection;
        this.reportMemory = reportMemory;
    }

    /** @return false if the initializer failed (the worker then exits with code 1) */
    static boolean serve(Connection connection, Frame serveFrame) throws IOException {
        PoolProtocol.Serve serve = PoolProtocol.Serve.decode(serveFrame.payload());
        ThisProcess.name(serve.workerName());
        if (serve.initializer().length > 0) {
            try {
                ((Runnable) Codec.standard().decode(serve.initializer())).run();
            } catch (Throwable t) {
                ByteSink failure = new ByteSink(1024).putByte(0);
                ThrowableCodec.write(t, failure);
                connection.send(FrameType.READY, 0, failure.toByteArray());
                connection.shutdownInput();
                return false;
            }
        }
        connection.send(FrameType.READY, 0, new byte[] {1});
        PoolWorker worker = new PoolWorker(connection, serve.reportMemory());
        Thread.ofPlatform().daemon().name("mp4j-worker-reader").stackSize(256 * 1024).start(worker::readFrames);
        worker.runTasks();
        return true;
    }

    private void readFrames() {
        try {
            Frame frame;
            while ((frame = connection.receive()) != null) {
                if (frame.type() == FrameType.CANCEL) {
                    cancelled.add(frame.id());
                } else {
                    inbox.add(frame);
                }
            }
        } catch (IOException e) {
            // the parent vanished mid-frame: treat as end-of-stream
        }
        if (!stopping) {
            ParentWatch.orphaned();
        }
        inbox.add(END);
    }

    private void runTasks() throws IOException {
        while (true) {
            Frame frame;
            try {
                frame = inbox.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            switch (frame.type()) {
                case FrameType.DEFINE -> targets.put(frame.id(), decodeTarget(frame.payload()));
                case FrameType.FORGET -> targets.remove(frame.id());
                case FrameType.CALL -> {
                    if (cancelled.remove(frame.id())) {
                        connection.send(FrameType.SKIPPED, frame.id(), new byte[0]);
                    } else {
                        call(frame);
                    }
                }
                case FrameType.STOP -> {
                    stopping = true;
                    connection.shutdownInput();
                    return;
                }
                default -> throw new IOException("unexpected frame from the parent: " + frame);
            }
        }
    }

    private static Object decodeTarget(byte[] payload) {
        try {
            return Codec.standard().decode(payload);
        } catch (RuntimeException e) {
            return e;
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
            if (target instanceof RuntimeException decodingFailed) {
                throw decodingFailed;
            }
            if (target == null) {
                throw new IllegalStateException("function " + functionId + " was never defined in this worker");
            }
            Object result = invoke(target, mode, in, failedAt);
            out.putLong(reportMemory ? residentSetSize() : 0);
            if (mode == CallMode.CHUNK) {
                ListCodec.write((List<?>) result, out);
            } else {
                StandardCodec.INSTANCE.write(result, out);
            }
            connection.send(FrameType.RESULT, frame.id(), out.array(), 0, out.size());
        } catch (Throwable t) {
            out.clear();
            out.putLong(reportMemory ? residentSetSize() : 0).putInt(failedAt[0]);
            ThrowableCodec.write(t, out);
            connection.send(FrameType.ERROR, frame.id(), out.array(), 0, out.size());
        }
    }

    @SuppressWarnings("unchecked")
    private static Object invoke(Object target, CallMode mode, ByteSource in, int[] failedAt) throws Exception {
        return switch (mode) {
            case APPLY -> ((Function<Object, Object>) target).apply(StandardCodec.INSTANCE.read(in));
            case CALL -> ((java.util.concurrent.Callable<Object>) target).call();
            case RUN -> {
                ((Runnable) target).run();
                yield null;
            }
            case CHUNK -> {
                Function<Object, Object> fn = (Function<Object, Object>) target;
                List<Object> items = ListCodec.read(in);
                List<Object> results = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) {
                    failedAt[0] = i;
                    results.add(fn.apply(items.get(i)));
                }
                failedAt[0] = -1;
                yield results;
            }
        };
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
