package io.github.multiprocessing4j.async;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link Coroutines#map}: a task per item, gated by a semaphore of {@code maxConcurrency} permits. The
 * owner takes a permit before it pulls the next item and spawns its task; the task gives the permit back
 * when it is done. So at most {@code maxConcurrency} calls of the function run at any moment, the input is
 * read only as fast as calls finish (a lazy or endless {@code Iterable} is never run ahead), and no more
 * than {@code maxConcurrency} threads wait on the semaphore: only the owner does.
 *
 * <p>The permit goes back exactly once: from the task's own thread when the function returns (so the owner,
 * blocked in {@code acquire}, lets the task threads run), or else from its completion listener: for a task
 * cancelled before its thread got to the function (without that, a failure that cancelled such a task left
 * the owner waiting for its permit forever), and for a function that threw. The listener runs only once the
 * group has heard of the failure, so the owner, woken by that permit, finds the group cancelled and reads no
 * further item.
 *
 * <p>An owner that is reading the input when a call fails is not waiting for a permit: it may be blocked in
 * {@code hasNext()} or {@code next()} of an input that yields nothing more for a long while. The failed
 * task's listener then interrupts it ({@link OwnerRead}), as Python's TaskGroup cancels its parent task
 * when a child fails, so that the owner stops reading and map ends at once. The owner takes that interrupt
 * back when the read returns, drops what it read, and keeps what the input threw as a suppressed exception
 * of the group's. Rejected: reading the input on a thread of its own (as the pools' imap does): when map
 * ends, that thread would still be in the input, which either outlives map (no thread may) or must be
 * waited for, which is where this started.
 */
final class BoundedMap {
    private BoundedMap() {
    }

    static <T, R> List<R> map(TaskFunction<? super T, ? extends R> fn, Iterable<? extends T> items, int maxConcurrency)
            throws InterruptedException {
        Semaphore permits = new Semaphore(maxConcurrency);
        TaskGroupImpl group = TaskGroupImpl.open(true, null);
        OwnerRead reading = new OwnerRead(Thread.currentThread());
        List<Task<R>> tasks = new ArrayList<>();
        Throwable readCutShort = null; // what the input threw at the interrupt of a failure
        try {
            Iterator<? extends T> it = items.iterator();
            for (;;) {
                permits.acquire(); // before pulling the item, so that no item waits for a permit in our hands
                if (group.isCancelled()) {
                    break;
                }
                boolean more;
                T item = null;
                reading.begin();
                try {
                    // Checked after begin(): a failure that came before it is seen here; one that comes later
                    // interrupts the read (each side writes its flag, then reads the other's).
                    more = !group.isCancelled() && it.hasNext();
                    if (more) {
                        item = it.next();
                    }
                } catch (Throwable e) {
                    if (reading.end()) {
                        throw e; // the input failed
                    }
                    readCutShort = e;
                    break;
                }
                if (!reading.end() || !more) {
                    break; // a call failed while the input was read: what was read is dropped
                }
                AtomicBoolean released = new AtomicBoolean();
                Runnable releaseOnce = () -> {
                    if (released.compareAndSet(false, true)) {
                        permits.release();
                    }
                };
                T arg = item;
                TaskImpl<R> task = group.trySpawn(() -> {
                    R result = fn.apply(arg);
                    releaseOnce.run();
                    return result;
                });
                if (task == null) {
                    break;
                }
                // for a function that threw, or a task cancelled before it ran it
                task.whenDone(() -> {
                    releaseOnce.run();
                    if (task.state() == Task.State.FAILED) {
                        reading.interrupt();
                    }
                });
                tasks.add(task);
            }
        } catch (Throwable e) {
            // Interrupted in acquire, or the Iterable failed: stop the tasks, wait for them, rethrow.
            group.cancel();
            Coroutines.closeAfter(group, e);
            throw e;
        }
        try {
            group.closeInterruptibly(true);
        } catch (Throwable e) {
            if (readCutShort != null && readCutShort != e) {
                e.addSuppressed(readCutShort);
            }
            throw e;
        }
        List<R> results = new ArrayList<>(tasks.size());
        for (Task<R> t : tasks) {
            results.add(t.resultNow());
        }
        return Collections.unmodifiableList(results);
    }

    /**
     * Whether the owner is reading the input, so that a failure may interrupt it; the interrupt reaches the
     * owner only between {@link #begin} and {@link #end}, and {@code end} takes it back.
     *
     * <pre>
     * IDLE --begin--> READING --end--> IDLE
     *                 READING --interrupt--> INTERRUPTING --(owner interrupted)--> INTERRUPTED
     * </pre>
     * {@code end} that finds INTERRUPTING waits for INTERRUPTED (a moment) before it clears the interrupt
     * status, so that no interrupt of ours lands after it. INTERRUPTED is final: the owner reads no more.
     */
    private static final class OwnerRead {
        private static final int IDLE = 0;
        private static final int READING = 1;
        private static final int INTERRUPTING = 2;
        private static final int INTERRUPTED = 3;

        private final Thread owner;
        private final AtomicInteger state = new AtomicInteger(IDLE);

        OwnerRead(Thread owner) {
            this.owner = owner;
        }

        void begin() {
            state.set(READING);
        }

        /** Returns true if the read ended as usual; false if a failure interrupted it (interrupt cleared). */
        boolean end() {
            if (state.compareAndSet(READING, IDLE)) {
                return true;
            }
            while (state.get() != INTERRUPTED) {
                LockSupport.parkNanos(this, 100_000L);
            }
            Thread.interrupted(); // ours, pending or re-set by the input after it took it
            return false;
        }

        /** Called by a failed task's listener: interrupts the owner if it is reading. */
        void interrupt() {
            if (state.compareAndSet(READING, INTERRUPTING)) {
                try {
                    owner.interrupt();
                } finally {
                    state.set(INTERRUPTED);
                }
            }
        }
    }
}
