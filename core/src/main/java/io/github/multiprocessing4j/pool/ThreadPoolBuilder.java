package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.atLeast;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.notBlank;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.positive;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link ThreadPool.Builder}: every setter may be called once. */
final class ThreadPoolBuilder implements ThreadPool.Builder {
    /** Numbers the pools built without a name, so that their threads' names tell them apart ("pool-N-thread-M"). */
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Integer threads;
    private Duration taskTimeout;
    private String name;

    @Override
    public ThreadPool.Builder threads(int threads) {
        requireUnset(this.threads, "threads");
        this.threads = atLeast(threads, 1, "threads");
        return this;
    }

    @Override
    public ThreadPool.Builder taskTimeout(Duration timeout) {
        requireUnset(this.taskTimeout, "taskTimeout");
        this.taskTimeout = positive(timeout, "taskTimeout");
        return this;
    }

    @Override
    public ThreadPool.Builder name(String prefix) {
        requireUnset(this.name, "name");
        this.name = notBlank(prefix, "name",
                "give the threads a name prefix, or set none for the default \"mp4j-pool-P-thread-N\"");
        return this;
    }

    @Override
    public ThreadPool build() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        String prefix = name != null ? name : "mp4j-pool-" + POOLS.incrementAndGet() + "-thread";
        return new ThreadPools.Platform(ThreadEngine.platform(n, prefix, taskTimeout));
    }
}
