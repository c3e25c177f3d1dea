package io.github.multiprocessing4j.async;

import java.time.Duration;

/**
 * Run in a JVM of its own by {@link TaskGroupDeadlineTest}, with one carrier for virtual threads: the first
 * {@link Coroutines#timeout} of the JVM, of 90 ms, while a computing coroutine holds that carrier until the
 * caller has waited out the JIT warm-up (which then takes its longest, 100 ms). Prints what timeout() gave.
 */
public final class FirstTimeoutProbeMain {
    private FirstTimeoutProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        CarrierHeldThroughWarmUp.loadGroupClasses(); // loaded before the clock runs
        CarrierHeldThroughWarmUp.hold(Thread.currentThread(), Duration.ofSeconds(10));
        String outcome;
        try {
            outcome = Coroutines.timeout(Duration.ofMillis(90), () -> "ran");
        } catch (Exception e) {
            outcome = e.toString();
        }
        System.out.println("result: " + outcome);
    }
}
