package io.github.multiprocessing4j.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Holds every carrier of the virtual-thread scheduler until closed: as many virtual threads as it has carriers spin
 * without parking, and the scheduler never preempts them, so every other virtual thread of this JVM waits. For tests
 * of what must happen on time whatever an application's CPU-bound virtual threads do (a timeout, a kill, a result).
 *
 * {@snippet :
 * try (BusyCarriers busy = BusyCarriers.all(Delays.seconds(60))) {
 *     assertThat(future.get(30, TimeUnit.SECONDS)).isEqualTo(42);
 *     assertThat(busy.heldAllAlong()).isTrue();
 * }
 * }
 */
public final class BusyCarriers implements AutoCloseable {
    private final AtomicBoolean release = new AtomicBoolean();
    private final List<Thread> spinners = new ArrayList<>();

    private BusyCarriers() {
    }

    /**
     * Starts the spinners, one per carrier ({@code jdk.virtualThreadScheduler.parallelism}, by default the number of
     * processors); each gives up after {@code giveUp} whatever happens, so that a test that fails never spins for good.
     */
    public static BusyCarriers all(Duration giveUp) {
        int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        long until = System.nanoTime() + giveUp.toNanos();
        BusyCarriers busy = new BusyCarriers();
        for (int i = 0; i < carriers; i++) {
            busy.spinners.add(Thread.ofVirtual().start(() -> {
                while (!busy.release.get() && System.nanoTime() - until < 0) {
                    Thread.onSpinWait(); // CPU-bound: holds its carrier
                }
            }));
        }
        return busy;
    }

    /** Whether every spinner still runs: they held the carriers all along (none gave up yet). */
    public boolean heldAllAlong() {
        return spinners.stream().allMatch(Thread::isAlive);
    }

    /** Releases the carriers, and waits until the spinners have ended. */
    @Override
    public void close() throws InterruptedException {
        release.set(true);
        for (Thread spinner : spinners) {
            spinner.join();
        }
    }
}
