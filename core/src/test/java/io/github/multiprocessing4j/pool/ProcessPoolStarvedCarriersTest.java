package io.github.multiprocessing4j.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean release = new AtomicBoolean();
        long giveUp = System.nanoTime() + Delays.seconds(90).toNanos(); // never spin for good, whatever happens
        List<Thread> spinners = new ArrayList<>();
        FutureTask<ProcessPool> build = new FutureTask<>(() -> ProcessPool.builder().processes(1).build());
        try {
            for (int i = 0; i < carriers; i++) {
                spinners.add(Thread.ofVirtual().start(() -> {
                    while (!release.get() && System.nanoTime() - giveUp < 0) {
                        Thread.onSpinWait(); // CPU-bound: holds its carrier
                    }
                }));
            }
            Thread.ofPlatform().daemon().start(build);
            try (ProcessPool pool = build.get(30, TimeUnit.SECONDS)) {
                assertThat(pool.workerPids()).hasSize(1);
                assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
                assertThat(spinners).allMatch(Thread::isAlive); // they held the carriers all along
            }
        } finally {
            release.set(true);
            for (Thread spinner : spinners) {
                spinner.join();
            }
            build.get(60, TimeUnit.SECONDS).terminate(); // closed above unless the get timed out

        }
    }

    @Test
    void imap_ofAPlatformThread_deliversItsResults_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // The input was read, and the tasks submitted, on a virtual thread, which waited for a free carrier: next()
        // waited for as long as the virtual threads computed.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean release = new AtomicBoolean();
        long giveUp = System.nanoTime() + Delays.seconds(60).toNanos(); // never spin for good, whatever happens
        List<Thread> spinners = new ArrayList<>();
        try (ProcessPool pool = ProcessPool.builder().processes(1).build()) {
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
            try {
                for (int i = 0; i < carriers; i++) {
                    spinners.add(Thread.ofVirtual().start(() -> {
                        while (!release.get() && System.nanoTime() - giveUp < 0) {
                            Thread.onSpinWait(); // CPU-bound: holds its carrier
                        }
                    }));
                }
                FutureTask<List<Integer>> imap = new FutureTask<>(() -> {
                    List<Integer> results = new ArrayList<>();
                    try (ResultIterator<Integer> it = pool.imap(x -> x * 2, List.of(1, 2, 3))) {
                        it.forEachRemaining(results::add);
                    }
                    return results;
                });
                Thread.ofPlatform().daemon().start(imap);
                assertThat(imap.get(30, TimeUnit.SECONDS)).containsExactly(2, 4, 6);
                assertThat(spinners).allMatch(Thread::isAlive); // they held the carriers all along
            } finally {
                release.set(true);
                for (Thread spinner : spinners) {
                    spinner.join();
                }
            }
        }
    }

    @Test
    void close_returnsOnceItsIdleWorkersHaveExited_evenWhileVirtualThreadsHoldEveryCarrier() throws Exception {
        // An idle worker's exit was seen by a virtual thread, which waited for a free carrier: close() waited, with
        // every worker gone, for as long as the virtual threads computed.
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        AtomicBoolean release = new AtomicBoolean();
        long giveUp = System.nanoTime() + Delays.seconds(60).toNanos(); // never spin for good, whatever happens
        List<Thread> spinners = new ArrayList<>();
        ProcessPool pool = ProcessPool.builder().processes(1).build();
        try {
            assertThat(pool.<Integer, Integer>apply(x -> x * 2, 21)).isEqualTo(42);
            long worker = pool.workerPids().iterator().next();
            for (int i = 0; i < carriers; i++) {
                spinners.add(Thread.ofVirtual().start(() -> {
                    while (!release.get() && System.nanoTime() - giveUp < 0) {
                        Thread.onSpinWait(); // CPU-bound: holds its carrier
                    }
                }));
            }
            FutureTask<Void> close = new FutureTask<>(pool::close, null);
            Thread.ofPlatform().daemon().start(close);
            close.get(30, TimeUnit.SECONDS);
            assertThat(pool.isTerminated()).isTrue();
            assertThat(ProcessHandle.of(worker)).isEmpty();
            assertThat(spinners).allMatch(Thread::isAlive); // they held the carriers all along
        } finally {
            release.set(true);
            for (Thread spinner : spinners) {
                spinner.join();
            }
            pool.terminate();
        }
    }
}
