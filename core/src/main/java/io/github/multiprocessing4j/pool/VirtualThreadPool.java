package io.github.multiprocessing4j.pool;

import java.time.Duration;

/**
 * A {@link Pool} of virtual threads: the {@code Pool} API for I/O-bound work at scale (thousands of blocking
 * calls in flight). Without a limit ({@link #create()}), each task runs at once on a virtual thread of its own;
 * with {@link Builder#maxConcurrency maxConcurrency(N)}, N virtual threads take the tasks from a queue, each
 * running many tasks one after another.
 *
 * {@snippet :
 * try (VirtualThreadPool pool = VirtualThreadPool.create()) {
 *     List<String> pages = pool.map(url -> fetch(url), urls, 1);   // one virtual thread per URL
 * }
 * }
 *
 * <p>Tasks run in this JVM; nothing is serialized. A {@linkplain Builder#taskTimeout task timeout} or
 * {@code cancel(true)} interrupts the task's thread: a task that ignores interrupts keeps running (only a
 * process can be killed). Virtual threads are daemon threads: an unclosed pool does not keep the JVM alive,
 * and a program that ends without {@link #close()} loses the tasks still queued or running. They are named as
 * {@link Builder#name} says. As in a {@link ThreadPool}, a {@link ThreadLocal} that a task of a pool with a
 * limit sets is still set in the next task its thread runs (the interrupt status is not: it is cleared after
 * each task), and its threads start with no {@link InheritableThreadLocal} values, as they run the tasks of every
 * caller; a pool without a limit starts each task on a new thread, which inherits them from the task's submitter.
 */
public interface VirtualThreadPool extends Pool {

    /** A pool with no limit on concurrency. */
    static VirtualThreadPool create() {
        return builder().build();
    }

    static Builder builder() {
        return new VirtualThreadPoolBuilder();
    }

    /**
     * Options for a {@link VirtualThreadPool}. Each setter may be called once.
     *
     * {@snippet :
     * try (VirtualThreadPool pool = VirtualThreadPool.builder()
     *         .maxConcurrency(100)                   // at most 100 requests in flight
     *         .taskTimeout(Duration.ofSeconds(10))
     *         .build()) {
     *     List<String> pages = pool.map(url -> fetch(url), urls);
     * }
     * }
     */
    interface Builder {
        /**
         * At most this many tasks run at once, on this many virtual threads; the rest wait in a queue, in order,
         * with no thread of their own (so {@code shutdownNow()} can cancel and list them). Default: no limit.
         */
        Builder maxConcurrency(int tasks);

        /**
         * Fails a task with {@link TaskTimeoutException} and interrupts its thread at this deadline.
         * The deadline counts from the start of the task; a chunk of {@code map}, {@code starmap} or
         * {@code imap} is one task, so it covers the whole chunk, not each of its items.
         */
        Builder taskTimeout(Duration timeout);

        /**
         * The prefix of thread names: threads {@code prefix-1}, {@code prefix-2}... Default: "mp4j-vpool-P-thread",
         * with P numbering the virtual-thread pools built without a name, so that threads
         * {@code mp4j-vpool-2-thread-1} and {@code mp4j-vpool-3-thread-1} tell two pools apart (as the JDK's
         * {@code pool-N-thread-M} and Python's {@code ThreadPoolExecutor-N_M} do). Two pools given the same prefix
         * have threads of the same names.
         *
         * @throws IllegalArgumentException if it is blank
         */
        Builder name(String prefix);

        VirtualThreadPool build();
    }
}
