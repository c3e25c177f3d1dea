package io.github.multiprocessing4j.pool;

import io.github.multiprocessing4j.internal.pool.ProcessEngine;
import java.util.Set;

/** The {@link ProcessPool}: the common pool front end over a {@link ProcessEngine}. */
final class ProcessPoolImpl extends AbstractPool implements ProcessPool {
    private final ProcessEngine processes;

    ProcessPoolImpl(ProcessEngine engine) {
        super(engine);
        this.processes = engine;
    }

    @Override
    public Set<Long> workerPids() {
        return processes.workerPids();
    }

    @Override
    public String toString() {
        return "ProcessPool[processes=" + parallelism() + ", workers=" + workerPids() + (isShutdown() ? ", shut down" : "") + "]";
    }
}
