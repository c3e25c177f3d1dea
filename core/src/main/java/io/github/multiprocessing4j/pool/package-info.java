/**
 * Pools of workers behind one {@link io.github.multiprocessing4j.pool.Pool} API (an
 * {@link java.util.concurrent.ExecutorService}): {@link io.github.multiprocessing4j.pool.ProcessPool}
 * (child JVMs), {@link io.github.multiprocessing4j.pool.ThreadPool} (platform threads) and
 * {@link io.github.multiprocessing4j.pool.VirtualThreadPool} (virtual threads).
 *
 * {@snippet :
 * try (Pool pool = ProcessPool.create(4)) {       // or ThreadPool.create(4), VirtualThreadPool.create()
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));   // [1, 4, 9]
 * }
 * }
 */
package io.github.multiprocessing4j.pool;
