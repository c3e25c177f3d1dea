package io.github.multiprocessing4j.function;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can be sent to another JVM.
 *
 * {@snippet :
 * try (Pool pool = ProcessPool.create(2)) {
 *     SerializableCallable<Long> pid = () -> ProcessHandle.current().pid();
 *     long workerPid = pool.submit(pid).get();
 * }
 * }
 *
 * @param <V> the result type
 */
@FunctionalInterface
public interface SerializableCallable<V> extends Callable<V>, Serializable {
}
