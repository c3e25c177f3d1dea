package io.github.multiprocessing4j.pool;

import java.time.Duration;

class ThreadPoolContractTest extends PoolContract {
    @Override
    Pool newPool(int workers, Duration taskTimeout) {
        ThreadPool.Builder b = ThreadPool.builder().threads(workers);
        return (taskTimeout == null ? b : b.taskTimeout(taskTimeout)).build();
    }
}
