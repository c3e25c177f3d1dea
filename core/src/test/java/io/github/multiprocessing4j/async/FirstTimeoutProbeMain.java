package io.github.multiprocessing4j.async;

import java.time.Duration;

/**
 * Run in a JVM of its own by {@link TaskGroupDeadlineTest}, with one carrier for virtual threads: the first
 * {@link Coroutines#timeout} of the JVM, of {@link #TIMEOUT_MS}, while a computing coroutine holds that carrier
 * until the caller has waited out the JIT warm-up, whose longest wait is made {@link #WARM_UP_MS} here, longer
 * than the timeout, so that a warm-up waiting in full would use up all of it. Prints what timeout() gave.
 */
public final class FirstTimeoutProbeMain {
    /**
     * Long enough that the half the warm-up leaves is not spent before the call starts on a loaded machine
     * (at 90 ms, its 45 ms were, about once in four runs next to two busy loops).
     */
    static final long TIMEOUT_MS = 3000;
    static final long WARM_UP_MS = 2 * TIMEOUT_MS;

    private FirstTimeoutProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        CarrierHeldThroughWarmUp.loadGroupClasses(); // loaded before the clock runs
        JitWarmup.maxWait(Duration.ofMillis(WARM_UP_MS));
        CarrierHeldThroughWarmUp.hold(Thread.currentThread(), Duration.ofMillis(WARM_UP_MS + 30_000));
        String outcome;
        try {
            outcome = Coroutines.timeout(Duration.ofMillis(TIMEOUT_MS), () -> "ran");
        } catch (Exception e) {
            outcome = e.toString();
        }
        System.out.println("result: " + outcome);
    }
}
