package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.config.Settings;

/**
 * Payload layouts of the frames between a process pool and its workers. The frame id is the task id
 * (or the function id for {@code DEFINE} and {@code FORGET}).
 *
 * <pre>
 *  SERVE    parent->worker  utf8 worker name | int32 flags (1: report memory) | blob initializer (empty: none)
 *  READY    worker->parent  int8 ok | [failure]
 *  DEFINE   parent->worker  the encoded function, callable or runnable (id: its function id)
 *  FORGET   parent->worker  (empty; id: the function id)
 *  CALL     parent->worker  int8 mode | int8 flags (1: forget the function after this call) | int64 function id | argument
 *  CANCEL   parent->worker  (empty): drop the task if it has not started (a cancel, or the parent taking it
 *                           back for an idle worker: the worker cannot tell, nor needs to)
 *  RESULT   worker->parent  int64 resident set size (0: not measured) | the result
 *  ERROR    worker->parent  int64 resident set size | int32 index in the chunk (-1) | failure
 *  SKIPPED  worker->parent  (empty): the task got a CANCEL before it started, and never will
 *  STOP     parent->worker  (empty): no more tasks will come; exit
 * </pre>
 *
 * The argument and result of a {@link CallMode#CHUNK} call are lists ({@code ListCodec}); others are single
 * values ({@code StandardCodec}); failures are written by {@code ThrowableCodec}. A worker runs its tasks
 * one at a time in the order they arrive and writes each outcome before it starts the next, so that when
 * a worker dies the first task without an outcome is the one that was running.
 *
 * <p>A task gets exactly one answer: RESULT or ERROR if it ran, SKIPPED if it did not; a CANCEL that comes
 * once its task has started gets none (the outcome answers it). A SKIPPED may come ahead of the outcomes of
 * the tasks queued before its task: a worker reads its connection while a task runs long, and answers a
 * CANCEL of a queued task at once (the only frame that may come out of order). A CALL always comes before a
 * CANCEL of it.
 */
public final class PoolProtocol {
    public static final int REPORT_MEMORY = 1;
    public static final int FORGET_AFTER = 1;
    /**
     * How long each side of a pool connection polls before it sleeps when it waits for the other
     * ({@code -Dmp4j.pool.spinMicros}, default 50 µs; 0 turns polling off). Both sides read the same property:
     * the parent forwards {@code mp4j.*} properties to its children.
     */
    public static final long SPIN_NANOS = Settings.poolSpinNanos();

    private PoolProtocol() {
    }

    /** A decoded {@code SERVE}. */
    public record Serve(String workerName, int flags, byte[] initializer) {
        public byte[] encode() {
            return new ByteSink(64 + initializer.length).putUtf8(workerName).putInt(flags).putBlob(initializer).toByteArray();
        }

        public static Serve decode(byte[] payload) {
            ByteSource in = new ByteSource(payload);
            Serve serve = new Serve(in.getUtf8(), in.getInt(), in.getBlob());
            in.expectEnd();
            return serve;
        }

        public boolean reportMemory() {
            return (flags & REPORT_MEMORY) != 0;
        }
    }
}
