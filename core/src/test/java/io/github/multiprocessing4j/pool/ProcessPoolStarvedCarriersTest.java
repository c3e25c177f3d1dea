package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.BusyCarriers;
import io.github.multiprocessing4j.testing.Delays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process pool ends whatever this JVM's virtual threads do: CPU-bound ones, as many as the carriers of the
 * virtual-thread scheduler (which never preempts), hold every carrier for as long as they run.
 */
class ProcessPoolStarvedCarriersTest {

    @Test
    void build_returnsOnceItsWorkersHaveBooted_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // Each worker was booted on a virtual thread, which waited for a free carrier (to launch the worker, and again
        // once it had connected back): build() waited for as long as the virtual threads computed.
        FutureTask<ProcessPool> build = new FutureTask<>(() -> ProcessPool.builder().processes(1).build());
        try {
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(90))) {
                Thread.ofPlatform().daemon().start(build);
                try (ProcessPool pool = build.get(30, TimeUnit.SECONDS)) {
                    assertThat(pool.workerPids()).hasSize(1);
                    assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
                    assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
                }
            }
        } finally {
            build.get(60, TimeUnit.SECONDS).terminate(); // closed above unless the get timed out
        }
    }

    @Test
    void imap_ofAPlatformThread_deliversItsResults_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // The input was read, and the tasks submitted, on a virtual thread, which waited for a free carrier: next()
        // waited for as long as the virtual threads computed.
        try (ProcessPool pool = ProcessPool.builder().processes(1).build()) {
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                FutureTask<List<Integer>> imap = new FutureTask<>(() -> {
                    List<Integer> results = new ArrayList<>();
                    try (ResultIterator<Integer> it = pool.imap(x -> x * 2, List.of(1, 2, 3))) {
                        it.forEachRemaining(results::add);
                    }
                    return results;
                });
                Thread.ofPlatform().daemon().start(imap);
                assertThat(imap.get(30, TimeUnit.SECONDS)).containsExactly(2, 4, 6);
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
            }
        }
    }

    @Test
    void close_returnsOnceItsIdleWorkersHaveExited_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // An idle worker's exit was seen by a virtual thread, which waited for a free carrier: close() waited, with
        // every worker gone, for as long as the virtual threads computed.
        ProcessPool pool = ProcessPool.builder().processes(1).build();
        try {
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
            long worker = pool.workerPids().iterator().next();
            try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
                FutureTask<Void> close = new FutureTask<>(pool::close, null);
                Thread.ofPlatform().daemon().start(close);
                close.get(30, TimeUnit.SECONDS);
                assertThat(pool.isTerminated()).isTrue();
                assertThat(ProcessHandle.of(worker)).isEmpty();
                assertThat(busy.heldAllAlong()).as("the spinners held the carriers all along").isTrue();
            }
        } finally {
            pool.terminate();
        }
    }
}
