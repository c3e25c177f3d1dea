package io.github.multiprocessing4j.async;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.LockSupport;

/**
 * A task of a group. {@link FutureTask} already has the exact {@code Future} semantics (cancellation that
 * interrupts the runner, {@code state()}, {@code resultNow()}); this adds the group's bookkeeping: a place
 * in the group's list of live tasks, the failure report, and completion listeners for
 * {@link Coroutines#asCompleted} and {@link Coroutines#await} (await removes its own when it returns; those
 * of a Completions that was dropped are dropped as the task gets a new listener, see
 * {@link DroppableListener}).
 *
 * <p>Size matters here (the benchmark holds a million): 56 bytes with compressed oops.
 */
final class TaskImpl<T> extends FutureTask<T> implements Task<T>, Thread.UncaughtExceptionHandler {
    private static final VarHandle LISTENERS;
    private static final VarHandle THREAD;
    private static final VarHandle ENDING;

    static {
        try {
            LISTENERS = MethodHandles.lookup().findVarHandle(TaskImpl.class, "listeners", Runnable[].class);
            THREAD = MethodHandles.lookup().findVarHandle(TaskImpl.class, "thread", Thread.class);
            ENDING = MethodHandles.lookup().findVarHandle(TaskImpl.class, "ending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Values of {@link #ending}: who ends the task other than by a value; see setException and cancel. */
    private static final int OPEN = 0;
    private static final int FAILING = 1;
    private static final int CANCELLING = 2;
    private static final int CANCEL_RETURNED = 3;
    /** A cancel without an interrupt ({@code cancel(false)}) has returned; see interruptIfCancelledQuietly. */
    private static final int CANCEL_RETURNED_QUIETLY = 4;

    /**
     * A listener that may become useless before the task is done (its {@link Completions} was dropped);
     * {@link #whenDone} drops such listeners as it adds one, so that they do not pile up on a long-running
     * task.
     */
    interface DroppableListener extends Runnable {
        /** Whether running this listener would do nothing, now and ever after. */
        boolean isStale();
    }

    /** Marks a task whose listeners have run: a listener added later runs at once. */
    private static final Runnable[] COMPLETED = {};

    private final TaskGroupImpl group;
    /** The group's list of live tasks; accessed only under the group's lock. */
    TaskImpl<?> prev;
    TaskImpl<?> next;
    /** Listeners, copied on write (there are rarely more than one); null for none, COMPLETED once done. */
    private volatile Runnable[] listeners;
    /** The thread running the task, while it runs: a cancel reaches the groups that thread owns. */
    private volatile Thread thread;
    /**
     * OPEN until the callable throws (FAILING) or a cancel comes (CANCELLING, then CANCEL_RETURNED once that
     * cancel has interrupted the task and cancelled its groups, or CANCEL_RETURNED_QUIETLY after a cancel
     * without an interrupt, until the group's cancellation interrupts the task after all); set once, by CAS,
     * out of OPEN. FutureTask
     * decides between a failure and a cancel only as it completes, after the group has heard of the failure;
     * this decides before, so that the group never counts as failed a task that ends cancelled.
     */
    private volatile int ending;

    TaskImpl(TaskGroupImpl group, Callable<T> callable) {
        super(callable);
        this.group = group;
    }

    @Override
    public void run() {
        Thread current = Thread.currentThread();
        // Claimed once: a second run() through the Runnable face (which FutureTask ignores) changes nothing.
        boolean runsIt = !isDone() && THREAD.compareAndSet(this, null, current);
        TaskGroupImpl ownedBefore = runsIt ? TaskGroupImpl.innermostOwnedBy(current) : null;
        try {
            super.run();
        } finally {
            if (runsIt) {
                thread = null;
                TaskGroupImpl.restoreGroupsOwnedBy(current, ownedBefore);
            }
            // Not while another run() is still in the callable: the group would count the task as ended, and
            // close() could return before it. That run reports the end itself (taskEnded counts only once).
            if (runsIt || thread == null) {
                group.taskEnded(this);
            }
        }
    }

    /**
     * {@inheritDoc} With an interrupt, also cancels the groups that the task has open (it owns them): their
     * tasks are its work too, and it would otherwise wait for them in their {@code close()}.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (!ENDING.compareAndSet(this, OPEN, CANCELLING)) {
            // Failing (its group is hearing of the failure), or another cancel came first. As FutureTask's, a
            // cancel returns once the task is done: moments later. Not on the failing thread itself, which
            // would wait for itself (only the library's completion listeners run there, never the caller's).
            if (ending != FAILING || thread != Thread.currentThread()) {
                awaitDone();
            }
            return false;
        }
        boolean cancelled = false;
        try {
            if (!super.cancel(mayInterruptIfRunning)) {
                return false; // it returned a value
            }
            cancelled = true;
            Thread running = thread;
            if (mayInterruptIfRunning && running != null) {
                TaskGroupImpl.cancelGroupsOwnedBy(running);
            }
            return true;
        } finally {
            ending = mayInterruptIfRunning ? CANCEL_RETURNED : CANCEL_RETURNED_QUIETLY;
            // A cancellation of the group that came while this cancel(false) ran (the task done, its listeners
            // running) found CANCELLING, not the mark just set, and left the callable running: it is
            // interrupted now. Each side writes its own flag, then reads the other's, so one of them sees the
            // other; interruptIfCancelledQuietly acts once.
            if (cancelled && !mayInterruptIfRunning && group.isCancelled()) {
                interruptIfCancelledQuietly();
            }
        }
    }

    /**
     * Called as the task's group is cancelled, when {@code cancel(true)} found the task cancelled already: if
     * that was a {@code cancel(false)} (nothing interrupted the task) and the callable still runs, interrupts
     * it now and cancels the groups it owns, as the group's cancellation does to every running task. Without
     * this, {@code close()} waited for a thread that nothing would stop, deadline or not. Once only, and never
     * for a task that a cancel interrupted already: a task that took that interrupt may be cleaning up. A
     * {@code cancel(false)} still at work when the group is cancelled (the task done, its completion listeners
     * running) is found CANCELLING here, and calls this itself as it returns (see cancel).
     */
    void interruptIfCancelledQuietly() {
        Thread running = thread;
        if (running == null || !ENDING.compareAndSet(this, CANCEL_RETURNED_QUIETLY, CANCELLING)) {
            return;
        }
        try {
            running.interrupt();
            TaskGroupImpl.cancelGroupsOwnedBy(running);
        } finally {
            ending = CANCEL_RETURNED;
        }
    }

    /**
     * Called by the task's own thread, {@code self}, as it opens a group after the task was cancelled:
     * returns once the interrupt of that cancellation is pending on {@code self}, or once the cancel has
     * returned (interrupt delivered, groups cancelled). Until one of these, a group opened now could not
     * tell whether the interrupt is still to come (the group must be cancelled) or was taken already (a
     * clean-up group, which the cancel, going on, must not reach). Short: as short as the rest of the
     * cancel, which never blocks, as {@code FutureTask.run} waits for a cancel's interrupt.
     */
    void awaitCancelDelivered(Thread self) {
        while (ending < CANCEL_RETURNED && !self.isInterrupted()) {
            LockSupport.parkNanos(this, 100_000L);
        }
    }

    /**
     * As the JDK reports without a handler, through the thread group. A task is its thread's handler only so
     * that the groups its thread opens can find it (FutureTask catches what the callable throws, so this
     * runs only for a failure in the library's own bookkeeping).
     */
    @Override
    public void uncaughtException(Thread thread, Throwable failure) {
        thread.getThreadGroup().uncaughtException(thread, failure);
    }

    /**
     * The callable threw. The group hears of it first: FutureTask wakes the callers of {@code get()} as
     * soon as the failure is set, and one that sees it and spawns again must find the group cancelled.
     * What a task throws after it was cancelled (it unwinds from the interrupt) is not a failure; nor is
     * what it throws as a cancel comes, which the cancel wins or loses here, before the group hears of it.
     */
    @Override
    protected void setException(Throwable failure) {
        if (!ENDING.compareAndSet(this, OPEN, FAILING)) {
            // A cancel came first and is making the task done; wait for it, as FutureTask.run waits for a
            // cancel's interrupt: the group must not hear that the task ended before it is done.
            awaitDone();
            super.setException(failure); // no effect: it is cancelled
            return;
        }
        try {
            group.taskFailed(failure, this); // no cancel can succeed from here on
        } finally {
            super.setException(failure); // even if the bookkeeping failed (an Error): a cancel waits for it
        }
    }

    /** Waits until whoever won the task's end (a cancel, a failure) has made it done: a moment. */
    private void awaitDone() {
        while (!isDone()) {
            LockSupport.parkNanos(this, 100_000L);
        }
    }

    /** Called once, by whichever thread completes the task: the task itself, or a canceller. */
    @Override
    protected void done() {
        Runnable[] ls = (Runnable[]) LISTENERS.getAndSet(this, COMPLETED);
        if (ls != null) {
            for (Runnable l : ls) {
                l.run();
            }
        }
    }

    /**
     * Runs {@code listener} once this task is done ({@link #isDone()}); at once, in this thread, if it is
     * already. It runs on the completing thread and must be short: it is library code, never the user's.
     */
    void whenDone(Runnable listener) {
        for (;;) {
            Runnable[] old = listeners;
            // isDone() turns true before done() runs the listeners: FutureTask wakes the callers of get()
            // first. A task that a caller has seen done must count as done here too, so the listener runs
            // now; it is not added, so done() cannot run it a second time.
            if (old == COMPLETED || isDone()) {
                listener.run();
                return;
            }
            Runnable[] updated = old == null ? new Runnable[] {listener} : append(withoutStale(old), listener);
            if (LISTENERS.compareAndSet(this, old, updated)) {
                return;
            }
        }
    }

    /** Forgets {@code listener} (by identity) if it has not run. */
    void removeListener(Runnable listener) {
        for (;;) {
            Runnable[] old = listeners;
            if (old == null || old == COMPLETED) {
                return;
            }
            int i = 0;
            while (i < old.length && old[i] != listener) {
                i++;
            }
            if (i == old.length) {
                return;
            }
            Runnable[] updated = null;
            if (old.length > 1) {
                updated = new Runnable[old.length - 1];
                System.arraycopy(old, 0, updated, 0, i);
                System.arraycopy(old, i + 1, updated, i, old.length - i - 1);
            }
            if (LISTENERS.compareAndSet(this, old, updated)) {
                return;
            }
        }
    }

    /** The listeners that have not run yet: for tests. */
    int listenerCount() {
        Runnable[] ls = listeners;
        return ls == null || ls == COMPLETED ? 0 : ls.length;
    }

    /** {@code ls} without the listeners that are {@linkplain DroppableListener#isStale() stale}. */
    private static Runnable[] withoutStale(Runnable[] ls) {
        Runnable[] kept = null;
        int n = 0;
        for (int i = 0; i < ls.length; i++) {
            if (ls[i] instanceof DroppableListener d && d.isStale()) {
                if (kept == null) {
                    kept = Arrays.copyOf(ls, ls.length);
                    n = i;
                }
            } else if (kept != null) {
                kept[n++] = ls[i];
            }
        }
        return kept == null ? ls : Arrays.copyOf(kept, n);
    }

    private static Runnable[] append(Runnable[] old, Runnable listener) {
        Runnable[] updated = Arrays.copyOf(old, old.length + 1);
        updated[old.length] = listener;
        return updated;
    }
}
