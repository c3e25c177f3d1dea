package io.github.multiprocessing4j.pool;

import java.time.Duration;

/**
 * A {@link Pool} of platform threads: Python's {@code multiprocessing.pool.ThreadPool} and
 * {@code ThreadPoolExecutor}, with the same API as {@link ProcessPool}. Unlike CPython's threads, Java
 * threads run Java code in parallel (there is no global interpreter lock), so a thread pool speeds up
 * CPU-bound work too; a {@link ProcessPool} is for isolation, hard timeouts and separate heaps.
 *
 * {@snippet :
 * try (ThreadPool pool = ThreadPool.create(8)) {
 *     List<Integer> lengths = pool.map(String::length, words);
 * }
 * }
 *
 * <p>Tasks run in this JVM; nothing is serialized. A {@linkplain Builder#taskTimeout task timeout} or
 * {@code cancel(true)} interrupts the task's thread: a task that ignores interrupts keeps running (a thread
 * cannot be killed; only a process can). The threads, named as {@link Builder#name} says, are daemon threads
 * of normal priority (as Python's {@code ThreadPool} workers are daemons): unlike those of
 * {@link java.util.concurrent.Executors#newFixedThreadPool(int)}, they do not keep the JVM alive, so a program
 * that ends without {@link #close()} loses the tasks still queued or running. They are started as tasks
 * arrive, one per task until there are {@code threads} of them, and kept until the pool ends, as a
 * {@code ThreadPoolExecutor}'s core threads are.
 *
 * <p>So a thread runs many tasks, one after another, as in Python's pools: a {@link ThreadLocal} that a task
 * sets is still set in the next task on that thread (remove it, or pass the value in a {@link ScopedValue},
 * which ends with the task), and so are the thread's name or context class loader if a task changes them.
 * The interrupt status does not carry over: the pool clears it after each task. A thread starts with no
 * {@link InheritableThreadLocal} values: it runs the tasks of every caller, not only those of the caller whose
 * task happened to start it (pass such a value in the task instead). There is no initializer
 * (Python's {@code initializer=}): state that each thread builds once is a
 * {@link ThreadLocal#withInitial ThreadLocal.withInitial(...)}, built by the first task that needs it.
 */
public interface ThreadPool extends Pool {

    /** A pool of {@code threads} platform threads. */
    static ThreadPool create(int threads) {
        return builder().threads(threads).build();
    }

    static Builder builder() {
        return new ThreadPoolBuilder();
    }

    /**
     * Options for a {@link ThreadPool}. Each setter may be called once.
     *
     * {@snippet :
     * try (ThreadPool pool = ThreadPool.builder()
     *         .threads(4)
     *         .taskTimeout(Duration.ofSeconds(5))   // interrupt a task still running after 5 s
     *         .name("thumbs")                       // threads thumbs-1, thumbs-2...
     *         .build()) {
     *     List<byte[]> thumbnails = pool.map(image -> thumbnail(image), images);
     * }
     * }
     */
    interface Builder {
        /** How many threads; default: the number of processors. */
        Builder threads(int threads);

        /**
         * Fails a task with {@link TaskTimeoutException} and interrupts its thread at this deadline.
         * The deadline counts from the start of the task; a chunk of {@code map}, {@code starmap} or
         * {@code imap} is one task, so it covers the whole chunk, not each of its items.
         */
        Builder taskTimeout(Duration timeout);

        /**
         * The prefix of thread names: threads {@code prefix-1}, {@code prefix-2}... Default: "mp4j-pool-P-thread",
         * with P numbering the thread pools built without a name, so that threads {@code mp4j-pool-2-thread-1}
         * and {@code mp4j-pool-3-thread-1} tell two pools apart (as the JDK's {@code pool-N-thread-M} and Python's
         * {@code ThreadPoolExecutor-N_M} do). Two pools given the same prefix have threads of the same names.
         *
         * @throws IllegalArgumentException if it is blank
         */
        Builder name(String prefix);

        ThreadPool build();
    }
}
