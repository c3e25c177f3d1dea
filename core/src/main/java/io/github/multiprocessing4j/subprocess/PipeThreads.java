package io.github.multiprocessing4j.subprocess;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that feed stdin and drain stdout and stderr: platform daemon threads, created on demand and
 * kept for a while once idle, as the JDK keeps its "process reaper" threads.
 *
 * <p>Why not virtual threads: a pipe read or write blocks in native code, which pins the virtual thread to
 * its carrier, and the scheduler then brings up a compensating carrier for each blocking call. Moving 100 MB
 * through {@code cat} that way was slower than with platform threads on our shared 2-core machine (medians
 * of 8 alternating runs: 235 against 328 MB/s; the spread under load is wide). Why a pool: starting a platform thread costs tens of microseconds, a visible part of
 * {@code run("true")} with captured output; a reused one costs nothing. Daemon threads: a blocked drain
 * (a pipe held open by a process that escaped a tree kill) must not keep the JVM alive.
 */
final class PipeThreads {
    private static final long KEEP_ALIVE_SECONDS = 30;
    private static final long STACK_SIZE = 256 * 1024;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /**
     * Pooled, shared by every caller: a thread keeps nothing of the caller it was made for, neither its context nor
     * its group and priority (a background request's, the lowest), which the next callers' commands would get.
     */
    private static final ThreadFactory FACTORY = task -> LibraryThreads.daemon("mp4j-subprocess-pipe-"
            + COUNTER.incrementAndGet()).stackSize(STACK_SIZE).inheritInheritableThreadLocals(false).unstarted(task);
    private static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, KEEP_ALIVE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), FACTORY);

    private PipeThreads() {
    }

    /** For tests: what the next {@link #start} throws instead of starting a thread (as when none can be made). */
    private static volatile RuntimeException nextFailure;

    /** Runs {@code task} on a pipe thread at once. */
    static void start(Runnable task) {
        RuntimeException failure = nextFailure;
        if (failure != null) {
            nextFailure = null;
            throw failure;
        }
        POOL.execute(task);
    }

    /** For tests: makes the next {@link #start} throw {@code failure}, as when no thread can be made. */
    static void failNextStart(RuntimeException failure) {
        nextFailure = failure;
    }
}
