package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;
import java.time.Duration;

/** The thread-backed pools: the common front end over a {@link ThreadEngine}. */
final class ThreadPools {
    private ThreadPools() {
    }

    static Duration checkTimeout(Duration current, Duration timeout) {
        if (current != null) {
            throw new IllegalStateException("taskTimeout was already set to " + current);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("taskTimeout <= 0: " + timeout);
        }
        return timeout;
    }

    static final class Platform extends AbstractPool implements ThreadPool {
        Platform(ThreadEngine engine) {
            super(engine);
        }

        @Override
        public String toString() {
            return "ThreadPool[threads=" + parallelism() + (isShutdown() ? ", shut down" : "") + "]";
        }
    }

    static final class Virtual extends AbstractPool implements VirtualThreadPool {
        Virtual(ThreadEngine engine) {
            super(engine);
        }

        @Override
        public String toString() {
            return "VirtualThreadPool[maxConcurrency=" + parallelism() + (isShutdown() ? ", shut down" : "") + "]";
        }
    }
}
