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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@link ResultIterator} of {@code imap} and {@code imapUnordered}: reads the input only as far as
 * {@code window} tasks ahead of the consumer, so at most {@code window * chunkSize} arguments and their
 * results are in memory at once, however long the input.
 */
final class ImapIterator<T, R> implements ResultIterator<R> {
    private final PoolEngine engine;
    private final PoolEngine.Definition function;
    private final Iterator<T> input;
    private final int chunkSize;
    private final boolean ordered;
    private final int window;
    /** Submitted tasks, oldest first (ordered mode), or not yet taken (unordered mode). */
    private final ArrayDeque<TaskFuture<Object>> submitted = new ArrayDeque<>();
    /** Completed tasks in completion order (unordered mode). */
    private final BlockingQueue<TaskFuture<Object>> completed = new LinkedBlockingQueue<>();
    private Iterator<Object> current = Collections.emptyIterator();
    private boolean closed;

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

    private void fill() {
        while (!closed && submitted.size() < window && input.hasNext()) {
            TaskFuture<Object> task;
            if (chunkSize == 1) {
                task = engine.call(function, CallMode.APPLY, input.next());
            } else {
                List<T> chunk = new ArrayList<>(chunkSize);
                while (chunk.size() < chunkSize && input.hasNext()) {
                    chunk.add(input.next());
                }
                task = engine.call(function, CallMode.CHUNK, chunk);
            }
            submitted.addLast(task);
            if (!ordered) {
                task.whenComplete((v, e) -> completed.add(task));
            }
        }
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
        if (submitted.isEmpty()) {
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
        TaskFuture<Object> task = take(timeout);
        submitted.remove(task);
        fill();
        Object outcome;
        try {
            outcome = task.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof ChunkFailedException c ? c.getCause() : e.getCause();
            throw new CompletionException(cause);
        } catch (InterruptedException e) {
            throw new AssertionError("the task was complete", e);
        }
        if (chunkSize == 1) {
            return (R) outcome;
        }
        current = ((List<Object>) outcome).iterator();
        if (!current.hasNext()) {
            return next(timeout);
        }
        return (R) current.next();
    }

    /** The next task to report: the oldest (ordered) or the first to complete (unordered), once complete. */
    private TaskFuture<Object> take(Duration timeout) throws TimeoutException {
        try {
            if (ordered) {
                TaskFuture<Object> head = submitted.peekFirst();
                if (timeout == null) {
                    head.get(); // not join(): the wait must end when the caller is interrupted
                } else {
                    head.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
                }
                return head;
            }
            TaskFuture<Object> done = timeout == null ? completed.take()
                    : completed.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            if (done == null) {
                throw new TimeoutException("no result within " + timeout);
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException | CompletionException | java.util.concurrent.CancellationException e) {
            return submitted.peekFirst(); // complete, exceptionally: next() reports it
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TaskFuture<Object> task : submitted) {
            task.cancel(false);
        }
        submitted.clear();
        completed.clear();
        function.close();
    }
}
