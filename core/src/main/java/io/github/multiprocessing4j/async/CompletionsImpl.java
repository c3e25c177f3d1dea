package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.Collection;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Each task's completion listener puts it on a queue; {@code next} takes from the queue. */
final class CompletionsImpl<T> implements Completions<T> {
    private final LinkedBlockingQueue<Task<T>> completed = new LinkedBlockingQueue<>();
    /** Tasks not handed out yet, counting those a caller of next() is waiting for. */
    private final AtomicInteger remaining;

    CompletionsImpl(Collection<? extends Task<T>> tasks) {
        remaining = new AtomicInteger(tasks.size());
        for (Task<T> t : tasks) {
            ((TaskImpl<T>) t).whenDone(() -> completed.add(t));
        }
    }

    @Override
    public boolean hasNext() {
        return remaining.get() > 0;
    }

    @Override
    public Task<T> next() throws InterruptedException {
        claim();
        try {
            return completed.take();
        } catch (InterruptedException e) {
            remaining.incrementAndGet();
            throw e;
        }
    }

    @Override
    public Task<T> next(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        claim();
        Task<T> t;
        try {
            t = completed.poll(Math.max(0, Deadline.saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            remaining.incrementAndGet();
            throw e;
        }
        if (t == null) {
            int left = remaining.incrementAndGet();
            throw new TimeoutException("no task completed within " + timeout + "; " + left + " not handed out yet");
        }
        return t;
    }

    private void claim() {
        if (remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) == 0) {
            throw new NoSuchElementException("every task has been handed out");
        }
    }
}
