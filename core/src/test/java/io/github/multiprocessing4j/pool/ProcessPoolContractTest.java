package io.github.multiprocessing4j.pool;

import java.time.Duration;

class ProcessPoolContractTest extends PoolContract {
    @Override
    Pool newPool(int workers, Duration taskTimeout) {
        ProcessPool.Builder b = ProcessPool.builder().processes(workers);
        return (taskTimeout == null ? b : b.taskTimeout(taskTimeout)).build();
    }
}
