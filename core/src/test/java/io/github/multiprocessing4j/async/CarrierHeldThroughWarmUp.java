package io.github.multiprocessing4j.async;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * For the probes that run in a JVM of their own with one carrier for virtual threads: loads the classes of a
 * group and of the timer before the probe's clock runs, and holds the one carrier with a computing coroutine
 * until the caller has waited out the JIT warm-up, so that the warm-up takes its longest wait.
 */
final class CarrierHeldThroughWarmUp {
    private CarrierHeldThroughWarmUp() {
    }

    /** Loads the classes a first group and its deadline use, so that their loading is not timed. */
    static void loadGroupClasses() throws ClassNotFoundException {
        for (String c : new String[] {"TaskGroupImpl", "TaskImpl", "CoroutineTimer$Holder", "CoroutineTimer$Action"}) {
            Class.forName(CarrierHeldThroughWarmUp.class.getPackageName() + "." + c);
        }
    }

    /**
     * Starts a coroutine that computes (never giving its carrier back) until {@code caller} has been seen in
     * the JIT warm-up and has left it, or {@code giveUp} has passed; returns once it runs.
     */
    static void hold(Thread caller, Duration giveUp) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            holding.countDown();
            boolean seen = false;
            long end = System.nanoTime() + giveUp.toNanos();
            while (System.nanoTime() < end) {
                boolean inWarmup = Arrays.stream(caller.getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(JitWarmup.class.getName()));
                if (inWarmup) {
                    seen = true;
                } else if (seen) {
                    return;
                }
            }
        });
        holding.await();
    }
}
