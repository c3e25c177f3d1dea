package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.ThreadEngine;

/** The thread-backed pools: the common front end over a {@link ThreadEngine}. */
final class ThreadPools {
    private ThreadPools() {
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
