package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;
import java.time.Duration;
import java.util.Objects;

/** The {@link ThreadPool.Builder}: every setter may be called once. */
final class ThreadPoolBuilder implements ThreadPool.Builder {
    private Integer threads;
    private Duration taskTimeout;
    private String name;

    @Override
    public ThreadPool.Builder threads(int threads) {
        if (this.threads != null) {
            throw new IllegalStateException("threads was already set to " + this.threads);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads < 1: " + threads);
        }
        this.threads = threads;
        return this;
    }

    @Override
    public ThreadPool.Builder taskTimeout(Duration timeout) {
        this.taskTimeout = ThreadPools.checkTimeout(this.taskTimeout, timeout);
        return this;
    }

    @Override
    public ThreadPool.Builder name(String prefix) {
        if (this.name != null) {
            throw new IllegalStateException("name was already set to " + this.name);
        }
        this.name = Objects.requireNonNull(prefix, "prefix");
        return this;
    }

    @Override
    public ThreadPool build() {
        int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        return new ThreadPools.Platform(ThreadEngine.platform(n, name == null ? "mp4j-pool" : name, taskTimeout));
    }
}
