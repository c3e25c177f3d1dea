/**
 * Pools of workers behind one {@link io.github.multiprocessing4j.pool.Pool} API (an
 * {@link java.util.concurrent.ExecutorService}): {@link io.github.multiprocessing4j.pool.ProcessPool}
 * (child JVMs), {@link io.github.multiprocessing4j.pool.ThreadPool} (platform threads) and
 * {@link io.github.multiprocessing4j.pool.VirtualThreadPool} (virtual threads).
 */
package io.github.multiprocessing4j.pool;
