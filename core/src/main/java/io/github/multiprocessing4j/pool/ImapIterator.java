package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.CallMode;
import io.github.multiprocessing4j.internal.pool.ChunkFailedException;
import io.github.multiprocessing4j.internal.pool.PoolEngine;
import io.github.multiprocessing4j.internal.pool.TaskFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link ResultIterator} of {@code imap} and {@code imapUnordered}: reads the input only as far as
 * {@code window} tasks ahead of the consumer, so at most {@code window * chunkSize} arguments and their
 * results are in memory at once, however long the input.
 *
 * <p>Reading the input and submitting tasks never throws to the consumer out of turn (Python's
 * {@code _guarded_task_generation}): when the input fails, or the pool rejects a task because it was shut
 * down, the failure is kept as the <em>end</em> of the sequence. The results of every task submitted before
 * it are still delivered, then the failure surfaces once, then {@link #hasNext()} is false. So the
 * constructor never throws either, and never leaves submitted tasks or the definition behind.
 */
final class ImapIterator<T, R> implements ResultIterator<R> {
    private final PoolEngine engine;
    private final PoolEngine.Definition function;
    private final Iterator<T> input;
    private final int chunkSize;
    private final boolean ordered;
    private final int window;
    /** Submitted tasks, oldest first (ordered mode), or not yet taken (unordered mode). */
    private final ArrayDeque<Slot> submitted = new ArrayDeque<>();
    /** Completed tasks in completion order (unordered mode). */
    private final BlockingQueue<Slot> completed = new LinkedBlockingQueue<>();
    private Iterator<Object> current = Collections.emptyIterator();
    /** How many elements have been read from the input. */
    private long read;
    /** The end of the sequence when the input or a submission failed; thrown once all before it is out. */
    private CompletionException lastFailure;
    /** No more input is read: it ended, or failed, or a submission was rejected. */
    private boolean inputDone;
    private boolean closed;

    /** One task: the chunk of {@code size} input elements starting at element {@code start}. */
    private record Slot(TaskFuture<Object> task, long start, int size) {
        String items() {
            return size == 1 ? "item " + start : "the chunk of items " + start + ".." + (start + size - 1);
        }
    }

    ImapIterator(PoolEngine engine, PoolEngine.Definition function, Iterator<T> input, int chunkSize,
                 boolean ordered, int window) {
        this.engine = engine;
        this.function = function;
        this.input = input;
        this.chunkSize = chunkSize;
        this.ordered = ordered;
        this.window = window;
        fill();
    }

    /** Reads the input and submits tasks until the window is full; never throws but a VM error. */
    private void fill() {
        while (!closed && !inputDone && submitted.size() < window) {
            List<T> chunk = new ArrayList<>(chunkSize);
            Throwable inputFailure = null;
            try {
                while (chunk.size() < chunkSize && input.hasNext()) {
                    chunk.add(input.next());
                }
            } catch (VirtualMachineError e) {
                close();
                throw e;
            } catch (Throwable e) {
                inputFailure = e;
            }
            long start = read;
            read += chunk.size();
            if (inputFailure != null || chunk.size() < chunkSize) {
                inputDone = true;
            }
            if (!chunk.isEmpty() && !submit(chunk, start)) {
                if (inputFailure != null) {
                    lastFailure.addSuppressed(inputFailure);
                }
                return;
            }
            if (inputFailure != null) {
                lastFailure = new CompletionException("the input failed after " + read + " elements: " + inputFailure,
                        inputFailure);
            }
        }
    }

    /** Submits one task; false (and the iteration ends with the reason) if the pool rejected it. */
    private boolean submit(List<T> chunk, long start) {
        TaskFuture<Object> task;
        try {
            task = chunkSize == 1 ? engine.call(function, CallMode.APPLY, chunk.getFirst())
                    : engine.call(function, CallMode.CHUNK, chunk);
        } catch (RejectedExecutionException e) {
            inputDone = true;
            String what = chunk.size() == 1 ? "item " + start : "the chunk starting at item " + start;
            lastFailure = new CompletionException("could not submit " + what + ": " + e, e);
            return false;
        } catch (RuntimeException e) {
            // this task cannot be sent (an argument that cannot be serialized): it alone fails, as in Python
            task = new TaskFuture<>();
            task.completeExceptionally(e);
        }
        Slot slot = new Slot(task, start, chunk.size());
        submitted.addLast(slot);
        if (!ordered) {
            slot.task().whenComplete((v, e) -> completed.add(slot));
        }
        return true;
    }

    @Override
    public boolean hasNext() {
        if (current.hasNext()) {
            return true;
        }
        if (closed) {
            return false;
        }
        fill();
        if (submitted.isEmpty() && lastFailure == null) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public R next() {
        try {
            return next(null);
        } catch (TimeoutException e) {
            throw new AssertionError("no timeout was given", e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public R next(Duration timeout) throws TimeoutException {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (current.hasNext()) {
            return (R) current.next();
        }
        if (submitted.isEmpty()) {
            CompletionException failure = lastFailure;
            lastFailure = null;
            close();
            throw failure;
        }
        Slot slot = take(timeout);
        submitted.remove(slot);
        fill(); // never throws: the outcome below is not lost
        Object outcome = outcome(slot);
        if (chunkSize == 1) {
            return (R) outcome;
        }
        current = ((List<Object>) outcome).iterator();
        if (!current.hasNext()) {
            return next(timeout);
        }
        return (R) current.next();
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
                            + failure, failure);
                }
            }
            throw new CompletionException(slot.items() + " failed: " + failure, failure);
        } catch (CancellationException e) {
            throw new CompletionException(slot.items() + " was cancelled: " + e, e);
        } catch (InterruptedException e) {
            throw new AssertionError("the task was complete", e);
        }
    }

    /** The next task to report: the oldest (ordered) or the first to complete (unordered), once complete. */
    private Slot take(Duration timeout) throws TimeoutException {
        try {
            if (ordered) {
                Slot head = submitted.peekFirst();
                try {
                    if (timeout == null) {
                        head.task().get(); // not join(): the wait must end when the caller is interrupted
                    } else {
                        head.task().get(Math.max(0, TimeUnit.NANOSECONDS.convert(timeout)), TimeUnit.NANOSECONDS);
                    }
                } catch (ExecutionException | CancellationException e) {
                    // complete, exceptionally: next() reports it
                }
                return head;
            }
            Slot done = completed.poll();
            if (done == null) {
                engine.refuseToWaitOnOwnReader(); // as TaskFuture.get() does for the ordered mode
                done = timeout == null ? completed.take()
                        : completed.poll(Math.max(0, TimeUnit.NANOSECONDS.convert(timeout)), TimeUnit.NANOSECONDS);
            }
            if (done == null) {
                throw new TimeoutException("no result within " + timeout);
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lastFailure = null;
        for (Slot slot : submitted) {
            slot.task().cancel(false);
        }
        submitted.clear();
        completed.clear();
        function.close();
    }
}
