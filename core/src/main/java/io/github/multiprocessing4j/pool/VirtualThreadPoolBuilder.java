package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;
import java.time.Duration;
import java.util.Objects;

/** The {@link VirtualThreadPool.Builder}: every setter may be called once. */
final class VirtualThreadPoolBuilder implements VirtualThreadPool.Builder {
    private Integer maxConcurrency;
    private Duration taskTimeout;
    private String name;

    @Override
    public VirtualThreadPool.Builder maxConcurrency(int tasks) {
        if (this.maxConcurrency != null) {
            throw new IllegalStateException("maxConcurrency was already set to " + this.maxConcurrency);
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("maxConcurrency < 1: " + tasks);
        }
        this.maxConcurrency = tasks;
        return this;
    }

    @Override
    public VirtualThreadPool.Builder taskTimeout(Duration timeout) {
        this.taskTimeout = ThreadPools.checkTimeout(this.taskTimeout, timeout);
        return this;
    }

    @Override
    public VirtualThreadPool.Builder name(String prefix) {
        if (this.name != null) {
            throw new IllegalStateException("name was already set to " + this.name);
        }
        this.name = Objects.requireNonNull(prefix, "prefix");
        return this;
    }

    @Override
    public VirtualThreadPool build() {
        return new ThreadPools.Virtual(ThreadEngine.virtual(maxConcurrency == null ? 0 : maxConcurrency,
                name == null ? "mp4j-vpool" : name, taskTimeout));
    }
}
