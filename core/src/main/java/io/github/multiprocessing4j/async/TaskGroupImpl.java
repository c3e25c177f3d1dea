package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one {@link TaskGroup}; also the engine under {@link Coroutines}' gather, map and timeout.
 *
 * <pre>
 * Overview
 *
 * Bookkeeping, all under `lock`: a doubly linked list of live tasks (threads that have not left
 * TaskImpl.run), threaded through the tasks themselves so that a million tasks cost no extra nodes; the
 * count of live tasks; why the group was cancelled first; the failures in order.
 *
 * States:  OPEN --close() sees live == 0--> CLOSED          (spawn throws from then on)
 *          `cancelled` goes null -> FAILURE | DEADLINE | EXPLICIT | INTERRUPT | OWNER once, in any state but
 *          CLOSED.
 *
 * Cancelling takes a snapshot of the live list under the lock and cancels each task outside it (an
 * interrupt per task, which must not run under our lock). A task spawned after the snapshot sees
 * `cancelled` and is refused, so no task escapes. close() waits for live == 0 AND for every cancelling pass
 * to have finished (`cancelPasses`), so the count of tasks the deadline cut short is final when it reports.
 *
 * Nested groups: a group whose owner is the thread of a task is listed in OWNED under that thread,
 * innermost first, until it closes or the task ends (a group never closed must not stay listed for good).
 * Cancelling a task with an interrupt (TaskImpl.cancel) also cancels the groups its thread owns (OWNER), as
 * cancelling a Python task cancels the TaskGroup it is in: otherwise an owner that leaves its block by the
 * interrupt would wait in close() for inner tasks that nobody stops. A group that a cancelled task opens
 * while the interrupt is still pending is cancelled as it opens, for the same reason. One that a cancelled
 * task opens after taking the interrupt (to clean up) runs as usual. A group that a cancelled task opens is
 * listed only once the interrupt is pending (it is then cancelled as it opens) or the cancel has returned: a
 * cancel still at work reads OWNED after its interrupt, and would cancel a clean-up group listed earlier.
 *
 * Why a lock and not a lock-free list: each task takes it twice (spawn, end), uncontended in the common
 * case; a million spawns spend well under 100 ms here. The lock is never held while calling user code or
 * interrupting a thread.
 * </pre>
 */
final class TaskGroupImpl implements TaskGroup {
    private static final AtomicLong IDS = new AtomicLong();

    private enum Cancel { FAILURE, DEADLINE, EXPLICIT, INTERRUPT, OWNER }

    /** The innermost open group of each task thread that owns one; see the overview. */
    private static final ConcurrentHashMap<Thread, TaskGroupImpl> OWNED = new ConcurrentHashMap<>();

    /**
     * Where deadlines fire: one platform thread, started at the first deadline that passes. Not a virtual
     * thread per deadline: a virtual thread needs a carrier, and tasks that compute (checking their
     * interrupt status) can hold every carrier, so the deadline that should stop them would never run.
     * Expiring is short, a snapshot and an interrupt per task, and never blocks. The thread lives for good,
     * so it inherits nothing of the thread that happens to start it (see CoroutineTimer's): the timer's, or an
     * owner whose deadline was due as it was set, with its group and priority.
     */
    private static final class Expiries {
        static final ExecutorService EXECUTOR = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), LibraryThreads.daemon("mp4j-taskgroup-deadlines")
                        .inheritInheritableThreadLocals(false).factory());
    }

    private final String name = "TaskGroup-" + IDS.incrementAndGet();
    private final Thread owner = Thread.currentThread();
    /**
     * One name for all threads of the group: the factory hands every thread the same String, at no cost. Each
     * thread's uncaught-exception handler is then set to its task (see {@link #taskOf}).
     */
    private final ThreadFactory threads = Thread.ofVirtual().name(name).factory();
    private final boolean failFast;
    private final Deadline deadline;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allEnded = lock.newCondition();

    // Accessed only under lock:
    private TaskImpl<?> head;
    private long live;
    private long spawned;
    private int cancelPasses;
    private long cut;
    private boolean closed;
    private Cancel cancelled;
    private final List<Throwable> failures = new ArrayList<>();
    private CoroutineTimer.Entry deadlineTimer;

    /** Mirrors {@code cancelled != null} for lock-free reads. */
    private volatile boolean cancelledFlag;
    /** Owner only: close() has run. */
    private boolean closeCalled;
    /** The group that the owner had open when it opened this one, or null; written by the owner only. */
    private volatile TaskGroupImpl enclosing;
    /** Whether open() put this group into OWNED; owner only. */
    private boolean listed;

    /**
     * @param failFast whether the first failure cancels the group (false for gatherSettled)
     * @param deadline when the group is cancelled, or null
     */
    private TaskGroupImpl(boolean failFast, Deadline deadline) {
        this.failFast = failFast;
        this.deadline = deadline;
    }

    /** Opens a group; a group with a deadline arms its timer here, after construction. */
    static TaskGroupImpl open(boolean failFast, Deadline deadline) {
        // The warm-up's wait comes out of the deadline's time: half of it at most, so that the tasks still have
        // the other half (a first timeout of 20 ms was not even started when the wait came first in full).
        JitWarmup.ensure(deadline == null ? Long.MAX_VALUE : deadline.remainingNanos() / 2);
        TaskGroupImpl group = new TaskGroupImpl(failFast, deadline);
        if (deadline != null) {
            group.armDeadline();
        }
        TaskImpl<?> task = taskOf(group.owner);
        if (task != null) {
            if (task.isCancelled()) {
                // Cancelled before this group opened. Its canceller may still be at work: it may not have
                // delivered the interrupt yet (the group must be cancelled), or it has, the task took it, and
                // this is a clean-up group, which the canceller, going on to the task's groups, must not find.
                // Listed only once the interrupt is pending or the canceller is done; the check below decides.
                task.awaitCancelDelivered(group.owner);
            }
            group.listed = true;
            // linked before it is published: a cancel that finds it must also find the groups around it
            OWNED.compute(group.owner, (thread, innermost) -> {
                group.enclosing = innermost;
                return group;
            });
            // The task was cancelled before it opened this group, so the cancel did not find it; the interrupt
            // is still pending, and a get() in the block would take it and leave the block, to wait in close()
            // for tasks nobody stops. Cancelled now, as Python's TaskGroup is by the CancelledError its block
            // meets. Published first, read second, as the cancel does the other way round: one of them sees
            // the other. Once the task has taken the interrupt (it is cleaning up), its groups run as usual.
            if (task.isCancelled() && group.owner.isInterrupted()) {
                group.cancel(Cancel.OWNER);
            }
        }
        return group;
    }

    /**
     * The task running on {@code thread}, or null for a thread that is no task's. A task is its thread's
     * uncaught-exception handler (a field every thread has anyway, where a marker costs a million tasks
     * nothing): only a task's thread can be reached by a task's cancel, so only its groups go into OWNED. A
     * task that replaces its thread's handler opts out: its later groups are not cancelled with it.
     */
    private static TaskImpl<?> taskOf(Thread thread) {
        return thread.getUncaughtExceptionHandler() instanceof TaskImpl<?> task ? task : null;
    }

    /**
     * Cancels every open group that {@code thread} owns, innermost first: the task running on it has been
     * cancelled with an interrupt.
     */
    static void cancelGroupsOwnedBy(Thread thread) {
        for (TaskGroupImpl g = OWNED.get(thread); g != null; g = g.enclosing) {
            g.cancel(Cancel.OWNER);
        }
    }

    /** Whether the task that owns this group was cancelled, and so the group (by the cascade of cancel). */
    boolean cancelledByOwner() {
        lock.lock();
        try {
            return cancelled == Cancel.OWNER;
        } finally {
            lock.unlock();
        }
    }

    /** The innermost open group that {@code thread} owns, or null. */
    static TaskGroupImpl innermostOwnedBy(Thread thread) {
        return OWNED.isEmpty() ? null : OWNED.get(thread);
    }

    /**
     * Called as a task ends on {@code thread}: puts back what the thread owned when the task began
     * ({@code before}, null for a task on a thread of its own), forgetting the groups the task opened,
     * closed or (by mistake) not.
     */
    static void restoreGroupsOwnedBy(Thread thread, TaskGroupImpl before) {
        if (before != null) {
            OWNED.put(thread, before);
        } else if (!OWNED.isEmpty()) {
            OWNED.remove(thread);
        }
    }

    /**
     * Owner only, not under the lock: takes this group out of its owner's list in OWNED (usually its head:
     * groups close innermost first).
     */
    private void leaveOwned() {
        if (!listed) {
            return;
        }
        OWNED.computeIfPresent(owner, (thread, innermost) -> {
            if (innermost == this) {
                return enclosing;
            }
            for (TaskGroupImpl g = innermost; g != null; g = g.enclosing) {
                if (g.enclosing == this) {
                    g.enclosing = enclosing;
                    break;
                }
            }
            return innermost;
        });
    }

    private void armDeadline() {
        long left = deadline.remainingNanos();
        lock.lock();
        try {
            if (left <= 0) {
                cancelled = Cancel.DEADLINE;
                cancelledFlag = true;
                return;
            }
        } finally {
            lock.unlock();
        }
        // The action runs on the timer thread, which must not block: cancelling may interrupt many tasks. Counted
        // from the deadline's own time, not from now: the first use of the timer starts it, which takes a while.
        CoroutineTimer.Entry entry = CoroutineTimer.get().schedule(deadline.nanoTime(), 0,
                () -> Expiries.EXECUTOR.execute(this::expire));
        lock.lock();
        try {
            deadlineTimer = entry;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> Task<T> spawn(Callable<? extends T> task) {
        return spawn(task, false);
    }

    /**
     * For {@link BoundedMap} and {@link Coroutines#timeout}: spawns, or returns null if the group is
     * cancelled. A refusal spawns nothing and counts for nothing: the "n of m tasks failed" of
     * {@link TaskGroupException} counts only the tasks that were started (map counted an item it read as a
     * failure came, whose task it never started).
     */
    <T> TaskImpl<T> trySpawn(Callable<? extends T> task) {
        return spawn(task, true);
    }

    private <T> TaskImpl<T> spawn(Callable<? extends T> task, boolean nullIfRefused) {
        Objects.requireNonNull(task, "task");
        @SuppressWarnings("unchecked") // a Callable<? extends T> is a Callable<T> for every caller of call()
        TaskImpl<T> t = new TaskImpl<>(this, (Callable<T>) task);
        boolean refused;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(name + " is closed: spawn() after close() returned");
            }
            refused = cancelled != null;
            if (refused && nullIfRefused) {
                return null;
            }
            spawned++;
            if (refused) {
                cut++;
            } else {
                link(t);
                live++;
            }
        } finally {
            lock.unlock();
        }
        if (refused) {
            t.cancel(false);
            return t;
        }
        try {
            Thread thread = threads.newThread(t);
            thread.setUncaughtExceptionHandler(t);
            thread.start();
        } catch (Throwable e) {
            t.cancel(false);
            taskEnded(t);
            throw e;
        }
        return t;
    }

    /** {@link TaskGroup#run(TaskGroup.Body)}: the body's exception cancels the group before it is closed. */
    static <R, X extends Exception> R run(TaskGroupImpl group, TaskGroup.Body<R, X> body) throws X {
        R result;
        try {
            result = body.run(group);
        } catch (Throwable failure) {
            group.cancel();
            try {
                group.close();
            } catch (Throwable closing) {
                // The body may have rethrown a task's own exception, which close()'s exception carries too (a
                // TaskGroupException as its cause; a CancellationException, when a task failed as the owner was
                // cancelled, as a suppressed one): attaching close()'s exception would make a cycle. The other
                // failures it carries are attached instead.
                Suppressed.attach(failure, closing, group.failures());
            }
            throw failure;
        }
        group.close();
        return result;
    }

    @Override
    public void cancel() {
        cancel(Cancel.EXPLICIT);
    }

    @Override
    public boolean isCancelled() {
        return cancelledFlag;
    }

    @Override
    public void close() {
        checkOwner();
        if (closeCalled) {
            return;
        }
        closeCalled = true;
        boolean interrupted = awaitAllEnded();
        leaveOwned();
        try {
            report();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Owner only: close() for the helpers in {@link Coroutines}, which throw InterruptedException. If
     * interrupted while waiting, cancels the group, waits for every task to end, and throws
     * InterruptedException (the interrupt status cleared, failures suppressed). So it does too when the
     * owner is a task that was cancelled and has not taken the interrupt yet: the group was cancelled as it
     * opened, or its tasks had ended before this waited.
     *
     * @param reportFailures whether to throw TaskGroupException / TaskGroupTimeoutException as close() does
     */
    void closeInterruptibly(boolean reportFailures) throws InterruptedException {
        checkOwner();
        if (closeCalled) {
            return;
        }
        closeCalled = true;
        boolean interrupted = awaitAllEnded();
        leaveOwned();
        if (interrupted || cancelledByOwner() && Thread.interrupted()) {
            throw interrupted();
        }
        if (reportFailures) {
            report();
        }
    }

    /** Called by each task's thread as its last act (and by spawn if the thread did not start). */
    void taskEnded(TaskImpl<?> t) {
        lock.lock();
        try {
            if (t.prev == null && head != t) {
                return; // not linked: a refused task that someone ran through its Runnable face, or a second run
            }
            unlink(t);
            live--;
            if (live == 0 && cancelPasses == 0) {
                allEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called once per failed task, by its own thread, before the failure becomes visible through the task's
     * {@code Future} (so that whoever sees it sees the group cancelled too). The failing task itself is not
     * cancelled: it is about to complete with its failure.
     */
    void taskFailed(Throwable failure, TaskImpl<?> failing) {
        List<TaskImpl<?>> toCancel;
        lock.lock();
        try {
            failures.add(failure);
            if (!failFast || cancelled != null) {
                return;
            }
            toCancel = cancelLocked(Cancel.FAILURE);
        } finally {
            lock.unlock();
        }
        toCancel.remove(failing);
        cancelEach(toCancel);
    }

    private void expire() {
        cancel(Cancel.DEADLINE);
    }

    private void cancel(Cancel reason) {
        List<TaskImpl<?>> toCancel;
        lock.lock();
        try {
            if (closed || cancelled != null) {
                return;
            }
            toCancel = cancelLocked(reason);
        } finally {
            lock.unlock();
        }
        cancelEach(toCancel);
    }

    /** Marks the group cancelled and snapshots the live tasks; the caller must pass them to cancelEach. */
    private List<TaskImpl<?>> cancelLocked(Cancel reason) {
        assert lock.isHeldByCurrentThread();
        cancelled = reason;
        cancelledFlag = true;
        cancelPasses++;
        List<TaskImpl<?>> snapshot = new ArrayList<>((int) Math.min(live, Integer.MAX_VALUE - 8));
        for (TaskImpl<?> t = head; t != null; t = t.next) {
            snapshot.add(t);
        }
        return snapshot;
    }

    private void cancelEach(List<TaskImpl<?>> tasks) {
        assert !lock.isHeldByCurrentThread();
        long n = 0;
        try {
            for (TaskImpl<?> t : tasks) {
                if (t.cancel(true)) {
                    n++;
                } else {
                    t.interruptIfCancelledQuietly(); // cancel(false) earlier, and its callable may still run
                }
            }
        } finally {
            lock.lock();
            try {
                cut += n;
                cancelPasses--;
                if (live == 0 && cancelPasses == 0) {
                    allEnded.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Waits until every task has ended and closes; returns whether the owner was interrupted meanwhile, with
     * the interrupt status cleared (an interrupt during awaitUninterruptibly sets it again): the caller
     * either sets it or throws InterruptedException.
     */
    private boolean awaitAllEnded() {
        boolean interrupted = false;
        for (;;) {
            List<TaskImpl<?>> toCancel = null;
            lock.lock();
            try {
                while ((live > 0 || cancelPasses > 0) && toCancel == null) {
                    if (interrupted) {
                        allEnded.awaitUninterruptibly();
                        continue;
                    }
                    try {
                        allEnded.await();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (cancelled == null) {
                            toCancel = cancelLocked(Cancel.INTERRUPT);
                        }
                    }
                }
                if (toCancel == null) {
                    if (interrupted) {
                        Thread.interrupted();
                    }
                    closed = true;
                    if (deadlineTimer != null) {
                        deadlineTimer.cancel();
                    }
                    return interrupted;
                }
            } finally {
                lock.unlock();
            }
            cancelEach(toCancel);
        }
    }

    /** Throws what close() throws, once every task has ended. */
    private void report() {
        Summary o = summary();
        if (o.reason == Cancel.INTERRUPT) {
            CancellationException e = new CancellationException(name + ": the owner was interrupted in close(); "
                    + o.cut + (o.cut == 1 ? " task was" : " tasks were") + " cancelled, and all have ended");
            o.failures.forEach(e::addSuppressed);
            throw e;
        }
        if (o.reason == Cancel.OWNER) {
            CancellationException e = new CancellationException(name + ": the task that owns it was cancelled; "
                    + o.cut + (o.cut == 1 ? " task was" : " tasks were") + " cancelled, and all have ended");
            o.failures.forEach(e::addSuppressed);
            throw e;
        }
        if (o.reason == Cancel.DEADLINE && o.cut > 0) {
            throw new TaskGroupTimeoutException(name + ": " + deadline.description(), o.cut, o.failures);
        }
        if (!o.failures.isEmpty()) {
            throw TaskGroupException.of(o.failures, o.spawned);
        }
    }

    private InterruptedException interrupted() {
        Summary o = summary();
        InterruptedException e = new InterruptedException(name + ": interrupted while waiting for its tasks; "
                + o.cut + (o.cut == 1 ? " was" : " were") + " cancelled, and all have ended");
        o.failures.forEach(e::addSuppressed);
        return e;
    }

    /** The failures so far, in order. */
    List<Throwable> failures() {
        return summary().failures;
    }

    private record Summary(Cancel reason, List<Throwable> failures, long cut, long spawned) {
    }

    private Summary summary() {
        lock.lock();
        try {
            return new Summary(cancelled, List.copyOf(failures), cut, spawned);
        } finally {
            lock.unlock();
        }
    }

    private void checkOwner() {
        Thread current = Thread.currentThread();
        if (current != owner) {
            throw new WrongThreadException(name + " may be closed only by its owner " + owner + ", not by " + current);
        }
    }

    private void link(TaskImpl<?> t) {
        t.next = head;
        if (head != null) {
            head.prev = t;
        }
        head = t;
    }

    private void unlink(TaskImpl<?> t) {
        TaskImpl<?> p = t.prev;
        TaskImpl<?> n = t.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n != null) {
            n.prev = p;
        }
        t.prev = null;
        t.next = null;
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return name + "[" + (closed ? "closed" : "open") + (cancelled == null ? "" : ", cancelled: " + cancelled)
                    + ", live=" + live + ", spawned=" + spawned + ", failed=" + failures.size() + "]";
        } finally {
            lock.unlock();
        }
    }
}
