package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.launch.ChildJvm;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.wire.Connection;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;

/**
 * A process pool's worker as the parent sees it: its child JVM, the tasks sent to it in order
 * ({@link #inFlight}; the head is the one running), the functions it holds, and an outbox of frames.
 *
 * <p>Frames are appended to the outbox under the engine's lock, in the order the tasks were queued, and
 * written by whichever thread calls {@link #flush()} first, outside that lock, many frames per system
 * call. One thread at a time reads the connection — the worker's reader thread, or a caller of
 * {@code apply} that borrowed the idle worker (see {@link ProcessEngine}) — and a reading thread never
 * writes: it hands writing to the worker's writer thread ({@link #flushInBackground()}).
 */
final class Worker {
    final ChildJvm child;
    final Connection connection;
    final String name;

    /** Guarded by the engine's lock. */
    final ArrayDeque<TaskRecord> inFlight = new ArrayDeque<>();
    /** Function ids this worker holds; guarded by the engine's lock. */
    final Set<Long> defined = new HashSet<>();
    /**
     * Tasks sent so far, less those it skipped (cancelled before they started): the tasks it has run or will
     * run, which {@code maxTasksPerChild} limits. Guarded by the engine's lock.
     */
    int sent;
    /** No more tasks go to it: it is to be stopped and replaced; guarded by the engine's lock. */
    boolean retiring;
    /** A result reported more resident memory than {@code maxMemoryPerChild}; guarded by the engine's lock. */
    boolean overMemory;
    /** STOP was sent; guarded by the engine's lock. */
    boolean stopSent;
    /**
     * The kill of this worker if it has not exited {@code ProcessEngine.stopGrace} after its STOP, cancelled once it
     * has (WorkerTurnover.workerExited): the timer's entry holds the worker, its connection's buffers included, until
     * it fires. Null before its STOP, or once cancelled; guarded by the engine's lock.
     */
    ScheduledFuture<?> killAfterStop;
    /** Set under the engine's lock; read by the writer thread. */
    volatile boolean dead;
    /** A caller of {@code apply} reads this worker's connection itself; guarded by the engine's lock. */
    boolean borrowed;
    /** The reader thread reads (or is about to read) the connection; guarded by the engine's lock. */
    boolean readerActive;
    /**
     * Its process has ended, or its connection has, and its end is being handled: it gets no more tasks;
     * guarded by the engine's lock.
     */
    boolean exited;
    /**
     * How the worker broke the protocol (a frame that is no outcome of its running task, say), for which it was
     * killed; null if it did not. Guarded by the engine's lock.
     */
    String protocolViolation;
    /**
     * The pool stopped reading this worker's connection before its end, and killed it: it broke the protocol, an
     * outcome was too large for this JVM's heap, or the reader failed. Outcomes of the tasks queued behind its head
     * may be left unread there, so those tasks may have run (WorkerTurnover.workerExited). Guarded by the engine's
     * lock; set before the kill.
     */
    boolean leftUnread;
    /**
     * The running task (the head of {@link #inFlight}) whose queued tasks were taken back for idle workers: while
     * it is still the head, nothing more is queued behind it. Guarded by the engine's lock.
     */
    TaskRecord reclaimedFrom;
    /** The task we killed this worker for (a timeout, a cancel); guarded by the engine's lock. */
    TaskRecord killedFor;
    /** Signalled when the reader thread should read: tasks in flight and nobody borrowing, or death. */
    final Condition readable;
    /** The end of this worker has been handled (once, by whoever noticed it first). */
    final AtomicBoolean exitHandled = new AtomicBoolean();

    private final Object outboxLock = new Object();
    /** Guarded by outboxLock. */
    private ByteSink outbox = new ByteSink(4096);
    /** The other buffer of the pair that the writer swaps with the outbox; guarded by outboxLock. */
    private ByteSink spare = new ByteSink(4096);
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final Thread writer;
    private static final int MAX_KEPT_BUFFER = 4 << 20;

    Worker(ChildJvm child, String name, Condition readable) {
        this.readable = readable;
        this.child = child;
        this.connection = child.connection();
        this.name = name;
        // It lives as long as the worker, and only writes bytes: none of the booting thread's context
        this.writer = LibraryThreads.daemon("mp4j-pool-writer-" + child.pid()).stackSize(256 * 1024)
                .inheritInheritableThreadLocals(false).unstarted(this::writeLoop);
    }

    /** Starts the writer thread; once, when the worker joins the pool. */
    void startWriter() {
        writer.start();
    }

    long pid() {
        return child.pid();
    }

    /** Appends a frame; call {@link #flush()} after releasing the engine's lock. */
    void post(byte type, long id, byte[] payload) {
        synchronized (outboxLock) {
            Connection.appendFrame(outbox, type, id, payload);
        }
    }

    /** Appends a {@code CALL} frame (see {@link PoolProtocol}) without building its payload separately. */
    void postCall(long taskId, CallMode mode, boolean forgetAfter, long functionId, byte[] argument) {
        synchronized (outboxLock) {
            outbox.reserve(Frame.HEADER_LENGTH + 10 + argument.length);
            int frame = Connection.beginFrame(outbox, FrameType.CALL, taskId);
            outbox.putByte(mode.ordinal()).putByte(forgetAfter ? PoolProtocol.FORGET_AFTER : 0).putLong(functionId)
                    .putBytes(argument);
            Connection.endFrame(outbox, frame);
        }
    }

    /**
     * Writes what the outbox holds, on a virtual thread of its own. The reader thread uses this instead of
     * {@link #flush()}: it must never block in a write, or a worker that blocks writing its results to us
     * while we block writing tasks to it would deadlock both.
     */
    void flushInBackground() {
        synchronized (outboxLock) {
            if (outbox.size() == 0) {
                return;
            }
        }
        if (!flushing.get()) {
            LockSupport.unpark(writer);
        }
    }

    /**
     * The thread behind {@link #flushInBackground()}: parked until there is something to write. It writes first, then
     * parks: a worker joins the pool a moment before this thread starts, and a reader thread may hand it tasks
     * meanwhile, whose unpark of a thread not yet started is lost.
     */
    private void writeLoop() {
        while (!dead) {
            flush();
            LockSupport.park(this);
        }
    }

    /** Lets the writer thread end; call once the worker is gone. */
    void stopWriter() {
        LockSupport.unpark(writer);
    }

    /**
     * Writes what the outbox holds, blocking while the worker's socket buffer is full. Any thread but the
     * reader; concurrent callers leave the work to the one already writing.
     */
    void flush() {
        while (flushing.compareAndSet(false, true)) {
            try {
                while (true) {
                    ByteSink batch;
                    synchronized (outboxLock) {
                        if (outbox.size() == 0) {
                            break;
                        }
                        batch = outbox;
                        outbox = spare;
                        spare = null;
                    }
                    connection.sendBatchUninterruptibly(batch); // the submitter's interrupt must not cost the worker
                    batch.clear();
                    synchronized (outboxLock) {
                        // keep the buffer for the next swap, unless one huge frame blew it up
                        spare = batch.array().length > MAX_KEPT_BUFFER ? new ByteSink(4096) : batch;
                    }
                }
            } catch (IOException e) {
                // the worker is gone; its reader thread sees the end of the connection and handles it
                synchronized (outboxLock) {
                    outbox.clear();
                    if (spare == null) {
                        spare = new ByteSink(4096);
                    }
                }
            } finally {
                flushing.set(false);
            }
            synchronized (outboxLock) {
                if (outbox.size() == 0) {
                    return;
                }
            }
        }
    }

    Frame receive() throws IOException {
        return connection.receive();
    }

    @Override
    public String toString() {
        return name + " (pid " + child.pid() + ")";
    }
}
