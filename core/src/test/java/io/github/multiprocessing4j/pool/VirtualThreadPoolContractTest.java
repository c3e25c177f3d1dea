package io.github.multiprocessing4j.pool;

import java.time.Duration;

class VirtualThreadPoolContractTest extends PoolContract {
    @Override
    Pool newPool(int workers, Duration taskTimeout) {
        VirtualThreadPool.Builder b = VirtualThreadPool.builder().maxConcurrency(workers);
        return (taskTimeout == null ? b : b.taskTimeout(taskTimeout)).build();
    }
}
