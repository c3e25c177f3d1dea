package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.codec.DecodingException;
import io.github.multiprocessing4j.internal.bytes.ByteSource;
import io.github.multiprocessing4j.internal.bytes.MalformedDataException;
import io.github.multiprocessing4j.internal.codec.ListCodec;
import io.github.multiprocessing4j.internal.codec.StandardCodec;
import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.seam.PauseSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.wire.Frame;
import io.github.multiprocessing4j.internal.wire.FrameType;
import io.github.multiprocessing4j.internal.wire.ProtocolException;
import java.io.IOException;
import java.io.Serial;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Reads what a process pool's workers send back (see {@link ProcessEngine}): each outcome takes its task
 * off the head of the worker's queue, under the engine's lock, and completes the task's future outside it.
 *
 * <p>One thread at a time reads a worker's connection: its reader thread while it has tasks in flight, or
 * a caller of {@code apply} that borrowed the idle worker ({@link #readUntilDone}). An idle worker's
 * connection is read by nobody, so its death is noticed through its process. A reading thread never
 * blocks in a write (the worker may be blocked writing to us): it leaves writing to the writer threads.
 */
final class OutcomeReader {
    private static final System.Logger LOG = System.getLogger(OutcomeReader.class.getName());

    private final ProcessEngine engine;

    OutcomeReader(ProcessEngine engine) {
        this.engine = engine;
    }

    /** For tests: where {@link #start} throws instead of starting the worker's threads. */
    private static final FailureSeam START = new FailureSeam();
    /** For tests: what the next {@link #start} runs first ({@link #beforeNextStart}); null for none. */
    private static final PauseSeam BEFORE_START = new PauseSeam();

    /** For tests: makes the next {@link #start} throw {@code failure}, as when no thread can be made; null for none. */
    static void failNextStart(Error failure) {
        failNextStarts(failure, 1);
    }

    /** For tests: makes the next {@code times} {@link #start}s throw {@code failure}; null for none. */
    static void failNextStarts(Error failure, int times) {
        START.arm(failure, 0, times, null);
    }

    /**
     * For tests: makes the next {@link #start} run {@code meanwhile} (what another thread does as the threads fail to
     * start: shutdownNow(), say), then throw {@code failure}.
     */
    static void failNextStart(Error failure, Runnable meanwhile) {
        failNextStarts(failure, 1, meanwhile);
    }

    /**
     * For tests: makes the next {@code times} {@link #start}s throw {@code failure}, the last of them after it ran
     * {@code meanwhile}.
     */
    static void failNextStarts(Error failure, int times, Runnable meanwhile) {
        START.arm(failure, 0, times, meanwhile);
    }

    /**
     * For tests: makes the next {@link #start} run {@code meanwhile} before it starts any thread of the worker, which
     * has already joined the pool (a replacement: WorkerTurnover.serve), and then start them as usual: what other
     * threads do in that gap (give the worker a task, say). Null for none.
     */
    static void beforeNextStart(Runnable meanwhile) {
        BEFORE_START.once(meanwhile);
    }

    /** Starts the worker's reader and writer threads, and watches its process. */
    void start(Worker w) {
        START.check();
        BEFORE_START.pass();
        w.startWriter();
        // The default stack size (-Xss), not a small one: results are decoded here, and a value nested a few hundred
        // levels deep (a linked structure) that apply() decodes on a caller's thread must decode here as well. In the
        // library's group, as the worker's boot and writer are, though the pool's builder starts it: a program's
        // ThreadGroup.interrupt() reached its read, which closed the connection, and the task running failed as if
        // its worker had crashed. It and the exit watch have the context class loader of the thread that starts
        // them (results are decoded here, callbacks run here) but none of its inheritable thread-locals: they live as
        // long as the worker, and would keep the values (a request's, say) of whoever built the pool for as long.
        LibraryThreads.startWithCallersLoader("mp4j-pool-reader-" + w.pid(), () -> {
            ProcessEngine.READER.set(engine);
            readLoop(w);
        });
        // An idle worker's connection is read by nobody: its death is noticed through its process instead. Not with
        // Process.onExit(): the JDK completes that on the common ForkJoinPool, so a caller that blocks the common
        // pool (close() in a CompletableFuture.runAsync on a 2-core machine, say) would keep every exit unnoticed,
        // and the pool from terminating. waitFor() is woken by the JDK's process reaper itself. Nor on a virtual
        // thread (see LibraryThreads): an exit seen there waited for a carrier held by CPU-bound virtual threads, and
        // close() with it. A platform thread, as the reader is, with the default stack: the futures that a
        // crash fails run their callbacks here.
        Process process = w.child.process();
        LibraryThreads.startWithCallersLoader("mp4j-pool-exit-" + w.pid(), () -> {
            awaitExit(process);
            processExited(w);
        });
    }

    private static void awaitExit(Process process) {
        while (true) {
            try {
                process.waitFor();
                return;
            } catch (InterruptedException e) {
                // nobody interrupts this thread; wait on
            }
        }
    }

    /**
     * The worker's process ended. If nobody reads its connection, the end is handled here; otherwise the
     * reader (or the borrowing caller) sees the end of the stream. Either way {@code exited} makes the
     * reader thread read on to that end even with nothing in flight (after STOP, say), so that no exit goes
     * unhandled because a reader was busy at the moment it happened.
     */
    private void processExited(Worker w) {
        boolean someoneReads;
        engine.lock.lock();
        try {
            w.exited = true;
            someoneReads = w.readerActive || w.borrowed;
            w.readable.signal();
        } finally {
            engine.lock.unlock();
        }
        if (!someoneReads) {
            engine.turnover.workerExited(w);
        }
    }

    /**
     * Waits until the reader thread should read: the worker has tasks in flight and no caller has borrowed
     * it. Returns false once the worker is dead.
     */
    private boolean awaitReadable(Worker w) {
        engine.lock.lock();
        try {
            while (!w.dead && (w.borrowed || (w.inFlight.isEmpty() && !w.exited))) {
                w.readerActive = false;
                w.readable.awaitUninterruptibly();
            }
            w.readerActive = !w.dead;
            return !w.dead;
        } finally {
            engine.lock.unlock();
        }
    }

    private void readLoop(Worker w) {
        try {
            while (awaitReadable(w)) {
                if (!readOnce(w)) {
                    break;
                }
            }
        } catch (ProtocolException e) {
            unreadableFrame(w, e);
        } catch (IOException | MalformedDataException e) {
            LOG.log(Level.DEBUG, "connection to {0} ended: {1}", w, e.getMessage());
        } catch (NoRoomForOutcome e) {
            tooLargeToReceive(w, e.getCause());
        } catch (RuntimeException | Error e) {
            // Nothing else reads this connection: rather than leave the worker's tasks waiting for good, it is
            // handled as a crash (its running task fails, the rest run elsewhere).
            LOG.log(Level.WARNING, "reading from " + w + " failed; killing it", e);
            engine.lock.lock();
            try {
                w.leftUnread = true;
            } finally {
                engine.lock.unlock();
            }
            w.child.killTree();
        }
        engine.lock.lock();
        try {
            w.readerActive = false;
        } finally {
            engine.lock.unlock();
        }
        // This thread reads nothing more: the futures workerExited fails (the crashed task's) run their callbacks
        // here, and those may wait for the pool (close() on a crash, say), which no longer needs this thread.
        ProcessEngine.READER.remove();
        engine.turnover.workerExited(w);
    }

    /**
     * Reads the worker's next outcomes (all that are already buffered) and handles them. For the thread
     * that reads the connection: the reader, or a borrowing caller.
     *
     * @return false at the end of the connection, or after a protocol violation (the worker is then killed)
     * @throws NoRoomForOutcome if this JVM's heap had no room for a frame, once the frames before it are handled
     */
    private boolean readOnce(Worker w) throws IOException {
        Frame frame = receive(w);
        if (frame == null) {
            return false;
        }
        List<Frame> batch = new ArrayList<>();
        batch.add(frame);
        NoRoomForOutcome noRoom = null;
        while (w.connection.hasBufferedFrame() && batch.size() < 256) {
            try {
                batch.add(receive(w));
            } catch (NoRoomForOutcome e) {
                noRoom = e; // after the outcomes before it: the task it fails is then at the head of the queue
                break;
            }
        }
        List<TaskRecord> tasks = new ArrayList<>(batch.size());
        boolean wellFormed = outcomes(w, batch, tasks);
        // The tasks taken off the queue before a bad frame have their outcomes: complete them in any case,
        // or nobody would (they are no longer in flight when the worker's end is handled).
        for (int i = 0; i < tasks.size(); i++) {
            complete(tasks.get(i), batch.get(i), w);
        }
        if (!wellFormed) {
            w.child.killTree();
            return false;
        }
        if (noRoom != null) {
            throw noRoom;
        }
        return true;
    }

    /**
     * Takes the tasks that {@code frames} answer off the worker's queue, under one engine.lock, and hands out
     * more work; the caller completes the futures afterwards, outside the engine.lock. {@code tasks} gets one
     * entry per frame: null for a frame that answers a task {@code shutdownNow()} took off the worker's queue.
     *
     * @return false if a frame is not an outcome of the task at the head of the worker's queue, or is
     *         malformed (a protocol violation: the worker is killed); {@code tasks} then holds the tasks of
     *         the frames before it
     */
    private boolean outcomes(Worker w, List<Frame> frames, List<TaskRecord> tasks) {
        List<Worker> touched = new ArrayList<>(2);
        touched.add(w);
        List<TaskRecord> reclaimed = null;
        List<TaskRecord> stopped = null;
        engine.lock.lock();
        try {
            for (Frame frame : frames) {
                byte type = frame.type();
                TaskRecord task = w.inFlight.peekFirst();
                if (type == FrameType.SKIPPED && (task == null || task.id != frame.id())) {
                    // The worker's watch answers a CANCEL of a queued task at once, while the head still runs.
                    TaskRecord queued = queuedBehindHead(w, frame.id());
                    if (queued == null && engine.state == ProcessEngine.State.STOPPING) {
                        // shutdownNow took it off the worker's queue, and cancelled it: complete() skips it
                        tasks.add(null);
                        continue;
                    }
                    if (queued == null || !(queued.cancelRequested || queued.reclaimRequested)) {
                        brokeProtocolLocked(w, "it sent " + frame + " for no task queued on it that was cancelled");
                        return false;
                    }
                    w.inFlight.remove(queued);
                    tasks.add(queued);
                    reclaimed = skippedLocked(w, queued, reclaimed);
                    continue;
                }
                if ((type == FrameType.RESULT || type == FrameType.ERROR) && (task == null || task.id != frame.id())
                        && engine.state == ProcessEngine.State.STOPPING) {
                    // The outcome of a task that shutdownNow took off the worker's queue (and cancelled) while this
                    // frame was on its way: the worker had run it, and is being killed. complete() skips it.
                    tasks.add(null);
                    continue;
                }
                if ((type != FrameType.RESULT && type != FrameType.ERROR && type != FrameType.SKIPPED)
                        || task == null || task.id != frame.id()) {
                    brokeProtocolLocked(w, "it sent " + frame + " while " + (task == null ? "no task" : task)
                            + " was running");
                    return false;
                }
                // A SKIPPED answers a CANCEL only: taken for another task, it would leave that task's future, which
                // nothing else completes (only a cancel does, for a task that was cancelled), pending for ever.
                if (type == FrameType.SKIPPED && !task.cancelRequested && !task.reclaimRequested) {
                    brokeProtocolLocked(w, "it sent " + frame + " for a task that was not cancelled");
                    return false;
                }
                long rss = 0;
                if (type != FrameType.SKIPPED) {
                    if (frame.payload().length < Long.BYTES) {
                        brokeProtocolLocked(w, "it sent a truncated " + frame);
                        return false;
                    }
                    rss = frame.body().getLong();
                }
                w.inFlight.pollFirst();
                tasks.add(task);
                if (w.reclaimedFrom == task) {
                    w.reclaimedFrom = null; // its worker may queue tasks again; and the record is not kept for nothing
                }
                if (task.timeout != null) {
                    task.timeout.cancel(false);
                }
                long now = System.nanoTime();
                if (type != FrameType.SKIPPED) {
                    engine.averageRunNanos += (now - task.startNanos - engine.averageRunNanos) / 8;
                    if (engine.config.maxMemoryPerChild() > 0 && rss > engine.config.maxMemoryPerChild() && !w.overMemory) {
                        LOG.log(Level.DEBUG, "{0} uses {1} bytes, more than {2}: recycling it", w, rss,
                                engine.config.maxMemoryPerChild());
                        w.overMemory = true;
                        w.retiring = true;
                    }
                } else {
                    reclaimed = skippedLocked(w, task, reclaimed);
                }
                TaskRecord next = w.inFlight.peekFirst();
                if (next != null) {
                    engine.started(next, now);
                }
            }
            if (reclaimed != null) {
                for (TaskRecord t : reclaimed) {
                    t.worker = null;
                    t.startNanos = 0;
                }
                if (engine.state == ProcessEngine.State.RUNNING || engine.state == ProcessEngine.State.SHUTDOWN) {
                    // back to the front of the queue, in their order, for the idle workers they were taken back for
                    for (int i = reclaimed.size() - 1; i >= 0; i--) {
                        engine.pending.addFirst(reclaimed.get(i));
                    }
                } else {
                    // shutdownNow came between the CANCEL and this SKIPPED, with the task the head here (so taken to
                    // be running, and left to this worker's end): it never started, and the queue it would go back to
                    // is no longer served. Cancelled below, as shutdownNow cancels the queued tasks.
                    stopped = reclaimed;
                    engine.delivering(); // the pool terminates once they are cancelled, not before
                }
            }
            engine.stopIfDoneLocked(w, touched);
            engine.dispatchLocked(touched);
            engine.dropUnneededBootsLocked();
            if (w.inFlight.isEmpty() && !w.borrowed) {
                engine.reclaim.armLocked();
            }
        } finally {
            engine.lock.unlock();
        }
        ProcessEngine.flush(touched);
        if (stopped != null) {
            try {
                for (TaskRecord t : stopped) {
                    t.future.completeExceptionally(new CancellationException("the pool was terminated before the task started"));
                }
            } finally {
                engine.delivered();
            }
        }
        return true;
    }

    /**
     * The worker skipped a task it was told to (CANCEL) before it started it. It never ran: maxTasksPerChild counts
     * the tasks a worker runs (Python's maxtasksperchild counts completed ones), so the worker has room for one
     * more. STOP is never sent while tasks are in flight, so a worker retired by that count alone can still take
     * work. A task taken back for an idle worker, and not cancelled since, is added to {@code reclaimed} (created
     * if null), to go back to the pool's queue. Lock held.
     */
    private List<TaskRecord> skippedLocked(Worker w, TaskRecord task, List<TaskRecord> reclaimed) {
        w.sent--;
        int max = engine.config.maxTasksPerChild();
        if (w.retiring && !w.overMemory && max > 0 && w.sent < max) {
            w.retiring = false;
        }
        if (task.reclaimRequested && !task.cancelRequested && !task.future.isDone()) {
            if (reclaimed == null) {
                reclaimed = new ArrayList<>();
            }
            reclaimed.add(task);
        }
        return reclaimed;
    }

    /** The task with this id queued on the worker behind its head, or null. Lock held. */
    private static TaskRecord queuedBehindHead(Worker w, long id) {
        boolean head = true;
        for (TaskRecord t : w.inFlight) {
            if (!head && t.id == id) {
                return t;
            }
            head = false;
        }
        return null;
    }

    /**
     * The worker broke the protocol: it is to be killed, and the task it fails says why (see
     * {@link WorkerTurnover#workerExited}). Lock held.
     */
    private void brokeProtocolLocked(Worker w, String what) {
        assert engine.lock.isHeldByCurrentThread();
        LOG.log(Level.WARNING, "{0} broke the pool''s protocol: {1}; killing it", w, what);
        if (w.protocolViolation == null) {
            w.protocolViolation = what;
        }
        w.leftUnread = true; // the caller kills it without reading on
    }

    /** A frame the worker sent could not be read ({@link ProtocolException}): it is killed, as for a bad outcome. */
    private void unreadableFrame(Worker w, ProtocolException e) {
        engine.lock.lock();
        try {
            brokeProtocolLocked(w, e.getMessage());
        } finally {
            engine.lock.unlock();
        }
        w.child.killTree();
    }

    /** The worker's next frame, or null at the end; an OutOfMemoryError as it is read is a {@link NoRoomForOutcome}. */
    private static Frame receive(Worker w) throws IOException {
        try {
            return w.receive();
        } catch (OutOfMemoryError e) {
            throw new NoRoomForOutcome(e);
        }
    }

    /** This JVM's heap had no room for a frame the worker sent (a huge result); see {@link #tooLargeToReceive}. */
    private static final class NoRoomForOutcome extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        NoRoomForOutcome(OutOfMemoryError cause) {
            super(cause.toString(), cause, false, false);
        }

        @Override
        public synchronized OutOfMemoryError getCause() {
            return (OutOfMemoryError) super.getCause();
        }
    }

    /**
     * This JVM ran out of memory as it received an outcome (a result too large for its heap, read before it could be
     * decoded): the task at the head of the worker's queue, whose outcome it was, fails saying so, and the worker,
     * whose connection is now read to the middle of a frame, is killed. Without this the task failed as if its worker
     * had crashed (SIGKILL), or with retries ran again, to the same end, for nothing.
     */
    private void tooLargeToReceive(Worker w, OutOfMemoryError e) {
        TaskRecord head;
        engine.lock.lock();
        try {
            head = w.inFlight.peekFirst();
            w.leftUnread = true;
        } finally {
            engine.lock.unlock();
        }
        LOG.log(Level.WARNING, "not enough memory in this JVM to receive an outcome from " + w + "; killing it", e);
        w.child.killTree();
        if (head != null) {
            // done, its worker's end neither fails it as a crash nor runs it again
            head.future.completeExceptionally(new DecodingException("not enough memory in this JVM to receive the"
                    + " outcome of " + head + ": give it a larger heap (-Xmx), or return the result in smaller parts",
                    e));
        }
    }

    private static void complete(TaskRecord task, Frame frame, Worker w) {
        if (task == null || frame.type() == FrameType.SKIPPED || task.future.isDone()) {
            return;
        }
        ByteSource body = frame.body();
        body.getLong(); // resident set size, read under the engine.lock
        try {
            if (frame.type() == FrameType.RESULT) {
                task.future.complete(task.mode == CallMode.CHUNK ? chunkResults(task, body) : StandardCodec.INSTANCE.read(body));
            } else {
                int index = body.getInt();
                if (task.mode == CallMode.CHUNK && (index < -1 || index >= ListCodec.length(task.argument))) {
                    // it would be taken for an item of another chunk, or of none
                    throw new MalformedDataException("a chunk of " + ListCodec.length(task.argument)
                            + " items failed at item " + index);
                }
                Throwable failure = ThrowableCodec.read(body, "pool worker " + w);
                task.future.completeExceptionally(task.mode == CallMode.CHUNK ? new ChunkFailedException(index, failure)
                        : TaskFuture.taskFailure(failure));
            }
        } catch (DecodingException | MalformedDataException e) {
            task.future.completeExceptionally(e instanceof DecodingException d ? d
                    : new DecodingException("malformed outcome from " + w + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            // an IllegalArgumentException that says this JVM's mp4j.serialFilter is invalid, say: the task is off its
            // worker's queue, so nothing else would complete it
            task.future.completeExceptionally(e);
        } catch (OutOfMemoryError e) {
            // a result too large for this JVM's heap: the task's failure, not the end of the reader thread
            task.future.completeExceptionally(new DecodingException("not enough memory in this JVM to decode the "
                    + "outcome of " + task + " from " + w, e));
        } catch (VirtualMachineError e) {
            // An InternalError that a readObject of the value threw, say: the codec lets these through (not to hide
            // a JVM in trouble), but here one ended the reader with the task off its worker's queue, so its future,
            // and those of the outcomes read with it, were never completed. The frame was read whole: read on.
            LOG.log(Level.WARNING, "decoding the outcome of " + task + " failed", e);
            task.future.completeExceptionally(new DecodingException("cannot decode the outcome of " + task + ": " + e,
                    e));
        }
    }

    /**
     * The results of a chunk: one per item, or the outcome is malformed. Taken as they came, fewer would be lost
     * (imap yields what the list holds) or fail map's list where they are missing, and more would be results of no
     * item.
     */
    private static List<Object> chunkResults(TaskRecord task, ByteSource body) {
        List<Object> results = ListCodec.read(body);
        int items = ListCodec.length(task.argument);
        if (results.size() != items) {
            throw new MalformedDataException("a chunk of " + items + " items answered with " + results.size()
                    + " results");
        }
        return results;
    }

    /** The borrowing caller reads the worker's outcomes until its own task is done, then hands back. */
    void readUntilDone(Worker w, TaskRecord task) throws InterruptedException {
        boolean ended = false;
        boolean interrupted = false;
        ProcessEngine wasReader = ProcessEngine.READER.get();
        ProcessEngine.READER.set(engine);
        try {
            while (!task.future.isDone()) {
                if (!readOnce(w)) {
                    ended = true;
                    break;
                }
            }
        } catch (ClosedByInterruptException e) {
            // interrupted while blocked in the read: the JDK closed the connection, so the worker is lost
            ended = true;
            interrupted = true;
        } catch (ProtocolException e) {
            unreadableFrame(w, e);
            ended = true;
        } catch (IOException | MalformedDataException e) {
            LOG.log(Level.DEBUG, "connection to {0} ended: {1}", w, e.getMessage());
            ended = true;
        } catch (NoRoomForOutcome e) {
            tooLargeToReceive(w, e.getCause());
            ended = true;
        } finally {
            ProcessEngine.READER.set(wasReader);
            engine.lock.lock();
            try {
                w.borrowed = false;
                if (!w.inFlight.isEmpty() || w.exited) {
                    w.readable.signal(); // tasks queued behind ours, or the end to read: the reader takes over
                } else {
                    engine.reclaim.armLocked(); // idle again
                }
            } finally {
                engine.lock.unlock();
            }
        }
        if (interrupted) {
            Thread.interrupted();
            task.future.cancel(false);
        }
        if (ended) {
            if (interrupted) {
                // Its connection is closed, so the worker is lost; it reads nothing while a task runs, and would
                // run ours on (for up to workerExited's wait) for nobody.
                w.child.killTree();
            }
            engine.turnover.workerExited(w);
        }
        if (interrupted) {
            throw new InterruptedException();
        }
    }
}
