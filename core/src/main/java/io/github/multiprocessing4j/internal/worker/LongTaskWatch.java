package io.github.multiprocessing4j.internal.worker;

import io.github.multiprocessing4j.internal.session.LibraryThreads;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a pool worker's connection while a task runs long, so that a {@code CANCEL} of a task queued behind
 * it (a cancel, or the parent taking the task back for an idle worker) is answered at once rather than after
 * the long task. The main thread reads the connection between tasks (see {@link PoolWorker}); this watch
 * takes over only once a task has run for {@value #WATCH_AFTER_MILLIS} ms, so quick tasks pay no hand-off
 * between threads, only a volatile write before each task and a compare-and-set after it.
 *
 * <pre>{@code
 * LongTaskWatch watch = LongTaskWatch.start(this::readWhileATaskRuns);
 * long mark = watch.taskStarts(System.nanoTime());
 * try {
 *     runTheTask();
 * } finally {
 *     watch.taskEnded(mark); // from here on the main thread owns the connection's read side again
 * }
 * }</pre>
 *
 * <p>Ownership of the read side (the connection's reads, and the worker's queue of frames) is one
 * {@link AtomicLong}: the start of the running task, {@link #NONE} between tasks, or {@link #WATCHED} once the
 * watch has claimed it by a compare-and-set from that start. The main thread ends a task with a compare-and-set
 * back to {@code NONE}; if that fails the watch holds the read side, and the main thread takes it back under
 * the watch's lock, which the watch holds for each of its reads and checks the claim under: once the main
 * thread has left that lock, the watch touches nothing more until it claims a later task.
 */
final class LongTaskWatch {
    /** How long a task runs before the watch reads the connection meanwhile. */
    static final long WATCH_AFTER_MILLIS = 5;
    /** How often the watch reads the connection while it holds it. */
    static final long READ_EVERY_MILLIS = 5;
    /**
     * How often the watch looks for a long task while none runs: every 10 ms at first, less often the longer the
     * worker idles (up to every 80 ms), so that an idle pool hardly wakes up; while tasks run, at each one's
     * {@link #WATCH_AFTER_MILLIS}.
     */
    private static final long IDLE_CHECK_MILLIS = 10;
    private static final long IDLE_CHECK_MAX_MILLIS = 80;
    private static final long NONE = Long.MIN_VALUE;
    private static final long WATCHED = Long.MIN_VALUE + 1;

    /** What the watch does with the connection while it holds it: read what has come, without waiting. */
    interface Reader {
        void readWhileATaskRuns() throws IOException;
    }

    private final Reader reader;
    private final AtomicLong running = new AtomicLong(NONE);
    private final Object lock = new Object();
    /** What made a read of the watch fail, for the main thread to throw; guarded by lock. */
    private IOException failure;

    private LongTaskWatch(Reader reader) {
        this.reader = reader;
    }

    /**
     * A watch on its own daemon thread, in the library's thread group (see {@link LibraryThreads}): a task that
     * interrupts every thread of its own group must not reach it, as a parked thread whose interrupt is set wakes
     * at once, and the watch would spin on a core for the rest of the worker's life.
     */
    static LongTaskWatch start(Reader reader) {
        LongTaskWatch watch = new LongTaskWatch(reader);
        LibraryThreads.daemon("mp4j-long-task-watch").stackSize(256 * 1024).start(watch::run);
        return watch;
    }

    /** The main thread starts a task at {@code now} ({@link System#nanoTime()}); returns the mark for taskEnded. */
    long taskStarts(long now) {
        long mark = now;
        if (mark == NONE || mark == WATCHED) {
            mark += 2;
        }
        running.setRelease(mark); // what the main thread did to the queue before is seen by the watch that claims it
        return mark;
    }

    /**
     * The main thread's task is over: from the return on, the main thread alone reads the connection again.
     *
     * @throws IOException if a read of the watch meanwhile failed (the connection is then unusable)
     */
    void taskEnded(long mark) throws IOException {
        if (running.compareAndSet(mark, NONE)) {
            return;
        }
        synchronized (lock) {
            running.set(NONE);
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void run() {
        long idleCheck = TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MILLIS);
        while (true) {
            long since = running.get();
            long sleep = idleCheck;
            if (since == NONE) {
                idleCheck = Math.min(2 * idleCheck, TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MAX_MILLIS));
            } else if (since != WATCHED) { // (never seen here: the watch leaves it only once the main thread has)
                idleCheck = TimeUnit.MILLISECONDS.toNanos(IDLE_CHECK_MILLIS);
                long ran = System.nanoTime() - since;
                long due = TimeUnit.MILLISECONDS.toNanos(WATCH_AFTER_MILLIS);
                if (ran >= due) {
                    if (running.compareAndSet(since, WATCHED) && !watch()) {
                        return; // the connection failed: the main thread throws when its task ends
                    }
                    continue;
                }
                sleep = due - ran;
            }
            sleep(sleep);
        }
    }

    /** Reads the connection until the main thread takes it back; false if a read failed. */
    private boolean watch() {
        while (true) {
            synchronized (lock) {
                if (running.get() != WATCHED) {
                    return true;
                }
                try {
                    reader.readWhileATaskRuns();
                } catch (IOException | RuntimeException | Error e) {
                    // any: a watch that died quietly could leave a frame half read for the main thread
                    failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                    return false;
                }
            }
            sleep(TimeUnit.MILLISECONDS.toNanos(READ_EVERY_MILLIS));
        }
    }

    /** Nothing of ours interrupts this thread: an interrupt that reached it anyway must not turn a park into a spin. */
    private static void sleep(long nanos) {
        LockSupport.parkNanos(nanos);
        Thread.interrupted();
    }
}
