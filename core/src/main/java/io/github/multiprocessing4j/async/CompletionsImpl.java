package io.github.multiprocessing4j.async;

import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Each task's completion listener puts its index on a queue; {@code next} takes from the queue.
 *
 * <p>A task is done ({@link Task#isDone()}, {@code get()} returns) a moment before its listeners run:
 * FutureTask wakes the callers of {@code get()} first. So a {@code next} that times out looks at the tasks
 * themselves before it gives up, and hands out one that is done though the queue has not heard of it yet.
 * Each task is handed out once all the same: whoever hands it out, from the queue or from that look, takes it
 * out of {@code tasks}, and an index whose slot is found empty later is skipped. Taking it out also lets go of
 * it: a Completions drained over a long stream of tasks kept every task it had handed out, and its value, for
 * as long as the Completions lived; Python's {@code as_completed} drops each future from its set as it hands
 * it out.
 *
 * <p>Callers of {@code next} do not claim a task as they start waiting: a caller that came while others
 * waited for the last tasks was told every task had been handed out, and a task that a waiter then gave up
 * (interrupt, timeout) was left to nobody. Whoever hands out the last task puts {@link #ALL_HANDED_OUT} on
 * the queue instead; a waiter that takes it puts it back, for the next one, and throws
 * NoSuchElementException.
 *
 * <p>The listeners hold this object weakly (one {@link WeakReference} shared by all of them), so that a
 * Completions dropped before its tasks are done, as a polling loop {@code asCompleted(tasks).next(timeout)}
 * drops one per turn, is not kept until they end (with its queue and its copy of the task list), and its
 * listeners, stale from then on, are dropped by the task as it gets its next listener. Python's
 * {@code as_completed} removes its done-callbacks when its timeout elapses; here a timed-out {@code next}
 * leaves the Completions usable, so its listeners stay while anyone can still call it. A thread waiting in
 * {@code next} holds it (see the reachability fences).
 */
final class CompletionsImpl<T> implements Completions<T> {
    /** On the queue once every task has been handed out; see the overview. */
    private static final Integer ALL_HANDED_OUT = -1;

    /** The tasks not handed out yet, by index; a task's slot is emptied as it is handed out. */
    private final AtomicReferenceArray<Task<T>> tasks;
    private final LinkedBlockingQueue<Integer> completed = new LinkedBlockingQueue<>();
    /** Tasks not handed out yet. */
    private final AtomicInteger remaining;

    CompletionsImpl(Collection<? extends Task<T>> tasks) {
        List<Task<T>> list = List.copyOf(tasks);
        this.tasks = new AtomicReferenceArray<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            this.tasks.set(i, list.get(i));
        }
        remaining = new AtomicInteger(list.size());
        WeakReference<CompletionsImpl<?>> self = new WeakReference<>(this);
        for (int i = 0; i < list.size(); i++) {
            ((TaskImpl<T>) list.get(i)).whenDone(new Listener(self, i));
        }
    }

    /** Tells the Completions, if it is still reachable, that the task at {@code index} is complete. */
    private record Listener(WeakReference<CompletionsImpl<?>> completions, int index)
            implements TaskImpl.DroppableListener {
        @Override
        public void run() {
            CompletionsImpl<?> c = completions.get();
            if (c != null) {
                c.completed.add(index);
            }
        }

        @Override
        public boolean isStale() {
            return completions.refersTo(null);
        }
    }

    @Override
    public boolean hasNext() {
        return remaining.get() > 0;
    }

    @Override
    public Task<T> next() throws InterruptedException {
        checkRemaining();
        try {
            for (;;) {
                Task<T> t = handOut(completed.take());
                if (t != null) {
                    return t;
                }
            }
        } finally {
            Reference.reachabilityFence(this); // the listeners reach the queue through this, held weakly
        }
    }

    @Override
    public Task<T> next(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long nanos = Math.max(0, Deadline.saturatedNanos(timeout));
        checkRemaining();
        long start = System.nanoTime();
        try {
            for (long left = nanos; ; left = nanos - (System.nanoTime() - start)) {
                Integer index = completed.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (index == null) {
                    break;
                }
                Task<T> t = handOut(index);
                if (t != null) {
                    return t;
                }
            }
        } finally {
            Reference.reachabilityFence(this); // as in next()
        }
        // Done, but its listener has not run yet (see the overview): it is complete all the same.
        for (int i = 0; i < tasks.length(); i++) {
            Task<T> pending = tasks.get(i);
            if (pending != null && pending.isDone()) {
                Task<T> t = handOut(i);
                if (t != null) {
                    return t;
                }
            }
        }
        throw new TimeoutException("no task completed within " + timeout + "; " + remaining.get()
                + " not handed out yet");
    }

    /**
     * The task at {@code index}, taken out of {@code tasks}; null if it was handed out already. For
     * {@link #ALL_HANDED_OUT}, puts it back for the next waiter and throws NoSuchElementException.
     */
    private Task<T> handOut(int index) {
        if (index == ALL_HANDED_OUT) {
            completed.add(ALL_HANDED_OUT);
            throw allHandedOut();
        }
        Task<T> t = tasks.getAndSet(index, null);
        if (t == null) {
            return null;
        }
        if (remaining.decrementAndGet() == 0) {
            completed.add(ALL_HANDED_OUT); // wakes the callers still waiting: there is nothing left for them
        }
        return t;
    }

    private void checkRemaining() {
        if (remaining.get() == 0) {
            throw allHandedOut();
        }
    }

    private static NoSuchElementException allHandedOut() {
        return new NoSuchElementException("every task has been handed out");
    }
}
