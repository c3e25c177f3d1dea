package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract for {@link VirtualThreadPool#create()}, a pool without a concurrency limit: it runs every
 * task on a thread of its own at once, on another executor than a limited pool's, and queues nothing.
 */
class UnlimitedVirtualThreadPoolContractTest extends PoolContract {
    @Override
    Pool newPool(int workers, Duration taskTimeout) {
        return taskTimeout == null ? VirtualThreadPool.create()
                : VirtualThreadPool.builder().taskTimeout(taskTimeout).build();
    }

    @Override
    boolean queues() {
        return false;
    }

    /**
     * Its imap window is 4096 tasks (see AbstractPool.window), each a chunk, beside the 100 results taken and
     * one chunk being read.
     */
    @Override
    long imapReadAheadBound(int chunkSize) {
        return (4096L + 100 + 1) * chunkSize + 1;
    }

    /** What the queue-dependent tests of the contract check, for a pool without a queue (see Pool#shutdownNow). */
    @Test
    void shutdownNow_returnsNoTask_andStopsEveryRunningOne(@TempDir Path dir) throws Exception {
        Pool pool = newPool(1, null);
        List<CompletableFuture<Integer>> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String started = dir.resolve("started-" + i).toString();
            running.add(pool.applyAsync(x -> {
                touch(started);
                return sleep(60_000);
            }, i));
            awaitStarted(started, running.getLast());
        }
        assertThat(pool.shutdownNow()).as("nothing was queued").isEmpty();
        assertThat(pool.awaitTermination(Delays.seconds(30).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        for (CompletableFuture<Integer> f : running) {
            assertThat(f).failsWithin(Delays.seconds(10));
        }
    }
}
