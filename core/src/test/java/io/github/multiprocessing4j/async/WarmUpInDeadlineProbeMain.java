package io.github.multiprocessing4j.async;

import io.github.multiprocessing4j.testing.Delays;
import java.time.Duration;

/**
 * Run in a JVM of its own by {@link TaskGroupDeadlineTest}, with one carrier for virtual threads: the first
 * {@link TaskGroup#withTimeout} of the JVM, {@link #TIMEOUT_MS} long, while a computing coroutine holds that
 * carrier until the caller has waited out the JIT warm-up, whose longest wait is made {@link #WARM_UP_MS}
 * here so that it stands out. Prints how much later than {@link #TIMEOUT_MS} after the call the deadline cut
 * the group's task short.
 */
public final class WarmUpInDeadlineProbeMain {
    static final long WARM_UP_MS = Delays.millis(1000).toMillis();
    static final long TIMEOUT_MS = Delays.millis(3000).toMillis();

    private WarmUpInDeadlineProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        CarrierHeldThroughWarmUp.loadGroupClasses(); // loaded before the clock runs
        JitWarmup.maxWait(Duration.ofMillis(WARM_UP_MS));
        CarrierHeldThroughWarmUp.hold(Thread.currentThread(), Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        try (TaskGroup group = TaskGroup.withTimeout(Duration.ofMillis(TIMEOUT_MS))) {
            group.spawn(() -> {
                Thread.sleep(60_000);
                return null;
            });
        } catch (TaskGroupTimeoutException expected) {
            // the deadline cancelled the task, and close() returned once it had ended
        }
        System.out.println("late ms: " + ((System.nanoTime() - t0) / 1_000_000 - TIMEOUT_MS));
    }
}
