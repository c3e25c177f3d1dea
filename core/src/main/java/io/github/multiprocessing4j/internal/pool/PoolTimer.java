package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.seam.FailureSeam;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread that fires a pool's task timeouts (and, in a process pool, the check that a task
 * cancelled with interrupt while queued on a worker did not start there, the kill of a worker that does not exit
 * after its STOP, the taking back of tasks queued behind a long one, and the retry of a replacement that failed to
 * start). Cancelled timeouts are removed at once, so a pool that runs millions of short tasks does not accumulate
 * them.
 *
 * <p>A process pool's timer ({@link #startedNow()}) makes its thread when the pool is built and keeps it until the
 * pool terminates: the pool schedules with its lock held, often after it changed its state (a STOP posted, a task
 * sent), and a thread that cannot be made there (OutOfMemoryError: the thread limit) would leave that state half
 * changed. A thread pool's timer ({@link #onFirstUse()}) makes its thread on first use and ends it after a few idle
 * seconds: it schedules a task's timeout with no lock held, on the task's own thread, and a failure fails that
 * task only.
 *
 * <p>A timeout that fires runs on another thread, not on the timer's thread: it completes the
 * task's future, whose plain callbacks run right there, and one that waits (for the pool to close, for
 * another of its tasks) would otherwise hold up every later timeout, such as the one of the task it waits for.
 * Only when that thread cannot be made does it run on the timer's thread, rather than never. It is a
 * platform thread, not a virtual one: this JVM's virtual threads may hold every carrier of the
 * virtual-thread scheduler (CPU-bound tasks of a {@code VirtualThreadPool}, which it never preempts), and a
 * virtual thread would wait for them to end, and the timeout, the kill of a hung worker with it.
 *
 * <p>These threads, the timer's and those that run its actions, are in the library's group ({@link LibraryThreads}),
 * not in that of the thread that first scheduled (a request's, say): the actions' threads are shared by every pool of
 * the JVM, and a program's {@code ThreadGroup.interrupt()} of that group reached the callbacks of a task that timed
 * out. For the same reason they run at the normal priority, not at that thread's (a background one's, the lowest),
 * which every pool's timeouts would otherwise get.
 *
 * <p>An action runs with the context class loader of the thread that built its pool ({@link #startedNow()},
 * {@link #onFirstUse()}), as the pool's first workers' readers do, and its thread gives it back after: it decodes
 * with it, runs callbacks with it, and the threads it starts (the retried boot of a replacement, the reader of the
 * worker booted) get it. The threads' own loader, the system class loader (they inherit no thread-locals), does not
 * see a web application's classes, and two web applications, each with its own loader and pool, share these threads.
 */
final class PoolTimer {
    private static final System.Logger LOG = System.getLogger(PoolTimer.class.getName());
    private static final long IDLE_SECONDS = 5;
    /** For tests: where making the timer's thread throws. */
    private static final FailureSeam THREAD = new FailureSeam();
    /** For tests: where starting the thread of an action that fires throws. */
    private static final FailureSeam ACTION_THREAD = new FailureSeam();
    /**
     * Runs the actions that fire, on platform daemon threads that inherit no thread-locals, kept a few idle seconds
     * for the next action rather than made for each: making a platform thread takes the timer's thread a hundred
     * microseconds or more, and twenty thousand timeouts due at once (a {@code VirtualThreadPool}'s calls to a service
     * that hangs) fired seconds late. As many threads as actions run at once: one that waits holds up no other.
     */
    private static final ThreadPoolExecutor ACTIONS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), LibraryThreads.daemon("mp4j-pool-timeout")
                    .inheritInheritableThreadLocals(false).factory());
    private final boolean endsWhenIdle;
    /** The context class loader of the thread that built the pool: the one its actions run with. */
    private final ClassLoader loader = Thread.currentThread().getContextClassLoader();
    private volatile ScheduledExecutorService executor;

    private PoolTimer(boolean endsWhenIdle) {
        this.endsWhenIdle = endsWhenIdle;
    }

    /**
     * A timer whose thread is made now and kept until {@link #shutdown}, so that {@link #schedule} never has to make
     * one: until then it does not throw. Its actions run with the calling thread's context class loader.
     *
     * @throws Error as making the thread threw it (OutOfMemoryError when no thread can be made)
     */
    static PoolTimer startedNow() {
        PoolTimer timer = new PoolTimer(false);
        timer.executor();
        return timer;
    }

    /**
     * A timer whose thread is made on first use (a pool that schedules nothing never makes it) and ends after a few
     * idle seconds; {@link #schedule} may have to make it again, and throws if it cannot. Its actions run with the
     * calling thread's context class loader.
     */
    static PoolTimer onFirstUse() {
        return new PoolTimer(true);
    }

    /**
     * For tests: makes the timer's next thread fail to be made, with {@code failure}: the next {@link #schedule} of a
     * timer that ends when idle (which may have to make its thread again), or the next {@link #startedNow()}. Null
     * for none.
     */
    static void failNextThread(Error failure) {
        THREAD.arm(failure, 0, 1, null);
    }

    /**
     * Runs {@code action} on another thread in {@code nanos}, unless the returned future is cancelled first.
     *
     * @throws java.util.concurrent.RejectedExecutionException once {@link #shutdown} was called
     * @throws Error only for a timer {@link #onFirstUse()}, as making its thread threw it (it ends after a few idle
     *         seconds, and the next timeout makes another: OutOfMemoryError when no thread can be made)
     */
    ScheduledFuture<?> schedule(Runnable action, long nanos) {
        if (endsWhenIdle) {
            THREAD.check();
        }
        Runnable withLoader = () -> runWithLoader(action);
        return executor().schedule(() -> fire(withLoader), nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * For tests: makes the start of the thread of the next action that fires throw {@code failure}, as when
     * no thread can be made; null for none.
     */
    static void failNextActionThread(Error failure) {
        ACTION_THREAD.arm(failure, 0, 1, null);
    }

    private static void fire(Runnable action) {
        try {
            ACTION_THREAD.check();
            ACTIONS.execute(action); // throws as Thread.start does when no thread can be made
        } catch (RuntimeException | Error e) {
            // No thread for it (out of memory): the executor would keep the Error in the future nobody reads, and the
            // timeout, the kill of a worker that ignores its STOP, the next try of a replacement would never happen.
            // Run here instead, though later actions wait while it runs.
            LOG.log(Level.WARNING, "could not start a thread for a pool's timed action; running it on the timer's"
                    + " thread: " + e);
            action.run();
        }
    }

    /**
     * Runs {@code action} with the pool's context class loader, then gives the thread's own back: the thread runs
     * other pools' actions next, and, idle, must not keep this pool's loader (a web application's, undeployed).
     */
    private void runWithLoader(Runnable action) {
        Thread current = Thread.currentThread();
        ClassLoader own = current.getContextClassLoader();
        current.setContextClassLoader(loader);
        try {
            action.run();
        } finally {
            current.setContextClassLoader(own);
        }
    }

    private ScheduledExecutorService executor() {
        ScheduledExecutorService e = executor;
        if (e == null) {
            synchronized (this) {
                if (executor == null) {
                    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1,
                            LibraryThreads.daemon("mp4j-pool-timer").inheritInheritableThreadLocals(false)
                                    .factory());
                    s.setRemoveOnCancelPolicy(true);
                    if (endsWhenIdle) {
                        // The thread ends when no timeout is pending, so a pool that is never awaited or closed does
                        // not keep it for good; the next timeout starts another.
                        s.setKeepAliveTime(IDLE_SECONDS, TimeUnit.SECONDS);
                        s.allowCoreThreadTimeOut(true);
                    } else {
                        try {
                            THREAD.check();
                            s.prestartCoreThread(); // throws as Thread.start does
                        } catch (RuntimeException | Error failure) {
                            s.shutdownNow();
                            throw failure;
                        }
                    }
                    executor = s;
                }
                e = executor;
            }
        }
        return e;
    }

    void shutdown() {
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
