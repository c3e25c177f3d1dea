package io.github.multiprocessing4j.async;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Coroutines#await}: one listener per task counts completions; the listener that makes the
 * condition true opens a latch. The listeners are removed from the tasks still pending when the wait ends,
 * so that a caller waiting again and again on a shrinking set (the usual FIRST_COMPLETED loop) does not
 * pile up listeners.
 */
final class Await<T> {
    private final List<TaskImpl<T>> tasks;
    private final WaitMode mode;
    private final AtomicInteger done = new AtomicInteger();
    private final CountDownLatch satisfied = new CountDownLatch(1);
    private final Runnable[] listeners;

    private Await(Collection<? extends Task<T>> tasks, WaitMode mode) {
        this.tasks = new ArrayList<>(tasks.size());
        for (Task<T> t : tasks) {
            this.tasks.add((TaskImpl<T>) t);
        }
        this.mode = mode;
        this.listeners = new Runnable[this.tasks.size()];
    }

    /** @param timeoutNanos how long to wait; Long.MAX_VALUE for no limit, zero or negative to poll */
    static <T> WaitResult<T> await(Collection<? extends Task<T>> tasks, WaitMode mode, long timeoutNanos)
            throws InterruptedException {
        return new Await<>(tasks, mode).run(timeoutNanos);
    }

    private WaitResult<T> run(long timeoutNanos) throws InterruptedException {
        if (tasks.isEmpty()) {
            return new WaitResult<>(List.of(), List.of());
        }
        try {
            for (int i = 0; i < tasks.size(); i++) {
                TaskImpl<T> t = tasks.get(i);
                listeners[i] = () -> completed(t);
                t.whenDone(listeners[i]);
            }
            if (timeoutNanos == Long.MAX_VALUE) {
                satisfied.await();
            } else {
                // also for a zero timeout, which only looks: the latch throws on a pending interrupt, as every
                // wait here does
                satisfied.await(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
            }
        } finally {
            for (int i = 0; i < tasks.size() && listeners[i] != null; i++) {
                tasks.get(i).removeListener(listeners[i]);
            }
        }
        List<Task<T>> finished = new ArrayList<>();
        List<Task<T>> pending = new ArrayList<>();
        for (TaskImpl<T> t : tasks) {
            (t.isDone() ? finished : pending).add(t);
        }
        return new WaitResult<>(finished, pending);
    }

    private void completed(TaskImpl<T> t) {
        int n = done.incrementAndGet();
        boolean enough = switch (mode) {
            case FIRST_COMPLETED -> true;
            case FIRST_EXCEPTION -> t.state() == Task.State.FAILED || n == tasks.size();
            case ALL_COMPLETED -> n == tasks.size();
        };
        if (enough) {
            satisfied.countDown();
        }
    }
}
