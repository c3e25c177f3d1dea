package io.github.multiprocessing4j.pool;

import static io.github.multiprocessing4j.internal.builder.BuilderChecks.atLeast;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.notBlank;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.positive;
import static io.github.multiprocessing4j.internal.builder.BuilderChecks.requireUnset;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link VirtualThreadPool.Builder}: every setter may be called once. */
final class VirtualThreadPoolBuilder implements VirtualThreadPool.Builder {
    /** Numbers the pools built without a name, so that their threads' names tell them apart ("pool-N-thread-M"). */
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Integer maxConcurrency;
    private Duration taskTimeout;
    private String name;

    @Override
    public VirtualThreadPool.Builder maxConcurrency(int tasks) {
        requireUnset(this.maxConcurrency, "maxConcurrency");
        this.maxConcurrency = atLeast(tasks, 1, "maxConcurrency");
        return this;
    }

    @Override
    public VirtualThreadPool.Builder taskTimeout(Duration timeout) {
        requireUnset(this.taskTimeout, "taskTimeout");
        this.taskTimeout = positive(timeout, "taskTimeout");
        return this;
    }

    @Override
    public VirtualThreadPool.Builder name(String prefix) {
        requireUnset(this.name, "name");
        this.name = notBlank(prefix, "name",
                "give the threads a name prefix, or set none for the default \"mp4j-vpool-P-thread-N\"");
        return this;
    }

    @Override
    public VirtualThreadPool build() {
        return new ThreadPools.Virtual(ThreadEngine.virtual(maxConcurrency == null ? 0 : maxConcurrency,
                name != null ? name : "mp4j-vpool-" + POOLS.incrementAndGet() + "-thread", taskTimeout));
    }
}
