package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.launch.LaunchSpec;
import java.time.Duration;

/**
 * What a {@code ProcessPool.Builder} decided.
 *
 * @param processes         how many workers
 * @param initializer       the encoded initializer, or an empty array
 * @param maxTasksPerChild  recycle a worker after this many tasks (0: never)
 * @param maxMemoryPerChild recycle a worker whose resident set exceeds this many bytes (0: never)
 * @param taskTimeout       kill a worker whose task runs longer, or null
 * @param retries           how many times a task whose worker died runs again
 * @param prefetch          the most tasks queued on a worker behind its running one, or {@link #ADAPTIVE_PREFETCH}
 * @param spec              how worker JVMs are launched
 * @param name              the prefix of worker names
 */
public record WorkerConfig(int processes, byte[] initializer, int maxTasksPerChild, long maxMemoryPerChild,
                           Duration taskTimeout, int retries, int prefetch, LaunchSpec spec, String name) {
    /** {@link #prefetch()}: chosen from the tasks' average run time. */
    public static final int ADAPTIVE_PREFETCH = -1;
    /** The prefix of worker names when the builder was given none. */
    public static final String DEFAULT_NAME = "PoolWorker";
}
