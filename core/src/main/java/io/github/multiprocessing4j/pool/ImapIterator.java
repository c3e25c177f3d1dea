package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.codec.ThrowableCodec;
import io.github.multiprocessing4j.internal.pool.CallMode;
import io.github.multiprocessing4j.internal.pool.ChunkFailedException;
import io.github.multiprocessing4j.internal.pool.ChunkItemEncodingException;
import io.github.multiprocessing4j.internal.pool.PoolEngine;
import io.github.multiprocessing4j.internal.pool.TaskFuture;
import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SequencedCollection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link ResultIterator} of {@code imap} and {@code imapUnordered}: a background <em>feeder</em> (a thread of
 * the caller's kind, virtual or platform) reads the input and submits tasks, never more than {@code window} ahead of
 * the consumer, so at most {@code window * chunkSize} arguments and their results are in memory at once, however
 * long the input. The input is touched only by the feeder, so an input that blocks delays neither this iterator's
 * creation nor a result that is ready, and an input that waits for earlier results of this very iteration gets them
 * (as Python's {@code imap}, which reads the input on a thread of the pool).
 *
 * <p>Reading the input and submitting tasks never throws to the consumer out of turn (Python's
 * {@code _guarded_task_generation}): when the input fails, or the pool rejects a task because it was shut
 * down, the failure is kept as the <em>end</em> of the sequence. The results of every task submitted before
 * it are still delivered, then the failure surfaces once, then {@link #hasNext()} is false. Only a
 * {@link VirtualMachineError} of the input (or an {@link Error} of a submission) surfaces at once, from the
 * consumer's next {@code hasNext()}/{@code next()}, and closes the iterator.
 *
 * <p>The hand-off: {@link #submitted} holds the tasks submitted and not yet handed to the consumer, oldest
 * first; it, {@link #completed}, {@link #end} and the flags are guarded by {@link #lock}, which is never held
 * while the input is read or a task submitted. The feeder waits on {@link #changed} while {@code submitted}
 * holds {@code window} tasks (the window accounting: a slot is freed when the consumer takes its task); the
 * consumer waits on it until the task it must report is complete (each task's completion signals it), or the
 * feeder has finished and nothing is left. {@link #close()} waits only for a submission in progress (so no
 * task is submitted after it returns), then interrupts the feeder, which may be blocked in the input, and
 * does not wait for it.
 */
final class ImapIterator<T, R> implements ResultIterator<R> {
    private final PoolEngine engine;
    private final PoolEngine.Definition function;
    private final int chunkSize;
    private final boolean ordered;
    private final int window;
    private final Thread feeder;
    /** The most room a chunk's list sets aside before the input is read; it grows past that as needed. */
    private static final int MAX_INITIAL_CHUNK_CAPACITY = 1024;
    /** For tests: where the start of the feeder throws (a thread that cannot be made). */
    private static final FailureSeam FEEDER_START = new FailureSeam();
    /** What {@link #submit} returns when the iterator was closed before it: the feeder stops. */
    private static final CompletionException CLOSED = new CompletionException("closed", null);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /**
     * Submitted tasks not yet handed to the consumer, oldest first; its size is what the window counts, its
     * contents what {@link #close()} cancels. Ordered mode hands out the oldest, so a deque; unordered mode hands
     * out any, and must drop it without a scan of the window (up to 4096 tasks, per result), so a linked set.
     */
    private final SequencedCollection<Slot> submitted;
    /** Completed tasks not yet handed to the consumer, in completion order (unordered mode). */
    private final ArrayDeque<Slot> completed = new ArrayDeque<>();
    /** The end of the sequence when the input or a submission failed; thrown once all before it is out. */
    private CompletionException end;
    /** An error that surfaces at once. */
    private Error fatal;
    /** The feeder reads no more: the input ended, or failed, or a submission was rejected. */
    private boolean feederDone;
    /** The feeder is inside {@code engine.call}; {@link #close()} waits for it. */
    private boolean submitting;
    /**
     * Written under {@link #lock}; volatile as the consumer reads it without the lock before each result of its
     * current chunk: close() drops those too, as it drops every result not yet handed out.
     */
    private volatile boolean closed;
    /** The results of the last chunk not yet returned (consumer thread only). */
    private Iterator<Object> current = Collections.emptyIterator();

    /** One task: the chunk of {@code size} input elements starting at element {@code start}; no two are equal. */
    private record Slot(TaskFuture<Object> task, long start, int size) {
        String items() {
            return size == 1 ? "item " + start : "the chunk of items " + start + ".." + (start + size - 1);
        }
    }

    ImapIterator(PoolEngine engine, PoolEngine.Definition function, Iterator<? extends T> input, int chunkSize,
                 boolean ordered, int window) {
        this.engine = engine;
        this.function = function;
        this.chunkSize = chunkSize;
        this.ordered = ordered;
        this.window = window;
        this.submitted = ordered ? new ArrayDeque<>() : new LinkedHashSet<>();
        // It works for the caller, as long as the iteration: it inherits the caller's inheritable thread-locals and
        // context class loader, which the input may need, and hands them on to the threads it starts for the tasks
        // as the caller would (a pool with shared threads gives those the loader only: see ThreadEngine). A thread of
        // the caller's kind: a virtual one for a virtual caller (which needs a carrier anyway), a platform one for a
        // platform caller, whose iteration must not wait for a carrier while CPU-bound virtual threads of this JVM,
        // as many as the carriers, hold them all (the scheduler never preempts). The platform one in the library's
        // group, as no virtual thread is in the program's: a program's ThreadGroup.interrupt() must not reach the
        // input's wait (a queue's), which would end the iteration with a failure of the input.
        Thread.Builder builder = Thread.currentThread().isVirtual() ? Thread.ofVirtual()
                : LibraryThreads.daemon("mp4j-imap-feeder");
        try {
            FEEDER_START.check();
            this.feeder = builder.name("mp4j-imap-feeder").start(() -> feed(input));
        } catch (Throwable e) { // OutOfMemoryError: unable to create native thread, say
            function.close(); // ours from the call on: no one else will release it on the workers
            throw e;
        }
    }

    /** For tests: makes the next {@code times} feeder starts throw {@code failure} (null: none). */
    static void failFeederStarts(Error failure, int times) {
        FEEDER_START.arm(failure, 0, times, null);
    }

    // ------------------------------------------------------------------------------------------- feeder

    /** The feeder's loop: reads a chunk when the window has room, submits it; ends with the input. */
    private void feed(Iterator<? extends T> input) {
        long read = 0;
        CompletionException failure = null;
        try {
            while (awaitRoom()) {
                // chunkSize bounds the chunk, and may be far above what the input holds (Integer.MAX_VALUE, say)
                List<T> chunk = new ArrayList<>(Math.min(chunkSize, MAX_INITIAL_CHUNK_CAPACITY));
                Throwable inputFailure = null;
                try {
                    while (chunk.size() < chunkSize && input.hasNext()) {
                        chunk.add(input.next());
                    }
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    inputFailure = e;
                }
                long start = read;
                read += chunk.size();
                if (!chunk.isEmpty()) {
                    failure = submit(chunk, start);
                    if (failure == CLOSED) {
                        failure = null;
                        return;
                    }
                    if (failure != null) {
                        if (inputFailure != null) {
                            failure.addSuppressed(inputFailure);
                        }
                        return;
                    }
                }
                if (inputFailure != null) {
                    failure = new CompletionException("the input failed after " + read + " elements: "
                            + ThrowableCodec.describe(inputFailure), inputFailure);
                    return;
                }
                if (chunk.size() < chunkSize) {
                    return;
                }
            }
        } catch (Error e) {
            lock.lock();
            try {
                fatal = e;
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                feederDone = true;
                end = closed ? null : failure;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until fewer than {@code window} tasks are out; false if the iterator was closed. */
    private boolean awaitRoom() {
        lock.lock();
        try {
            while (!closed && submitted.size() >= window) {
                changed.awaitUninterruptibly(); // close() signals
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    /** Submits one task unless closed ({@link #CLOSED}); the end of the sequence if the pool rejected it. */
    private CompletionException submit(List<T> chunk, long start) {
        lock.lock();
        try {
            if (closed) {
                return CLOSED;
            }
            submitting = true;
        } finally {
            lock.unlock();
        }
        TaskFuture<Object> task = null;
        Slot slot = null;
        try {
            task = chunkSize == 1 ? engine.call(function, CallMode.APPLY, chunk.getFirst())
                    : engine.call(function, CallMode.CHUNK, chunk);
        } catch (RejectedExecutionException e) {
            String what = chunk.size() == 1 ? "item " + start : "the chunk starting at item " + start;
            return new CompletionException("could not submit " + what + ": " + e, e);
        } catch (RuntimeException e) {
            // this task cannot be sent (an argument that cannot be serialized): it alone fails, as in Python
            task = new TaskFuture<>();
            task.completeExceptionally(e instanceof ChunkItemEncodingException item ? item.inInput(start) : e);
        } finally {
            lock.lock();
            try {
                submitting = false;
                if (task != null) {
                    slot = new Slot(task, start, chunk.size());
                    submitted.addLast(slot); // if close() is waiting, it cancels it
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        Slot done = slot;
        task.whenComplete((v, e) -> completed(done));
        return null;
    }

    /** A task's completion: it may be what the consumer waits for. */
    private void completed(Slot slot) {
        lock.lock();
        try {
            if (!closed && !ordered) {
                completed.addLast(slot);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ----------------------------------------------------------------------------------------- consumer

    @Override
    public boolean hasNext() {
        if (current.hasNext() && !closed) {
            return true;
        }
        lock.lock();
        try {
            while (!closed && fatal == null && submitted.isEmpty() && end == null && !feederDone) {
                changed.await(); // for the feeder
            }
            if (closed) {
                return false;
            }
            if (fatal != null || !submitted.isEmpty() || end != null) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } finally {
            lock.unlock();
        }
        close(); // everything is out
        return false;
    }

    @Override
    public R next() {
        try {
            return nextWithin(null);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout was given", e);
        }
    }

    @Override
    public R next(Duration timeout) throws TimeoutException {
        // as the library's other timed calls: a null is a mistake, not a request to wait for ever (that is next())
        Objects.requireNonNull(timeout, "timeout");
        return nextWithin(timeout);
    }

    /** {@link #next(Duration)}, or {@link #next()} when {@code timeout} is null. */
    @SuppressWarnings("unchecked")
    private R nextWithin(Duration timeout) throws TimeoutException {
        if (current.hasNext() && !closed) {
            return (R) current.next();
        }
        Slot slot = take(timeout);
        Object outcome = outcome(slot);
        if (chunkSize == 1) {
            return (R) outcome;
        }
        current = ((List<Object>) outcome).iterator();
        if (!current.hasNext()) {
            return nextWithin(timeout);
        }
        return (R) current.next();
    }

    /**
     * The next task to report, once complete: the oldest (ordered) or the first to complete (unordered); no
     * bound on the wait if {@code timeout} is null. At the end, throws the end's failure once (then
     * NoSuchElementException), closing the iterator.
     */
    private Slot take(Duration timeout) throws TimeoutException {
        long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(0, TimeUnit.NANOSECONDS.convert(timeout));
        RuntimeException last;
        Error error;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new NoSuchElementException();
                }
                if (fatal != null) {
                    error = fatal;
                    last = null;
                    break;
                }
                Slot ready = ordered ? (submitted.isEmpty() || !submitted.getFirst().task().isDone() ? null
                        : submitted.removeFirst()) : completed.pollFirst();
                if (ready != null) {
                    if (!ordered) {
                        submitted.remove(ready);
                    }
                    changed.signalAll(); // room for the feeder
                    return ready;
                }
                if (submitted.isEmpty() && feederDone) {
                    error = null;
                    last = end != null ? end : new NoSuchElementException();
                    end = null;
                    break;
                }
                engine.refuseToWaitOnOwnReader(); // as TaskFuture.get() does
                if (timeout == null) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new TimeoutException("no result within " + timeout);
                    }
                    changed.awaitNanos(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } finally {
            lock.unlock();
        }
        close();
        if (error != null) {
            throw error;
        }
        throw last;
    }

    /** The task's result, or its failure as a CompletionException naming the input element. */
    private static Object outcome(Slot slot) {
        try {
            return slot.task().get();
        } catch (ExecutionException e) {
            Throwable failure = e.getCause();
            if (failure instanceof ChunkFailedException chunk) {
                failure = chunk.getCause();
                if (chunk.indexInChunk() >= 0) {
                    throw new CompletionException("item " + (slot.start() + chunk.indexInChunk()) + " failed: "
                            + ThrowableCodec.describe(failure), failure);
                }
            }
            throw new CompletionException(slot.items() + " failed: " + ThrowableCodec.describe(failure), failure);
        } catch (CancellationException e) {
            throw new CompletionException(slot.items() + " was cancelled: " + e, e);
        } catch (InterruptedException e) {
            throw new AssertionError("the task was complete", e);
        }
    }

    @Override
    public void close() {
        List<Slot> cancel;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            changed.signalAll();
            while (submitting) {
                changed.awaitUninterruptibly(); // engine.call is short; after it nothing more is submitted
            }
            end = null;
            fatal = null;
            cancel = new ArrayList<>(submitted);
            submitted.clear();
            completed.clear();
            if (!feederDone && Thread.currentThread() != feeder) {
                feeder.interrupt(); // it may be blocked in the input; it submits nothing more
            }
        } finally {
            lock.unlock();
        }
        for (Slot slot : cancel) {
            slot.task().cancel(false);
        }
        function.close();
    }
}
